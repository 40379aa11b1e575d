-- Working an inquiry: its status, who it is assigned to, and its history (status changes, notes,
-- assignments). The intake's statements are unchanged: the column defaults cover new rows.

-- 0006 made `status` with a default but no rule; every row so far is 'new'.
ALTER TABLE inquiries
  ADD CONSTRAINT inquiries_status_check CHECK (status IN (
    'new', 'in_progress', 'waiting_patient', 'appointment_made', 'done', 'rejected', 'spam'
  )),
  -- NULL until the first change: the inquiry has had its status since created_at.
  ADD COLUMN status_changed_at timestamptz,
  -- Staff are disabled, never deleted; SET NULL only keeps a hand-run DELETE from failing here.
  ADD COLUMN assignee_staff_id uuid REFERENCES staff (id) ON DELETE SET NULL;

-- The inbox: newest first (created_at, id: the keyset) within the operators in scope, filtered by
-- status or by assignee. The intake's (operator_id, created_at) index serves the unfiltered list.
CREATE INDEX inquiries_operator_status_created ON inquiries (operator_id, status, created_at, id);
CREATE INDEX inquiries_operator_assignee_created ON inquiries (operator_id, assignee_staff_id, created_at, id)
  WHERE assignee_staff_id IS NOT NULL;

-- The history of an inquiry. Status codes and ids only, except a note: free text that may describe
-- the patient's health, so it is AES-256-GCM ciphertext under the subject's data key (AAD
-- `inquiry_event:<id>:note`) and is shredded with the subject. The reason for rejected and spam is
-- a code from a fixed list, never free text, so that it can stay in clear (details go in a note).
-- `seq` orders events that share a timestamp.
CREATE TABLE inquiry_events (
  id uuid PRIMARY KEY,
  seq bigint GENERATED ALWAYS AS IDENTITY,
  operator_id uuid NOT NULL REFERENCES operators (id),
  inquiry_id uuid NOT NULL REFERENCES inquiries (id) ON DELETE CASCADE,
  at timestamptz NOT NULL,
  kind text NOT NULL CHECK (kind IN ('status', 'note', 'assign')),
  from_status text,
  to_status text,
  reason text CHECK (reason IN (
    'duplicate', 'service_not_provided', 'patient_declined', 'unreachable', 'wrong_contact',
    'advertising', 'abuse', 'test_submission', 'other'
  )),
  note_enc bytea,
  -- For kind 'assign': the new assignee (NULL: the inquiry was unassigned).
  assignee_staff_id uuid REFERENCES staff (id) ON DELETE SET NULL,
  actor_type text NOT NULL CHECK (actor_type IN ('staff', 'api_key', 'job', 'system', 'subject')),
  -- A staff id, API key id or job name; never a person's name.
  actor_id text,
  CHECK ((kind = 'status') = (from_status IS NOT NULL AND to_status IS NOT NULL)),
  CHECK ((kind = 'note') = (note_enc IS NOT NULL)),
  CHECK (kind = 'assign' OR assignee_staff_id IS NULL),
  CHECK ((reason IS NOT NULL) = (kind = 'status' AND to_status IN ('rejected', 'spam')))
);
CREATE INDEX inquiry_events_inquiry_at ON inquiry_events (inquiry_id, at, seq);
CALL app_enable_tenant_rls('inquiry_events');
-- History is evidence: rows leave only with their inquiry (the cascade of a destruction).
REVOKE UPDATE, DELETE, TRUNCATE ON inquiry_events FROM soglasie_app;
