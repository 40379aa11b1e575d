-- Messages to the patient (issue 4, part 3): each operator's notification settings and template
-- overrides, quiet hours on outgoing messages, the withdrawal of a marketing consent, and the
-- one-click unsubscribe links of marketing messages.

-- Per operator, what the status notices do. No row: the defaults (quiet hours 21:00-09:00 on the
-- clinic's wall clock, no SMS notices, no clinic phone). Settings, not personal data: no RLS; the
-- notifications service checks `notification.manage` before every read and write.
CREATE TABLE notification_settings (
  operator_id uuid PRIMARY KEY REFERENCES operators (id) ON DELETE CASCADE,
  -- Quiet hours as minutes after local midnight, [start, end); a window may cross midnight.
  -- Both NULL: no quiet hours at all.
  quiet_start smallint CHECK (quiet_start BETWEEN 0 AND 1439),
  quiet_end smallint CHECK (quiet_end BETWEEN 0 AND 1439),
  -- SMS costs money per message: sending status notices to the phone given on a form is opt-in.
  sms_notices boolean NOT NULL DEFAULT false,
  -- The clinic's phone as the messages print it ({clinic_phone}).
  clinic_phone text CHECK (length(clinic_phone) BETWEEN 1 AND 60),
  updated_at timestamptz NOT NULL,
  CHECK ((quiet_start IS NULL) = (quiet_end IS NULL)),
  CHECK (quiet_start IS NULL OR quiet_start <> quiet_end)
);

-- An operator's own wording or switch for one status and one channel family ('email': subject and
-- text; 'short': SMS and messengers). No row: the default text, switched on. A NULL subject or
-- body keeps the default for that part. Texts hold placeholders only, never patient data.
CREATE TABLE notification_templates (
  operator_id uuid NOT NULL REFERENCES operators (id) ON DELETE CASCADE,
  status text NOT NULL CHECK (status IN ('in_progress', 'waiting_patient', 'appointment_made', 'done', 'rejected')),
  family text NOT NULL CHECK (family IN ('email', 'short')),
  enabled boolean NOT NULL,
  subject text CHECK (length(subject) BETWEEN 1 AND 200),
  body text CHECK (length(body) BETWEEN 1 AND 4000),
  updated_at timestamptz NOT NULL,
  PRIMARY KEY (operator_id, status, family),
  CHECK (family = 'email' OR subject IS NULL)
);

-- Messages bound by quiet hours (status notices, marketing): the dispatcher never sends them, nor
-- schedules their retries, inside the operator's quiet hours. Replies an agent writes in a
-- conversation are not bound (false).
ALTER TABLE outbox ADD COLUMN quiet_hours boolean NOT NULL DEFAULT false;

-- Withdrawing a consent (COMPLIANCE A6, A12). The record stays as the evidence it is; only these two
-- columns may be set, once (the app role gets UPDATE on them alone, and the trigger refuses to
-- change or clear a withdrawal).
ALTER TABLE consent_records
  ADD COLUMN withdrawn_at timestamptz,
  ADD COLUMN withdrawn_channel text CHECK (withdrawn_channel ~ '^[a-z][a-z_]{0,31}$'),
  ADD CONSTRAINT consent_records_withdrawn_pair CHECK ((withdrawn_at IS NULL) = (withdrawn_channel IS NULL));
GRANT UPDATE (withdrawn_at, withdrawn_channel) ON consent_records TO soglasie_app;

CREATE FUNCTION consent_withdrawal_once() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF OLD.withdrawn_at IS NOT NULL THEN
    RAISE EXCEPTION 'a consent withdrawal is not changed' USING ERRCODE = 'P0001';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER consent_withdrawal_once BEFORE UPDATE ON consent_records
  FOR EACH ROW EXECUTE FUNCTION consent_withdrawal_once();

-- Live marketing consents of an operator (the marketing send's filter).
CREATE INDEX consent_records_marketing_live ON consent_records (operator_id, subject_id)
  WHERE kind = 'marketing' AND withdrawn_at IS NULL;

-- One-click unsubscribe links (RFC 8058): each marketing message carries a random token; only its
-- SHA-256 is kept. The URL holds the token alone, never an id or an address.
CREATE TABLE unsubscribe_tokens (
  token_sha256 bytea PRIMARY KEY CHECK (length(token_sha256) = 32),
  operator_id uuid NOT NULL REFERENCES operators (id),
  subject_id uuid NOT NULL REFERENCES subjects (id) ON DELETE CASCADE,
  created_at timestamptz NOT NULL,
  used_at timestamptz
);
CREATE INDEX unsubscribe_tokens_subject ON unsubscribe_tokens (subject_id);
CALL app_enable_tenant_rls('unsubscribe_tokens');

-- The public link arrives without any session: this tells it which operator's scope to open for a
-- token, and nothing else, so the request never needs the installation-wide scope.
CREATE FUNCTION unsubscribe_token_operator(hash bytea) RETURNS uuid
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
  SELECT operator_id FROM unsubscribe_tokens WHERE token_sha256 = hash
$$;
REVOKE ALL ON FUNCTION unsubscribe_token_operator(bytea) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION unsubscribe_token_operator(bytea) TO soglasie_app;
