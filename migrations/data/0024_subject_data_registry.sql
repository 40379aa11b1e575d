-- One registry of where a patient's data lives (issue 10, section 2): each module that stores rows
-- keyed to a subject moves, exports and destroys them itself. The consent log and the inquiry
-- history are evidence the app may not UPDATE or DELETE (0006, 0011), so their modules get one
-- function each for what a merge or a destruction must still do to them. 0016's single function,
-- which re-sealed both tables at once from the merge's side, goes.
DROP FUNCTION subject_merge_rekey_evidence(uuid, uuid, uuid, uuid[], bytea[], bytea[], uuid[], bytea[]);

-- Both subjects are the operator's and the merged one is locked by the caller's merge.
CREATE FUNCTION subject_merge_check(p_operator uuid, p_merged uuid, p_kept uuid)
RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
  IF NOT (app_scope_all() OR p_operator = ANY (app_scope())) THEN
    RAISE EXCEPTION 'subject merge outside the transaction''s tenant scope' USING ERRCODE = '42501';
  END IF;
  IF p_merged = p_kept THEN
    RAISE EXCEPTION 'a subject cannot be merged into itself' USING ERRCODE = '22023';
  END IF;
  PERFORM 1 FROM subjects WHERE id = p_kept AND operator_id = p_operator;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'the kept subject is not the operator''s' USING ERRCODE = 'P0002';
  END IF;
  PERFORM 1 FROM subjects WHERE id = p_merged AND operator_id = p_operator FOR UPDATE;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'the merged subject is not the operator''s' USING ERRCODE = 'P0002';
  END IF;
END $$;
REVOKE ALL ON FUNCTION subject_merge_check(uuid, uuid, uuid) FROM PUBLIC;

-- The consent module's half of a merge: ALL consent records of the merged subject move to the kept
-- one with their ciphertext re-sealed by the app, or none; nothing else of a record changes (a
-- withdrawal moves unchanged). Each value's associated data is its row's id, which stays.
CREATE FUNCTION consent_records_merge(
  p_operator uuid, p_merged uuid, p_kept uuid, p_ids uuid[], p_reps bytea[], p_evidence bytea[]
) RETURNS integer LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  n integer;
BEGIN
  PERFORM subject_merge_check(p_operator, p_merged, p_kept);
  IF cardinality(p_ids) IS DISTINCT FROM cardinality(p_reps)
     OR cardinality(p_ids) IS DISTINCT FROM cardinality(p_evidence) THEN
    RAISE EXCEPTION 'ids and values do not pair up' USING ERRCODE = '22023';
  END IF;
  UPDATE consent_records c SET subject_id = p_kept, representative_enc = v.rep, evidence_enc = v.evidence
  FROM unnest(p_ids, p_reps, p_evidence) AS v (id, rep, evidence)
  WHERE c.id = v.id AND c.subject_id = p_merged AND c.operator_id = p_operator
    AND (c.representative_enc IS NULL) = (v.rep IS NULL) AND (c.evidence_enc IS NULL) = (v.evidence IS NULL);
  GET DIAGNOSTICS n = ROW_COUNT;
  IF n <> coalesce(cardinality(p_ids), 0) OR EXISTS (SELECT 1 FROM consent_records WHERE subject_id = p_merged) THEN
    RAISE EXCEPTION 'subject merge: the consent records do not match' USING ERRCODE = 'P0001';
  END IF;
  RETURN n;
