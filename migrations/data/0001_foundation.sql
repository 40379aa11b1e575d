-- Foundation: the application role, tenant row-level security, operators and sites, staff and
-- sessions, data subjects, the hash-chained audit log, jobs and the outbox.

-- The app connects as (or switches to) soglasie_app: not a superuser, not the tables' owner, so
-- row-level security applies to it and the audit log's grants bind it.
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'soglasie_app') THEN
    CREATE ROLE soglasie_app NOLOGIN NOSUPERUSER NOBYPASSRLS;
  END IF;
  IF NOT pg_has_role(current_user, 'soglasie_app', 'MEMBER') THEN
    EXECUTE format('GRANT soglasie_app TO %I', current_user);
  END IF;
END $$;

GRANT USAGE ON SCHEMA public TO soglasie_app;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO soglasie_app;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO soglasie_app;

-- Tenant scope. A transaction sets `soglasie.scope` to a comma-separated list of operator ids, or
-- '*' for jobs that span the installation. Without a scope, touching a row of a personal-data
-- table raises, so an unscoped query fails loudly instead of leaking.
CREATE FUNCTION app_scope_all() RETURNS boolean LANGUAGE sql STABLE AS $$
  SELECT coalesce(current_setting('soglasie.scope', true), '') = '*'
$$;

CREATE FUNCTION app_scope() RETURNS uuid[] LANGUAGE plpgsql STABLE AS $$
DECLARE
  s text := current_setting('soglasie.scope', true);
BEGIN
  IF s IS NULL OR s = '' THEN
    RAISE EXCEPTION 'unscoped access to a table with personal data'
      USING ERRCODE = 'P0001', HINT = 'run it inside db.scoped(operatorIds, ...) or db.system(...)';
  END IF;
  IF s = '*' THEN
    RETURN NULL;
  END IF;
  RETURN string_to_array(s, ',')::uuid[];
END $$;

-- Every table that holds personal data calls this in its migration.
CREATE PROCEDURE app_enable_tenant_rls(tbl regclass) LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE format('ALTER TABLE %s ENABLE ROW LEVEL SECURITY', tbl);
  EXECUTE format(
    'CREATE POLICY tenant_scope ON %s USING ((SELECT app_scope_all()) OR operator_id = ANY ((SELECT app_scope())::uuid[])) '
    'WITH CHECK ((SELECT app_scope_all()) OR operator_id = ANY ((SELECT app_scope())::uuid[]))', tbl);
END $$;

-- Operators (the legal entities that process the data) and their sites.
CREATE TABLE operators (
  id uuid PRIMARY KEY,
  slug text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9][a-z0-9-]{1,62}$'),
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 500),
  short_name text,
  inn text NOT NULL CHECK (inn ~ '^\d{10}(\d{2})?$'),
  ogrn text NOT NULL CHECK (ogrn ~ '^\d{13}(\d{2})?$'),
  postal_address text NOT NULL,
  responsible_person text NOT NULL,
  requests_email text NOT NULL,
  requests_postal_address text NOT NULL,
  time_zone text NOT NULL DEFAULT 'Europe/Moscow',
  require_mfa boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL
);

CREATE TABLE sites (
  id uuid PRIMARY KEY,
  operator_id uuid NOT NULL REFERENCES operators (id) ON DELETE CASCADE,
  domain text NOT NULL UNIQUE CHECK (domain = lower(domain) AND domain ~ '^[a-z0-9.-]+(:\d+)?$'),
  title text NOT NULL,
  created_at timestamptz NOT NULL
);
CREATE INDEX sites_operator ON sites (operator_id);

-- Staff: personal accounts, roles per operator, server-side sessions, login throttling.
CREATE TABLE staff (
  id uuid PRIMARY KEY,
  email text NOT NULL,
  email_lower text GENERATED ALWAYS AS (lower(email)) STORED UNIQUE,
  display_name text NOT NULL,
  password_hash text NOT NULL,
  locale text NOT NULL DEFAULT 'ru' CHECK (locale IN ('ru', 'en')),
  -- Installation administrators manage operators and staff across the installation.
  is_installation_admin boolean NOT NULL DEFAULT false,
  totp_secret_enc bytea,
  totp_enabled_at timestamptz,
  totp_last_step bigint,
  disabled_at timestamptz,
  password_changed_at timestamptz NOT NULL,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL
);

