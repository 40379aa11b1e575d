-- What remains of a destroyed data subject: its id, the reason (a code), which categories of
-- personal data were destroyed, who did it and when. Never personal data. It lets a later read of
-- the subject answer "destroyed" (410) instead of "unknown", and it is the source for the act of
-- destruction and the log extract (RKN Order 179), which must be kept for 3 years.
CREATE TABLE subject_destructions (
  subject_id uuid PRIMARY KEY,
  operator_id uuid NOT NULL REFERENCES operators (id),
  reason text NOT NULL CHECK (reason IN (
    'subject_request', 'consent_withdrawn', 'purpose_achieved', 'retention_expired',
    'unlawful_processing', 'authority_order'
  )),
  categories text[] NOT NULL,
  actor_type text NOT NULL,
  actor_id text,
  destroyed_at timestamptz NOT NULL
);
CREATE INDEX subject_destructions_operator_at ON subject_destructions (operator_id, destroyed_at);
CALL app_enable_tenant_rls('subject_destructions');

-- A record of destruction is evidence: the app may add one and (after its 3 years) remove it, but
-- never rewrite it.
REVOKE UPDATE ON subject_destructions FROM soglasie_app;
