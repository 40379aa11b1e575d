-- Reviews on the clinic's pages and subject merges (issue 4, sections 5 and 6).

-- A review is an inquiry of form 'review'. It has no row here until a moderator decides on it (or
-- its author withdraws the publication consent): no row means pending. The row's id is the
-- inquiry's id, so a review has one id from intake to the public page.
--
-- What is published is a copy of exactly what the consent allows (the signature the author chose,
-- the text as written, the rating), AES-256-GCM ciphertext under the subject's data key (AAD
-- `review:<id>:author` and `review:<id>:text`): destroying the subject makes it unreadable and, by
-- the cascade, removes it. Unpublishing or rejecting erases the copy; only the decision stays.
CREATE TABLE reviews (
  inquiry_id uuid PRIMARY KEY REFERENCES inquiries (id) ON DELETE CASCADE,
  operator_id uuid NOT NULL REFERENCES operators (id),
  subject_id uuid NOT NULL REFERENCES subjects (id) ON DELETE CASCADE,
  state text NOT NULL CHECK (state IN ('pending', 'published', 'unpublished', 'rejected')),
  -- The publication consent the review is published under, and what it let be shown.
  consent_id uuid REFERENCES consent_records (id) ON DELETE CASCADE,
  review_show text CHECK (review_show IN ('first_name_initial', 'first_name', 'anonymous')),
  -- NULL for an anonymous review: the page shows a neutral label in its own language.
  author_enc bytea,
  text_enc bytea,
  rating smallint CHECK (rating BETWEEN 1 AND 5),
  published_at timestamptz,
  decided_at timestamptz NOT NULL,
  -- A staff id or a job name; never a person's name.
  actor_type text NOT NULL CHECK (actor_type IN ('staff', 'api_key', 'job', 'system', 'subject')),
  actor_id text,
  unpublish_reason text CHECK (unpublish_reason IN ('staff', 'consent_withdrawn')),
  -- Set when the author withdrew the publication consent: never published again.
  consent_withdrawn_at timestamptz,
  CONSTRAINT reviews_published_copy CHECK (
    (state = 'published') = (text_enc IS NOT NULL AND published_at IS NOT NULL AND consent_id IS NOT NULL
      AND review_show IS NOT NULL)
  ),
  CONSTRAINT reviews_copy_only_published CHECK (state = 'published' OR (author_enc IS NULL AND text_enc IS NULL)),
  CONSTRAINT reviews_withdrawn_unpublished CHECK (state <> 'published' OR consent_withdrawn_at IS NULL),
  CONSTRAINT reviews_unpublish_reason CHECK ((unpublish_reason IS NOT NULL) = (state = 'unpublished'))
);
-- The public page: one operator's published reviews, newest first.
CREATE INDEX reviews_published ON reviews (operator_id, published_at DESC, inquiry_id) WHERE state = 'published';
CREATE INDEX reviews_subject ON reviews (subject_id);
CREATE INDEX reviews_consent ON reviews (consent_id) WHERE consent_id IS NOT NULL;
CALL app_enable_tenant_rls('reviews');

-- The moderation queue reads an operator's review inquiries, newest first, without scanning the
-- rest of its inbox.
CREATE INDEX inquiries_reviews ON inquiries (operator_id, created_at DESC, id) WHERE form_id = 'review';

-- Merges: which subject was merged into which, by whom, when. Ids only. A merged subject's row is
-- gone (everything it had now belongs to the kept one) and so is its data key; this record is what
-- tells its id apart from an unknown one, and joins its audit history to the kept subject's.
CREATE TABLE subject_merges (
  merged_subject_id uuid PRIMARY KEY,
  kept_subject_id uuid NOT NULL,
  operator_id uuid NOT NULL REFERENCES operators (id),
  actor_type text NOT NULL,
  actor_id text,
  merged_at timestamptz NOT NULL,
  CHECK (merged_subject_id <> kept_subject_id)
);
CREATE INDEX subject_merges_kept ON subject_merges (kept_subject_id);
CALL app_enable_tenant_rls('subject_merges');
REVOKE UPDATE ON subject_merges FROM soglasie_app;

