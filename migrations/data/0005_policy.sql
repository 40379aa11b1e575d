-- Policy as code: one editable draft declaration per operator, and immutable published versions.
-- None of these tables holds patients' personal data (declarations describe processing; the
-- documents are public), so they have no row-level security; the service scopes by operator.

CREATE TABLE policy_drafts (
  operator_id uuid PRIMARY KEY REFERENCES operators (id) ON DELETE CASCADE,
  declaration jsonb NOT NULL,
  updated_at timestamptz NOT NULL,
  -- The actor's id (a staff id, or a job or command name); never a person's name.
  updated_by text NOT NULL
);

-- One row per publish: the declaration exactly as it was published and its running number.
CREATE TABLE policy_publications (
  id uuid PRIMARY KEY,
  operator_id uuid NOT NULL REFERENCES operators (id),
  version integer NOT NULL CHECK (version >= 1),
  declaration jsonb NOT NULL,
  published_at timestamptz NOT NULL,
  published_by text NOT NULL,
  UNIQUE (operator_id, version)
);

-- One row per version of a document: a publish adds a row only for the documents whose rendered
-- text changed, so a document's version moves only when its text does. `sha256` is the hex digest
-- of `body_text` (UTF-8); it is what consent records cite.
CREATE TABLE published_documents (
  id uuid PRIMARY KEY,
  operator_id uuid NOT NULL REFERENCES operators (id),
  publication_id uuid NOT NULL REFERENCES policy_publications (id),
  kind text NOT NULL CHECK (kind IN (
    'privacy_policy', 'consent_processing', 'consent_marketing', 'consent_review_publication',
    'cookie_notice'
  )),
  lang text NOT NULL CHECK (lang IN ('ru', 'en')),
  version integer NOT NULL CHECK (version >= 1),
  sha256 text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
  body_text text NOT NULL,
  body_html text NOT NULL,
  published_at timestamptz NOT NULL,
  UNIQUE (operator_id, kind, lang, version)
);
CREATE INDEX published_documents_publication ON published_documents (publication_id);

-- Which version of each document a publication put in force (unchanged documents point at the
-- version an earlier publication created).
CREATE TABLE policy_publication_documents (
  publication_id uuid NOT NULL REFERENCES policy_publications (id),
  kind text NOT NULL,
  lang text NOT NULL,
  document_id uuid NOT NULL REFERENCES published_documents (id),
  PRIMARY KEY (publication_id, kind, lang)
);

-- Published versions are evidence of what a subject was shown when consenting: like the audit
-- log, they can be added but never changed or removed, by the app or anyone else short of
-- dropping the trigger.
CREATE FUNCTION policy_reject_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% is immutable: % is not allowed', TG_TABLE_NAME, TG_OP USING ERRCODE = '42501';
END $$;

CREATE TRIGGER policy_publications_immutable BEFORE UPDATE OR DELETE ON policy_publications
  FOR EACH ROW EXECUTE FUNCTION policy_reject_change();
CREATE TRIGGER policy_publications_no_truncate BEFORE TRUNCATE ON policy_publications
  FOR EACH STATEMENT EXECUTE FUNCTION policy_reject_change();
CREATE TRIGGER published_documents_immutable BEFORE UPDATE OR DELETE ON published_documents
  FOR EACH ROW EXECUTE FUNCTION policy_reject_change();
CREATE TRIGGER published_documents_no_truncate BEFORE TRUNCATE ON published_documents
  FOR EACH STATEMENT EXECUTE FUNCTION policy_reject_change();
CREATE TRIGGER policy_publication_documents_immutable BEFORE UPDATE OR DELETE
  ON policy_publication_documents FOR EACH ROW EXECUTE FUNCTION policy_reject_change();
CREATE TRIGGER policy_publication_documents_no_truncate BEFORE TRUNCATE
  ON policy_publication_documents FOR EACH STATEMENT EXECUTE FUNCTION policy_reject_change();

REVOKE UPDATE, DELETE, TRUNCATE ON policy_publications FROM soglasie_app;
REVOKE UPDATE, DELETE, TRUNCATE ON published_documents FROM soglasie_app;
REVOKE UPDATE, DELETE, TRUNCATE ON policy_publication_documents FROM soglasie_app;
