-- Issue 9, authentication and tenancy.

-- The keyed hash (HMAC-SHA256 under the keyring's `intake-request` key) of the request that took
-- an idempotency key: the same key with a different request is refused, not answered with the
-- first inquiry. Null for keys taken before this migration (those answer as before).
ALTER TABLE intake_idempotency ADD COLUMN request_hash bytea;

-- Staff join an operator by an invitation they accept (installation administrators may still
-- grant roles directly). The link carries a random token; only its SHA-256 is stored. The e-mail
-- is the invitee's, as on their account; the invitation is accepted by the account with that
-- e-mail, or makes it.
CREATE TABLE staff_invitations (
  id uuid PRIMARY KEY,
  token_hash bytea NOT NULL UNIQUE,
  operator_id uuid NOT NULL REFERENCES operators (id) ON DELETE CASCADE,
  role text NOT NULL CHECK (role IN ('agent', 'moderator', 'privacy_officer', 'administrator')),
  email_lower text NOT NULL,
  display_name text NOT NULL,
  invited_by uuid REFERENCES staff (id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  accepted_at timestamptz,
  accepted_by uuid REFERENCES staff (id) ON DELETE SET NULL
);
CREATE INDEX staff_invitations_operator ON staff_invitations (operator_id);