-- The consent log and the inquiry history are evidence the app may not rewrite (0006, 0011). A
-- merge must still move the merged subject's consent records to the kept subject and re-seal the
-- ciphertext in them (a representative, a note) under the kept subject's key. This function is the
-- one way to do that: it runs as the tables' owner, within the caller's tenant scope, and changes
-- nothing but `subject_id` and the sealed column, for ALL such rows of the merged subject or none
-- (the ciphertext is sealed by the app, which holds the keys). The associated data of each value is
-- its row's id, so a re-sealed value still belongs to exactly its row.
CREATE FUNCTION subject_merge_rekey_evidence(
  p_operator uuid, p_merged uuid, p_kept uuid,
  p_consent_ids uuid[], p_consent_reps bytea[], p_consent_evidence bytea[],
  p_event_ids uuid[], p_event_notes bytea[]
) RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  n integer;
BEGIN
  IF NOT (app_scope_all() OR p_operator = ANY (app_scope())) THEN
    RAISE EXCEPTION 'subject merge outside the transaction''s tenant scope' USING ERRCODE = '42501';
  END IF;
  IF p_merged = p_kept THEN
    RAISE EXCEPTION 'a subject cannot be merged into itself' USING ERRCODE = '22023';
  END IF;
  -- Both are the operator's, and the merged one is locked by this transaction's merge.
  PERFORM 1 FROM subjects WHERE id = p_kept AND operator_id = p_operator;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'the kept subject is not the operator''s' USING ERRCODE = 'P0002';
  END IF;
  PERFORM 1 FROM subjects WHERE id = p_merged AND operator_id = p_operator FOR UPDATE;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'the merged subject is not the operator''s' USING ERRCODE = 'P0002';
  END IF;
  IF cardinality(p_consent_ids) IS DISTINCT FROM cardinality(p_consent_reps)
     OR cardinality(p_consent_ids) IS DISTINCT FROM cardinality(p_consent_evidence)
     OR cardinality(p_event_ids) IS DISTINCT FROM cardinality(p_event_notes) THEN
    RAISE EXCEPTION 'ids and values do not pair up' USING ERRCODE = '22023';
  END IF;

  UPDATE consent_records c SET subject_id = p_kept, representative_enc = v.rep, evidence_enc = v.evidence
  FROM unnest(p_consent_ids, p_consent_reps, p_consent_evidence) AS v (id, rep, evidence)
  WHERE c.id = v.id AND c.subject_id = p_merged AND c.operator_id = p_operator
    AND (c.representative_enc IS NULL) = (v.rep IS NULL) AND (c.evidence_enc IS NULL) = (v.evidence IS NULL);
  GET DIAGNOSTICS n = ROW_COUNT;
  IF n <> coalesce(cardinality(p_consent_ids), 0)
     OR EXISTS (SELECT 1 FROM consent_records WHERE subject_id = p_merged) THEN
    RAISE EXCEPTION 'subject merge: the consent records do not match' USING ERRCODE = 'P0001';
  END IF;

  UPDATE inquiry_events e SET note_enc = v.note
  FROM unnest(p_event_ids, p_event_notes) AS v (id, note), inquiries i
  WHERE e.id = v.id AND v.note IS NOT NULL AND e.note_enc IS NOT NULL AND e.operator_id = p_operator
    AND i.id = e.inquiry_id AND i.subject_id = p_merged;
  GET DIAGNOSTICS n = ROW_COUNT;
  IF n <> coalesce(cardinality(p_event_ids), 0)
     OR EXISTS (
       SELECT 1 FROM inquiry_events e JOIN inquiries i ON i.id = e.inquiry_id
       WHERE i.subject_id = p_merged AND e.note_enc IS NOT NULL AND NOT (e.id = ANY (p_event_ids))
     ) THEN
    RAISE EXCEPTION 'subject merge: the history does not match' USING ERRCODE = 'P0001';
  END IF;
END $$;
REVOKE ALL ON FUNCTION subject_merge_rekey_evidence(uuid, uuid, uuid, uuid[], bytea[], bytea[], uuid[], bytea[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION subject_merge_rekey_evidence(uuid, uuid, uuid, uuid[], bytea[], bytea[], uuid[], bytea[]) TO soglasie_app;

-- 0014's trigger refuses every UPDATE of a withdrawn consent record, which would make a patient
-- with a withdrawn consent impossible to merge. It now refuses what it is for: changing or clearing
-- a withdrawal. For the app role nothing changes (it may UPDATE the withdrawal columns only, 0014's
-- column grant); the merge's function above may move the record and re-seal its ciphertext.
CREATE OR REPLACE FUNCTION consent_withdrawal_once() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF OLD.withdrawn_at IS NOT NULL AND (NEW.withdrawn_at IS DISTINCT FROM OLD.withdrawn_at
      OR NEW.withdrawn_channel IS DISTINCT FROM OLD.withdrawn_channel) THEN
    RAISE EXCEPTION 'a consent withdrawal is not changed' USING ERRCODE = 'P0001';
  END IF;
  RETURN NEW;
END $$;
