/**
 * Rows of the policy tables: the draft per operator, publications, document versions and which
 * versions each publication put in force. Published rows are only ever inserted.
 */
import type { Tx } from '../../platform/db/database.ts';
import type { DocumentKind, DocumentLang } from './declaration.schemas.ts';

export interface DraftRow {
  operator_id: string;
  declaration: unknown;
  updated_at: Date;
  updated_by: string;
}

export interface PublicationRow {
  id: string;
  operator_id: string;
  version: number;
  declaration: unknown;
  published_at: Date;
  published_by: string;
}

export interface DocumentRow {
  id: string;
  operator_id: string;
  publication_id: string;
  kind: DocumentKind;
  lang: DocumentLang;
  version: number;
  sha256: string;
  body_text: string;
  body_html: string;
  published_at: Date;
}

const DOC_COLUMNS =
  'd.id, d.operator_id, d.publication_id, d.kind, d.lang, d.version, d.sha256, d.body_text, d.body_html, d.published_at';

export const policyRepository = {
  async findDraft(tx: Tx, operatorId: string, lock = false): Promise<DraftRow | undefined> {
    const r = await tx.query<DraftRow>(
      `SELECT operator_id, declaration, updated_at, updated_by FROM policy_drafts WHERE operator_id = $1${lock ? ' FOR UPDATE' : ''}`,
      [operatorId],
    );
    return r.rows[0];
  },

  async upsertDraft(tx: Tx, operatorId: string, declaration: unknown, at: Date, by: string): Promise<void> {
    await tx.query(
      `INSERT INTO policy_drafts (operator_id, declaration, updated_at, updated_by) VALUES ($1, $2, $3, $4)
       ON CONFLICT (operator_id) DO UPDATE SET declaration = EXCLUDED.declaration,
         updated_at = EXCLUDED.updated_at, updated_by = EXCLUDED.updated_by`,
      [operatorId, JSON.stringify(declaration), at, by],
    );
  },

  async latestPublication(tx: Tx, operatorId: string): Promise<PublicationRow | undefined> {
    const r = await tx.query<PublicationRow>(
      `SELECT id, operator_id, version, declaration, published_at, published_by FROM policy_publications
       WHERE operator_id = $1 ORDER BY version DESC LIMIT 1`,
      [operatorId],
    );
    return r.rows[0];
  },

  async publications(tx: Tx, operatorId: string): Promise<PublicationRow[]> {
    const r = await tx.query<PublicationRow>(
      `SELECT id, operator_id, version, declaration, published_at, published_by FROM policy_publications
       WHERE operator_id = $1 ORDER BY version DESC`,
      [operatorId],
    );
    return r.rows;
  },

  async insertPublication(tx: Tx, row: PublicationRow): Promise<void> {
    await tx.query(
      `INSERT INTO policy_publications (id, operator_id, version, declaration, published_at, published_by)
       VALUES ($1, $2, $3, $4, $5, $6)`,
      [
        row.id,
        row.operator_id,
        row.version,
        JSON.stringify(row.declaration),
        row.published_at,
        row.published_by,
      ],
    );
  },

  async insertDocument(tx: Tx, row: DocumentRow): Promise<void> {
    await tx.query(
      `INSERT INTO published_documents (id, operator_id, publication_id, kind, lang, version, sha256, body_text, body_html, published_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
      [
        row.id,
        row.operator_id,
        row.publication_id,
        row.kind,
        row.lang,
        row.version,
        row.sha256,
        row.body_text,
        row.body_html,
        row.published_at,
      ],
    );
  },

  async linkDocument(
    tx: Tx,
    publicationId: string,
    kind: DocumentKind,
    lang: DocumentLang,
    documentId: string,
  ): Promise<void> {
    await tx.query(
      `INSERT INTO policy_publication_documents (publication_id, kind, lang, document_id) VALUES ($1, $2, $3, $4)`,
      [publicationId, kind, lang, documentId],
    );
  },

  /** The documents a publication put in force, in every language it has them in. */
  async documentsOf(tx: Tx, publicationId: string): Promise<DocumentRow[]> {
    const r = await tx.query<DocumentRow>(
      `SELECT ${DOC_COLUMNS} FROM policy_publication_documents l
       JOIN published_documents d ON d.id = l.document_id WHERE l.publication_id = $1`,
      [publicationId],
    );
    return r.rows;
  },

  async documentVersion(
    tx: Tx,
    operatorId: string,
    kind: DocumentKind,
    version: number,
    lang: DocumentLang,
  ): Promise<DocumentRow | undefined> {
    const r = await tx.query<DocumentRow>(
      `SELECT ${DOC_COLUMNS} FROM published_documents d
       WHERE d.operator_id = $1 AND d.kind = $2 AND d.lang = $3 AND d.version = $4`,
      [operatorId, kind, lang, version],
    );
    return r.rows[0];
  },

  /** Every version of a document, newest first. */
  async documentVersions(
    tx: Tx,
    operatorId: string,
    kind: DocumentKind,
    lang: DocumentLang,
  ): Promise<DocumentRow[]> {
    const r = await tx.query<DocumentRow>(
      `SELECT ${DOC_COLUMNS} FROM published_documents d
       WHERE d.operator_id = $1 AND d.kind = $2 AND d.lang = $3 ORDER BY d.version DESC`,
      [operatorId, kind, lang],
    );
    return r.rows;
  },
};