CREATE TABLE staff_recovery_codes (
  staff_id uuid NOT NULL REFERENCES staff (id) ON DELETE CASCADE,
  code_hash bytea NOT NULL,
  used_at timestamptz,
  PRIMARY KEY (staff_id, code_hash)
);

CREATE TABLE staff_roles (
  staff_id uuid NOT NULL REFERENCES staff (id) ON DELETE CASCADE,
  operator_id uuid NOT NULL REFERENCES operators (id) ON DELETE CASCADE,
  role text NOT NULL CHECK (role IN ('agent', 'moderator', 'privacy_officer', 'administrator')),
  granted_at timestamptz NOT NULL,
  PRIMARY KEY (staff_id, operator_id, role)
);
CREATE INDEX staff_roles_operator ON staff_roles (operator_id);

CREATE TABLE sessions (
  -- SHA-256 of the cookie's token: a leaked table does not yield working cookies.
  id_hash bytea PRIMARY KEY,
  staff_id uuid NOT NULL REFERENCES staff (id) ON DELETE CASCADE,
  created_at timestamptz NOT NULL,
  last_seen_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  mfa_verified_at timestamptz,
  csrf_secret text NOT NULL,
  ip text,
  user_agent text
);
CREATE INDEX sessions_staff ON sessions (staff_id);
CREATE INDEX sessions_expires ON sessions (expires_at);

CREATE TABLE login_throttle (
  key text PRIMARY KEY,
  failures integer NOT NULL,
  window_started_at timestamptz NOT NULL,
  locked_until timestamptz
);

-- Data subjects. Personal-data fields are AES-256-GCM ciphertext under the subject's own data key
-- (kept in the keyring database); phone and e-mail also have keyed blind indexes for lookup.
CREATE TABLE subjects (
  id uuid PRIMARY KEY,
  operator_id uuid NOT NULL REFERENCES operators (id),
  name_enc bytea,
  phone_enc bytea,
  email_enc bytea,
  phone_bidx bytea,
  email_bidx bytea,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL
);
CREATE INDEX subjects_phone_bidx ON subjects (operator_id, phone_bidx) WHERE phone_bidx IS NOT NULL;
CREATE INDEX subjects_email_bidx ON subjects (operator_id, email_bidx) WHERE email_bidx IS NOT NULL;
CALL app_enable_tenant_rls('subjects');

-- Audit log: append-only and hash-chained. Holds ids, never personal data. The app role may read
-- it and append through audit_append() only; UPDATE, DELETE and TRUNCATE are rejected by triggers
-- for everyone, owner included.
CREATE TABLE audit_log (
  id bigint PRIMARY KEY,
  at timestamptz NOT NULL,
  actor_type text NOT NULL CHECK (actor_type IN ('staff', 'api_key', 'job', 'system', 'subject')),
  actor_id text,
  action text NOT NULL,
  object_type text,
  object_id text,
  subject_id uuid,
  operator_id uuid,
  source text,
  result text NOT NULL CHECK (result IN ('success', 'denied', 'failure')),
  prev_hash bytea NOT NULL,
  hash bytea NOT NULL
);
CREATE INDEX audit_log_subject ON audit_log (subject_id) WHERE subject_id IS NOT NULL;
CREATE INDEX audit_log_operator_at ON audit_log (operator_id, at);

CREATE TABLE audit_head (
  singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  last_id bigint NOT NULL,
  last_hash bytea NOT NULL
);
INSERT INTO audit_head VALUES (true, 0, decode(repeat('00', 32), 'hex'));

