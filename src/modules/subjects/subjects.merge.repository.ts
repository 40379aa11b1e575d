/**
 * The rows a subject merge reads and rewrites. A merge has to reach every row that belongs to the
 * merged subject or holds ciphertext under its data key, whichever module owns the table: the
 * inquiries (fields, reply address), their history (notes, messages, call and consent details),
 * the consent log (representative, evidence), the outbox (payloads), the published reviews. The
 * consent log and the history are evidence the app may not UPDATE; they are re-sealed through the
 * `subject_merge_rekey_evidence` function of migration 0016. All calls run in one transaction
 * scoped to the operator.
 */
import type { Tx } from '../../platform/db/database.ts';
import type { SubjectRow } from './subjects.repository.ts';

export interface SealedRow {
  id: string;
  a: Buffer | null;
  b: Buffer | null;
}

export interface MergeRecord {
  merged_subject_id: string;
  kept_subject_id: string;
  operator_id: string;
  actor_type: string;
  actor_id: string | null;
  merged_at: Date;
}

/** A column that references subjects(id), found in the catalog. */
interface Reference {
  tbl: string;
  col: string;
  sealed: boolean;
}

/** The references the merge moves itself, re-sealing their rows' ciphertext. */
const HANDLED = new Set([
  'inquiries.subject_id',
  'consent_records.subject_id',
  'outbox.subject_id',
  'reviews.subject_id',
]);

