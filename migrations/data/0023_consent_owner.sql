-- Issue 10, one owner for consent: the consent module records a withdrawal as one operation, and
-- a consent record cites a document that was really published.

-- Who recorded a withdrawal and in what form the patient made it (COMPLIANCE A6): the actor's type
-- and id (a staff id, or the subject's own id when the patient used a link; never a name) and the
-- form of the patient's statement. Set together with withdrawn_at; NULL on withdrawals recorded
-- before this migration (by the unsubscribe link, filled in below).
ALTER TABLE consent_records
  ADD COLUMN withdrawn_by_type text CHECK (withdrawn_by_type IN ('staff', 'subject', 'api_key', 'job', 'system')),
  ADD COLUMN withdrawn_by_id text CHECK (length(withdrawn_by_id) <= 200),
  ADD COLUMN withdrawn_method text CHECK (withdrawn_method IN ('link', 'oral', 'written', 'electronic')),
  ADD CONSTRAINT consent_records_withdrawn_by CHECK (
    withdrawn_at IS NOT NULL OR (withdrawn_by_type IS NULL AND withdrawn_by_id IS NULL AND withdrawn_method IS NULL)
  );
GRANT UPDATE (withdrawn_by_type, withdrawn_by_id, withdrawn_method) ON consent_records TO soglasie_app;

-- Every withdrawal so far came through the one-click link, by the patient.
UPDATE consent_records SET withdrawn_by_type = 'subject', withdrawn_by_id = subject_id::text, withdrawn_method = 'link'
 WHERE withdrawn_channel = 'unsubscribe_link' AND withdrawn_by_type IS NULL;

-- A withdrawal, once recorded, is not changed: its who and how no more than its when and where.
CREATE OR REPLACE FUNCTION consent_withdrawal_once() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF OLD.withdrawn_at IS NOT NULL AND (NEW.withdrawn_at IS DISTINCT FROM OLD.withdrawn_at
      OR NEW.withdrawn_channel IS DISTINCT FROM OLD.withdrawn_channel
      OR (OLD.withdrawn_by_type IS NOT NULL AND (NEW.withdrawn_by_type IS DISTINCT FROM OLD.withdrawn_by_type
        OR NEW.withdrawn_by_id IS DISTINCT FROM OLD.withdrawn_by_id
        OR NEW.withdrawn_method IS DISTINCT FROM OLD.withdrawn_method))) THEN
    RAISE EXCEPTION 'a consent withdrawal is not changed' USING ERRCODE = 'P0001';
  END IF;
  RETURN NEW;
END $$;

-- A consent record cites the operator's own published document, in the version and with the hash
-- that document has: the record is evidence of what the patient was shown. (published_documents is
-- immutable, 0005, so the reference never dangles.)
ALTER TABLE published_documents
  ADD CONSTRAINT published_documents_citable UNIQUE (id, operator_id, version, sha256);
ALTER TABLE consent_records
  ADD CONSTRAINT consent_records_document FOREIGN KEY (document_id, operator_id, document_version, document_sha256)
    REFERENCES published_documents (id, operator_id, version, sha256);
