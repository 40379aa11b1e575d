-- Intake: inquiries from the site's forms, the widget and the API; the consent log; idempotency;
-- anti-spam counters and the per-address rate limit; API keys.

-- An inquiry. Everything the patient typed is one AES-256-GCM blob under the subject's data key
-- (AAD `inquiry:<id>:fields`), so destroying the subject makes it unreadable and, by the cascade,
-- removes the row. The number is what the patient is told ("заявка № 123"): a global sequence, so
-- that concurrent intakes of one clinic do not queue on a counter row.
CREATE TABLE inquiries (
  id uuid PRIMARY KEY,
  number bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
  operator_id uuid NOT NULL REFERENCES operators (id),
  site_id uuid REFERENCES sites (id) ON DELETE SET NULL,
  subject_id uuid NOT NULL REFERENCES subjects (id) ON DELETE CASCADE,
  form_id text NOT NULL CHECK (form_id IN ('callback', 'feedback', 'review', 'appointment', 'estimate')),
  channel text NOT NULL CHECK (channel IN ('web_form', 'widget', 'api')),
  page text CHECK (length(page) <= 2000),
  status text NOT NULL DEFAULT 'new',
  fields_enc bytea NOT NULL,
  -- Free text that may describe symptoms or a doctor (COMPLIANCE A8): stricter access later.
  possible_health_data boolean NOT NULL,
  -- Submitted for another person (A7, A11): that person is to be informed.
  on_behalf boolean NOT NULL,
  created_at timestamptz NOT NULL
);
CREATE INDEX inquiries_operator_created ON inquiries (operator_id, created_at);
CREATE INDEX inquiries_subject ON inquiries (subject_id);
CALL app_enable_tenant_rls('inquiries');

-- The consent log (COMPLIANCE A5): who consented to what text, when, where and how. Append-only:
-- a withdrawal will be a new row, never an UPDATE. The representative (A7) is ciphertext under the
-- subject's key (AAD `consent:<id>:representative`, JSON of name and relation).
CREATE TABLE consent_records (
  id uuid PRIMARY KEY,
  operator_id uuid NOT NULL REFERENCES operators (id),
  subject_id uuid NOT NULL REFERENCES subjects (id) ON DELETE CASCADE,
  inquiry_id uuid REFERENCES inquiries (id) ON DELETE CASCADE,
  kind text NOT NULL CHECK (kind IN ('processing', 'marketing', 'review_publication')),
  document_id uuid NOT NULL,
  document_version integer NOT NULL,
  document_sha256 text NOT NULL CHECK (document_sha256 ~ '^[0-9a-f]{64}$'),
  policy_version integer NOT NULL,
  given_at timestamptz NOT NULL,
  channel text NOT NULL,
  form_id text,
  ip text,
  user_agent text CHECK (length(user_agent) <= 1000),
  representative_enc bytea,
  review_show text CHECK (review_show IN ('first_name_initial', 'first_name', 'anonymous')),
  CHECK ((kind = 'review_publication') = (review_show IS NOT NULL))
);
CREATE INDEX consent_records_subject ON consent_records (subject_id, given_at);
CREATE INDEX consent_records_inquiry ON consent_records (inquiry_id);
CALL app_enable_tenant_rls('consent_records');
-- Evidence is not rewritten. Rows leave only with their subject (the cascade of a destruction).
REVOKE UPDATE, DELETE, TRUNCATE ON consent_records FROM soglasie_app;

-- One inquiry per idempotency key (the form token's, or the API client's). The unique constraint is
-- what makes concurrent duplicates safe: the second insert waits for the first transaction and then
-- finds its row. The inquiry's row is written later in the same transaction, hence deferred.
CREATE TABLE intake_idempotency (
  operator_id uuid NOT NULL REFERENCES operators (id),
  key text NOT NULL CHECK (length(key) BETWEEN 8 AND 200),
  inquiry_id uuid NOT NULL REFERENCES inquiries (id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
  created_at timestamptz NOT NULL,
  PRIMARY KEY (operator_id, key)
);
CREATE INDEX intake_idempotency_inquiry ON intake_idempotency (inquiry_id);
CALL app_enable_tenant_rls('intake_idempotency');

-- Refused spam per operator, day and reason: counted, never stored.
CREATE TABLE spam_counters (
  operator_id uuid NOT NULL REFERENCES operators (id) ON DELETE CASCADE,
  day date NOT NULL,
  reason text NOT NULL CHECK (reason IN ('honeypot', 'too_fast', 'rate_limited')),
  count integer NOT NULL,
  PRIMARY KEY (operator_id, day, reason)
);

-- Submissions per address in fixed windows. The address is an HMAC under a named key, not the IP
-- itself. In the database rather than in memory so that several app instances share one limit and
-- a restart does not reset it; old windows are cheap to sweep (one DELETE by window_start).
CREATE TABLE intake_rate (
  operator_id uuid NOT NULL REFERENCES operators (id) ON DELETE CASCADE,
  address_hmac bytea NOT NULL,
  window_start timestamptz NOT NULL,
  count integer NOT NULL,
  PRIMARY KEY (operator_id, address_hmac, window_start)
);
CREATE INDEX intake_rate_window ON intake_rate (window_start);

-- API keys per operator: only the SHA-256 of the key is kept; the prefix finds the row.
CREATE TABLE api_keys (
  id uuid PRIMARY KEY,
  operator_id uuid NOT NULL REFERENCES operators (id) ON DELETE CASCADE,
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  prefix text NOT NULL UNIQUE CHECK (prefix ~ '^[a-z0-9]{8,16}$'),
  secret_sha256 bytea NOT NULL,
  scopes text[] NOT NULL,
  created_at timestamptz NOT NULL,
  last_used_at timestamptz,
  revoked_at timestamptz
);
CREATE INDEX api_keys_operator ON api_keys (operator_id);