END $$;
REVOKE ALL ON FUNCTION consent_records_merge(uuid, uuid, uuid, uuid[], bytea[], bytea[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION consent_records_merge(uuid, uuid, uuid, uuid[], bytea[], bytea[]) TO soglasie_app;

-- The inquiries module's half: the sealed history of the merged subject's inquiries, re-sealed, all
-- or none, while the inquiries are still the merged subject's (the caller moves them after this).
CREATE FUNCTION inquiry_events_merge(
  p_operator uuid, p_merged uuid, p_kept uuid, p_ids uuid[], p_notes bytea[]
) RETURNS integer LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  n integer;
BEGIN
  PERFORM subject_merge_check(p_operator, p_merged, p_kept);
  IF cardinality(p_ids) IS DISTINCT FROM cardinality(p_notes) THEN
    RAISE EXCEPTION 'ids and values do not pair up' USING ERRCODE = '22023';
  END IF;
  UPDATE inquiry_events e SET note_enc = v.note
  FROM unnest(p_ids, p_notes) AS v (id, note), inquiries i
  WHERE e.id = v.id AND v.note IS NOT NULL AND e.note_enc IS NOT NULL AND e.operator_id = p_operator
    AND i.id = e.inquiry_id AND i.subject_id = p_merged;
  GET DIAGNOSTICS n = ROW_COUNT;
  IF n <> coalesce(cardinality(p_ids), 0)
     OR EXISTS (
       SELECT 1 FROM inquiry_events e JOIN inquiries i ON i.id = e.inquiry_id
       WHERE i.subject_id = p_merged AND e.note_enc IS NOT NULL AND NOT (e.id = ANY (p_ids))
     ) THEN
    RAISE EXCEPTION 'subject merge: the history does not match' USING ERRCODE = 'P0001';
  END IF;
  RETURN n;
END $$;
REVOKE ALL ON FUNCTION inquiry_events_merge(uuid, uuid, uuid, uuid[], bytea[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION inquiry_events_merge(uuid, uuid, uuid, uuid[], bytea[]) TO soglasie_app;

-- A destruction record gets its own id, so that what is kept of a destroyed patient refers to the
-- destruction, not to the patient's id.
ALTER TABLE subject_destructions ADD COLUMN id uuid NOT NULL DEFAULT gen_random_uuid();
ALTER TABLE subject_destructions ADD CONSTRAINT subject_destructions_id_key UNIQUE (id);

-- The proof that processing had a basis outlives the patient (issue 10, section 1): what was
-- consented to (document, version, SHA-256, purpose, when, through which channel, and a withdrawal),
-- without personal data: no subject id, no address, no browser, no representative. Kept as long as
-- the destruction record it belongs to (3 years) and removed with it. The id is the consent
-- record's, so the audit log's entries about that consent still find it.
CREATE TABLE consent_proofs (
  id uuid PRIMARY KEY,
  destruction_id uuid NOT NULL REFERENCES subject_destructions (id) ON DELETE CASCADE,
  operator_id uuid NOT NULL REFERENCES operators (id),
  kind text NOT NULL,
  document_id uuid NOT NULL,
  document_version integer NOT NULL,
  document_sha256 text NOT NULL CHECK (document_sha256 ~ '^[0-9a-f]{64}$'),
  policy_version integer NOT NULL,
  given_at timestamptz NOT NULL,
  channel text NOT NULL,
  form_id text,
  withdrawn_at timestamptz,
  withdrawn_channel text
);
CREATE INDEX consent_proofs_destruction ON consent_proofs (destruction_id);
CALL app_enable_tenant_rls('consent_proofs');
-- Evidence: written only by the function below, never rewritten; it leaves with its destruction.
REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON consent_proofs FROM soglasie_app;

-- The consent module's half of a destruction: the proof of each of the subject's consent records is
-- kept, then the records (and their ciphertext) go, in one step, and only for a subject whose
-- destruction is already on record: there is no way to delete a consent record and lose its proof.
CREATE FUNCTION consent_records_destroy(p_operator uuid, p_subject uuid)
RETURNS integer LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  v_destruction uuid;
  n integer;
BEGIN
  IF NOT (app_scope_all() OR p_operator = ANY (app_scope())) THEN
    RAISE EXCEPTION 'consent destruction outside the transaction''s tenant scope' USING ERRCODE = '42501';
  END IF;
  SELECT id INTO v_destruction FROM subject_destructions WHERE subject_id = p_subject AND operator_id = p_operator;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'consent records are destroyed only with their subject' USING ERRCODE = 'P0002';
  END IF;
  INSERT INTO consent_proofs (id, destruction_id, operator_id, kind, document_id, document_version,
    document_sha256, policy_version, given_at, channel, form_id, withdrawn_at, withdrawn_channel)
  SELECT id, v_destruction, operator_id, kind, document_id, document_version, document_sha256,
    policy_version, given_at, channel, form_id, withdrawn_at, withdrawn_channel
  FROM consent_records WHERE subject_id = p_subject AND operator_id = p_operator;
  DELETE FROM consent_records WHERE subject_id = p_subject AND operator_id = p_operator;
  GET DIAGNOSTICS n = ROW_COUNT;
  RETURN n;
END $$;
REVOKE ALL ON FUNCTION consent_records_destroy(uuid, uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION consent_records_destroy(uuid, uuid) TO soglasie_app;