-- The canonical text of an entry: each field length-prefixed (octets), '-' for null, joined by '|'.
-- verify-audit recomputes exactly this in the application.
CREATE FUNCTION audit_canonical(
  p_id bigint, p_at_us bigint, p_actor_type text, p_actor_id text, p_action text, p_object_type text,
  p_object_id text, p_subject_id uuid, p_operator_id uuid, p_source text, p_result text
) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT string_agg(coalesce(octet_length(f)::text || ':' || f, '-'), '|' ORDER BY n)
  FROM unnest(ARRAY[
    p_id::text, p_at_us::text, p_actor_type, p_actor_id, p_action, p_object_type, p_object_id,
    p_subject_id::text, p_operator_id::text, p_source, p_result
  ]) WITH ORDINALITY AS t(f, n)
$$;

CREATE FUNCTION audit_append(
  p_at timestamptz, p_actor_type text, p_actor_id text, p_action text, p_object_type text,
  p_object_id text, p_subject_id uuid, p_operator_id uuid, p_source text, p_result text
) RETURNS bigint LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  v_id bigint;
  v_prev bytea;
  v_hash bytea;
BEGIN
  -- The head row's lock serialises appends, which keeps ids gapless and the chain linear.
  SELECT last_id + 1, last_hash INTO v_id, v_prev FROM audit_head WHERE singleton FOR UPDATE;
  v_hash := sha256(v_prev || convert_to(audit_canonical(
    v_id, (extract(epoch FROM p_at) * 1000000)::bigint, p_actor_type, p_actor_id, p_action,
    p_object_type, p_object_id, p_subject_id, p_operator_id, p_source, p_result), 'UTF8'));
  INSERT INTO audit_log VALUES (v_id, p_at, p_actor_type, p_actor_id, p_action, p_object_type,
    p_object_id, p_subject_id, p_operator_id, p_source, p_result, v_prev, v_hash);
  UPDATE audit_head SET last_id = v_id, last_hash = v_hash WHERE singleton;
  RETURN v_id;
END $$;

CREATE FUNCTION audit_reject_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only: % is not allowed', TG_OP USING ERRCODE = '42501';
END $$;
CREATE TRIGGER audit_log_no_update_delete BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION audit_reject_change();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION audit_reject_change();

REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON audit_log FROM soglasie_app;
REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON audit_head FROM soglasie_app;
REVOKE ALL ON FUNCTION audit_append(timestamptz, text, text, text, text, text, uuid, uuid, text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION audit_append(timestamptz, text, text, text, text, text, uuid, uuid, text, text) TO soglasie_app;

-- Jobs: claimed with FOR UPDATE SKIP LOCKED. Payloads hold ids only, never personal data.
CREATE TABLE jobs (
  id uuid PRIMARY KEY,
  kind text NOT NULL,
  payload jsonb NOT NULL DEFAULT '{}'::jsonb,
  run_at timestamptz NOT NULL,
  state text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'done', 'failed')),
  attempts integer NOT NULL DEFAULT 0,
  max_attempts integer NOT NULL DEFAULT 10,
  last_error text,
  dedupe_key text UNIQUE,
  created_at timestamptz NOT NULL,
  finished_at timestamptz
);
CREATE INDEX jobs_due ON jobs (run_at) WHERE state = 'pending';

-- Outbox: messages to patients and integrators, written in the same transaction as the change
-- that causes them. The recipient and content are ciphertext under the subject's key.
CREATE TABLE outbox (
  id uuid PRIMARY KEY,
  operator_id uuid NOT NULL REFERENCES operators (id),
  subject_id uuid REFERENCES subjects (id) ON DELETE CASCADE,
  channel text NOT NULL,
  template text NOT NULL,
  payload_enc bytea,
  state text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sent', 'failed', 'cancelled')),
  attempts integer NOT NULL DEFAULT 0,
  next_attempt_at timestamptz NOT NULL,
  last_error text,
  created_at timestamptz NOT NULL,
  sent_at timestamptz
);
CREATE INDEX outbox_due ON outbox (next_attempt_at) WHERE state = 'pending';
CALL app_enable_tenant_rls('outbox');
