-- The keyring: every data subject's data key and the installation's named keys, each wrapped by the
-- master key (AES-256-GCM). It lives apart from the data so that the data's backups never carry
-- the keys; destroying a subject deletes its row here (crypto-shredding).
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

CREATE TABLE data_keys (
  subject_id uuid PRIMARY KEY,
  operator_id uuid NOT NULL,
  wrapped bytea NOT NULL,
  master_key_id text NOT NULL,
  created_at timestamptz NOT NULL,
  rewrapped_at timestamptz
);
CREATE INDEX data_keys_master ON data_keys (master_key_id);

-- Keys that are not a subject's: per-operator blind-index keys, the staff secrets key.
CREATE TABLE named_keys (
  name text PRIMARY KEY,
  wrapped bytea NOT NULL,
  master_key_id text NOT NULL,
  created_at timestamptz NOT NULL,
  rewrapped_at timestamptz
);
CREATE INDEX named_keys_master ON named_keys (master_key_id);