export const mergeRepository = {
  /** Both subjects' rows, locked (in id order, so two merges of one pair cannot deadlock). */
  async lockPair(
    tx: Tx,
    operatorId: string,
    ids: readonly [string, string],
  ): Promise<Map<string, SubjectRow>> {
    const { rows } = await tx.query<SubjectRow>(
      `SELECT * FROM subjects WHERE operator_id = $1 AND id = ANY($2::uuid[]) ORDER BY id FOR UPDATE`,
      [operatorId, ids],
    );
    return new Map(rows.map((r) => [r.id, r]));
  },

  async findPair(
    tx: Tx,
    operatorId: string,
    ids: readonly [string, string],
  ): Promise<Map<string, SubjectRow>> {
    const { rows } = await tx.query<SubjectRow>(
      `SELECT * FROM subjects WHERE operator_id = $1 AND id = ANY($2::uuid[])`,
      [operatorId, ids],
    );
    return new Map(rows.map((r) => [r.id, r]));
  },

  /** The subject's inquiries, locked: no note or message can be added to them meanwhile. */
  async lockInquiries(tx: Tx, operatorId: string, subjectId: string): Promise<SealedRow[]> {
    const { rows } = await tx.query<SealedRow>(
      `SELECT id, fields_enc AS a, reply_to_enc AS b FROM inquiries
       WHERE operator_id = $1 AND subject_id = $2 ORDER BY created_at, id FOR UPDATE`,
      [operatorId, subjectId],
    );
    return rows;
  },

  /** History events of these inquiries that carry sealed text or details. */
  async sealedEvents(tx: Tx, operatorId: string, inquiryIds: readonly string[]): Promise<SealedRow[]> {
    if (inquiryIds.length === 0) return [];
    const { rows } = await tx.query<SealedRow>(
      `SELECT id, note_enc AS a, NULL::bytea AS b FROM inquiry_events
       WHERE operator_id = $1 AND inquiry_id = ANY($2::uuid[]) AND note_enc IS NOT NULL`,
      [operatorId, inquiryIds],
    );
    return rows;
  },

  async consents(tx: Tx, operatorId: string, subjectId: string): Promise<SealedRow[]> {
    const { rows } = await tx.query<SealedRow>(
      `SELECT id, representative_enc AS a, evidence_enc AS b FROM consent_records
       WHERE operator_id = $1 AND subject_id = $2`,
      [operatorId, subjectId],
    );
    return rows;
  },

  /** Queued and past messages, locked (a dispatcher skips them until the merge commits). */
  async lockOutbox(tx: Tx, operatorId: string, subjectId: string): Promise<SealedRow[]> {
    const { rows } = await tx.query<SealedRow>(
      `SELECT id, payload_enc AS a, NULL::bytea AS b FROM outbox
       WHERE operator_id = $1 AND subject_id = $2 FOR UPDATE`,
      [operatorId, subjectId],
    );
    return rows;
  },

  async lockReviews(tx: Tx, operatorId: string, subjectId: string): Promise<SealedRow[]> {
    const { rows } = await tx.query<SealedRow>(
      `SELECT inquiry_id AS id, author_enc AS a, text_enc AS b FROM reviews
       WHERE operator_id = $1 AND subject_id = $2 FOR UPDATE`,
      [operatorId, subjectId],
    );
    return rows;
  },

  /** Consent records and history, re-sealed, through the migration's function (all or nothing). */
  async rekeyEvidence(
    tx: Tx,
    m: { operatorId: string; mergedId: string; keptId: string },
    consents: readonly SealedRow[],
    events: readonly SealedRow[],
  ): Promise<void> {
    await tx.query(
      `SELECT subject_merge_rekey_evidence($1, $2, $3, $4::uuid[], $5::bytea[], $6::bytea[], $7::uuid[], $8::bytea[])`,
      [
        m.operatorId,
        m.mergedId,
        m.keptId,
        consents.map((c) => c.id),
        consents.map((c) => c.a),
        consents.map((c) => c.b),
        events.map((e) => e.id),
        events.map((e) => e.a),
      ],
    );
  },

  async moveInquiries(tx: Tx, operatorId: string, keptId: string, rows: readonly SealedRow[]): Promise<void> {
    if (rows.length === 0) return;
    await tx.query(
      `UPDATE inquiries i SET subject_id = $2, fields_enc = v.a, reply_to_enc = v.b
       FROM unnest($3::uuid[], $4::bytea[], $5::bytea[]) AS v (id, a, b)
       WHERE i.id = v.id AND i.operator_id = $1`,
      [operatorId, keptId, rows.map((r) => r.id), rows.map((r) => r.a), rows.map((r) => r.b)],
    );
  },

  async moveOutbox(tx: Tx, operatorId: string, keptId: string, rows: readonly SealedRow[]): Promise<void> {
    if (rows.length === 0) return;
    await tx.query(
      `UPDATE outbox o SET subject_id = $2, payload_enc = v.a
       FROM unnest($3::uuid[], $4::bytea[]) AS v (id, a)
       WHERE o.id = v.id AND o.operator_id = $1`,
      [operatorId, keptId, rows.map((r) => r.id), rows.map((r) => r.a)],
    );
  },

  async moveReviews(tx: Tx, operatorId: string, keptId: string, rows: readonly SealedRow[]): Promise<void> {
    if (rows.length === 0) return;
    await tx.query(
      `UPDATE reviews r SET subject_id = $2, author_enc = v.a, text_enc = v.b
       FROM unnest($3::uuid[], $4::bytea[], $5::bytea[]) AS v (id, a, b)
       WHERE r.inquiry_id = v.id AND r.operator_id = $1`,
      [operatorId, keptId, rows.map((r) => r.id), rows.map((r) => r.a), rows.map((r) => r.b)],
    );
  },

  async fillSubject(
    tx: Tx,
    operatorId: string,
    keptId: string,
    fields: Partial<Record<'name_enc' | 'phone_enc' | 'email_enc', Buffer>>,
    at: Date,
  ): Promise<void> {
    await tx.query(
      `UPDATE subjects SET name_enc = coalesce($3, name_enc), phone_enc = coalesce($4, phone_enc),
         email_enc = coalesce($5, email_enc), updated_at = $6
       WHERE id = $2 AND operator_id = $1`,
      [operatorId, keptId, fields.name_enc ?? null, fields.phone_enc ?? null, fields.email_enc ?? null, at],
    );
  },

  /** One 'merge' event per moved inquiry, pointing at the merged subject. */
  async insertMergeEvents(
    tx: Tx,
    e: { operatorId: string; mergedId: string; at: Date; actorType: string; actorId: string | null },
    events: readonly { id: string; inquiryId: string }[],
  ): Promise<void> {
    if (events.length === 0) return;
    await tx.query(
      `INSERT INTO inquiry_events (id, operator_id, inquiry_id, at, kind, ref_id, actor_type, actor_id)
       SELECT v.id, $1, v.inquiry_id, $3, 'merge', $2, $4, $5
       FROM unnest($6::uuid[], $7::uuid[]) AS v (id, inquiry_id)`,
      [
        e.operatorId,
        e.mergedId,
        e.at,
        e.actorType,
        e.actorId,
        events.map((x) => x.id),
        events.map((x) => x.inquiryId),
      ],
    );
  },

  /**
   * Every other column that references subjects(id) (tables added by other modules, such as
   * unsubscribe tokens): rows that only point at the subject are moved to the kept one. A table
   * with sealed columns (`*_enc`) that the merge does not know could hold ciphertext under the
   * merged subject's key, which is about to be destroyed: the merge refuses rather than lose it.
   * Returns how many rows it moved.
   */
  async moveOtherReferences(tx: Tx, mergedId: string, keptId: string): Promise<number> {
    const { rows: refs } = await tx.query<Reference>(
      `SELECT c.conrelid::regclass::text AS tbl, quote_ident(a.attname) AS col,
              EXISTS (SELECT 1 FROM pg_attribute x WHERE x.attrelid = c.conrelid AND x.attnum > 0
                        AND NOT x.attisdropped AND x.attname LIKE '%\\_enc') AS sealed
       FROM pg_constraint c
       JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
       WHERE c.contype = 'f' AND c.confrelid = 'subjects'::regclass AND cardinality(c.conkey) = 1
       ORDER BY 1, 2`,
    );
    let moved = 0;
    for (const r of refs) {
      if (HANDLED.has(`${r.tbl}.${r.col}`)) continue;
      // The names come from the catalog, quoted by PostgreSQL itself.
      if (r.sealed) {
        const { rows } = await tx.query(`SELECT 1 FROM ${r.tbl} WHERE ${r.col} = $1 LIMIT 1`, [mergedId]);
        if (rows.length > 0) throw new UnknownSealedReference(r.tbl);
        continue;
      }
      const { rowCount } = await tx.query(`UPDATE ${r.tbl} SET ${r.col} = $2 WHERE ${r.col} = $1`, [
        mergedId,
        keptId,
      ]);
      moved += rowCount ?? 0;
    }
    return moved;
  },

  async deleteSubject(tx: Tx, operatorId: string, id: string): Promise<boolean> {
    const { rowCount } = await tx.query('DELETE FROM subjects WHERE id = $1 AND operator_id = $2', [
      id,
      operatorId,
    ]);
    return (rowCount ?? 0) > 0;
  },

  async insertMerge(tx: Tx, m: MergeRecord): Promise<void> {
    await tx.query(
      `INSERT INTO subject_merges (merged_subject_id, kept_subject_id, operator_id, actor_type, actor_id, merged_at)
       VALUES ($1, $2, $3, $4, $5, $6)`,
      [m.merged_subject_id, m.kept_subject_id, m.operator_id, m.actor_type, m.actor_id, m.merged_at],
    );
  },

  async findMerge(tx: Tx, operatorId: string, mergedId: string): Promise<MergeRecord | undefined> {
    const { rows } = await tx.query<MergeRecord>(
      'SELECT * FROM subject_merges WHERE merged_subject_id = $1 AND operator_id = $2',
      [mergedId, operatorId],
    );
    return rows[0];
  },

  async subjectOfInquiryNumber(
    tx: Tx,
    operatorId: string,
    inquiryNumber: string,
  ): Promise<string | undefined> {
    const { rows } = await tx.query<{ subject_id: string }>(
      'SELECT subject_id FROM inquiries WHERE operator_id = $1 AND number = $2::bigint',
      [operatorId, inquiryNumber],
    );
    return rows[0]?.subject_id;
  },

  async subjectExists(tx: Tx, operatorId: string, id: string): Promise<boolean> {
    const { rows } = await tx.query('SELECT 1 FROM subjects WHERE id = $1 AND operator_id = $2', [
      id,
      operatorId,
    ]);
    return rows.length > 0;
  },

  /** What the comparison page lists of a subject: its inquiries and counts, ids and codes only. */
  async holdings(
    tx: Tx,
    operatorId: string,
    subjectId: string,
  ): Promise<{
    inquiries: {
      id: string;
      number: string;
      form_id: string;
      channel: string;
      status: string;
      created_at: Date;
    }[];
    consents: number;
    reviews: number;
  }> {
    const { rows: inquiries } = await tx.query<{
      id: string;
      number: string;
      form_id: string;
      channel: string;
      status: string;
      created_at: Date;
    }>(
      `SELECT id, number::text AS number, form_id, channel, status, created_at FROM inquiries
       WHERE operator_id = $1 AND subject_id = $2 ORDER BY created_at DESC, id DESC LIMIT 200`,
      [operatorId, subjectId],
    );
    const { rows } = await tx.query<{ consents: string; reviews: string }>(
      `SELECT (SELECT count(*) FROM consent_records WHERE operator_id = $1 AND subject_id = $2)::text AS consents,
              (SELECT count(*) FROM reviews WHERE operator_id = $1 AND subject_id = $2 AND state = 'published')::text
                AS reviews`,
      [operatorId, subjectId],
    );
    return { inquiries, consents: Number(rows[0]!.consents), reviews: Number(rows[0]!.reviews) };
  },
};

/** A table references the subject and holds sealed columns the merge does not know how to re-seal. */
export class UnknownSealedReference extends Error {
  override readonly name = 'UnknownSealedReference';
  constructor(readonly table: string) {
    super(`subject merge does not know how to re-seal the rows of ${table}`);
  }
}
