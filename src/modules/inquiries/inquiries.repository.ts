/**
 * Data access for intake: inquiries (created by every pipeline through `openInquiry`), idempotency
 * keys, spam counters and the per-address rate limit (the consent records go in the inquiry's
 * statement as the consent module writes them). Every function takes a Tx; the service owns the
 * transaction.
 */
import { prepared, type Tx } from '../../platform/db/database.ts';
import type { InlineAudit } from '../audit/index.ts';
import { consentInsertInline, type NewConsent } from '../consent/index.ts';

export interface InquiryRow {
  id: string;
  operator_id: string;
  site_id: string | null;
  subject_id: string;
  form_id: string;
  channel: string;
  page: string | null;
  fields_enc: Buffer;
  possible_health_data: boolean;
  on_behalf: boolean;
  created_at: Date;
  /** When someone should have contacted the patient, from the operator's working hours. */
  first_contact_due_at: Date;
  /** Where to answer a messenger or SMS patient (null for the forms). */
  reply_channel: string | null;
  reply_to_enc: Buffer | null;
}

/** Statuses in which an inquiry is over: a new message opens another one. */
const CLOSED_STATUSES = ['done', 'rejected', 'spam'] as const;

export const inquiriesRepository = {
  /** The inquiry a key made, and the keyed hash of the request that made it (null before 0022). */
  async inquiryOfKey(
    db: Tx,
    operatorId: string,
    key: string,
  ): Promise<{ inquiryId: string; requestHash: Buffer | null } | undefined> {
    const { rows } = await db.query<{ inquiry_id: string; request_hash: Buffer | null }>(
      'SELECT inquiry_id, request_hash FROM intake_idempotency WHERE operator_id = $1 AND key = $2',
      [operatorId, key],
    );
    const r = rows[0];
    return r && { inquiryId: r.inquiry_id, requestHash: r.request_hash };
  },

  /**
   * The inquiry, its audit entry and, for the intake, its idempotency key and consent records, in
   * one statement (one round trip); returns the inquiry's number. The key is stored with the keyed
   * hash of the request, to tell a retry from a different request. A key already taken fails the
   * statement with a unique violation of `intake_idempotency_pkey`, after waiting for a concurrent
   * holder to end. Only `openInquiry` calls this: it is the one place inquiries are created.
   */
  async insertInquiry(
    db: Tx,
    r: InquiryRow,
    idempotency: { key: string; requestHash: Buffer } | undefined,
    consents: readonly NewConsent[],
    audit: (offset: number) => InlineAudit,
  ): Promise<{ number: string }> {
    const params: unknown[] = [
      r.id,
      r.operator_id,
      r.site_id,
      r.subject_id,
      r.form_id,
      r.channel,
      r.page,
      r.fields_enc,
      r.possible_health_data,
      r.on_behalf,
      r.created_at,
      r.first_contact_due_at,
      r.reply_channel,
      r.reply_to_enc,
    ];
    let keyed = '';
    if (idempotency) {
      params.push(idempotency.key, idempotency.requestHash);
      keyed = `, k AS (
         INSERT INTO intake_idempotency (operator_id, key, inquiry_id, created_at, request_hash)
         VALUES ($2, $${params.length - 1}, $1, $11, $${params.length}))`;
    }
    const c = consents.length > 0 ? consentInsertInline(consents, params.length) : undefined;
    if (c) params.push(...c.params);
    const a = audit(params.length);
    params.push(...a.params);
    const { rows } = await db.query<{ number: string }>(
      prepared(
        `WITH i AS (
         INSERT INTO inquiries (id, operator_id, site_id, subject_id, form_id, channel, page, fields_enc,
           possible_health_data, on_behalf, created_at, first_contact_due_at, reply_channel, reply_to_enc)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING number)${keyed}${
           c ? `, c AS (${c.sql})` : ''
         }
       SELECT i.number, ${a.sql} FROM i`,
        params,
      ),
    );
    return rows[0]!;
  },

  /**
   * The patient's newest inquiry that is not over, on this channel (or any, when null), share-locked
   * so that a destruction of the subject waits for the caller's write.
   */
  async findOpenInquiry(
    db: Tx,
    operatorId: string,
    subjectId: string,
    channel: string | null,
  ): Promise<{ id: string; number: string } | undefined> {
    const { rows } = await db.query<{ id: string; number: string }>(
      `SELECT id, number FROM inquiries
       WHERE operator_id = $1 AND subject_id = $2 AND ($3::text IS NULL OR channel = $3)
         AND status <> ALL ($4::text[])
       ORDER BY created_at DESC, id DESC LIMIT 1 FOR SHARE`,
      [operatorId, subjectId, channel, CLOSED_STATUSES],
    );
    return rows[0];
  },

  /** Counts one refused submission for the operator's statistics. */
  async countSpam(db: Tx, operatorId: string, day: string, reason: string): Promise<void> {
    await db.query(
      `INSERT INTO spam_counters (operator_id, day, reason, count) VALUES ($1, $2, $3, 1)
       ON CONFLICT (operator_id, day, reason) DO UPDATE SET count = spam_counters.count + 1`,
      [operatorId, day, reason],
    );
  },

  /**
   * Adds one submission to each key's current window, in one statement, and returns per key the
   * count of the current window (this submission included) and of the previous one. Keys are
   * locked in byte order, so two submissions sharing keys never wait on each other in a cycle.
   */
  async hitRates(
    db: Tx,
    operatorId: string,
    keys: readonly Buffer[],
    windowStart: Date,
    previousStart: Date,
  ): Promise<{ key: Buffer; current: number; previous: number }[]> {
    const sorted = [...keys].sort((a, b) => Buffer.compare(a, b));
    const { rows } = await db.query<{ key: Buffer; current: number; previous: number }>(
      prepared(
        `WITH hit AS (
           INSERT INTO intake_rate (operator_id, address_hmac, window_start, count)
           SELECT $1, k, $3, 1 FROM unnest($2::bytea[]) WITH ORDINALITY AS u (k, n) ORDER BY n
           ON CONFLICT (operator_id, address_hmac, window_start) DO UPDATE SET count = intake_rate.count + 1
           RETURNING address_hmac, count)
         SELECT hit.address_hmac AS key, hit.count AS current, coalesce(p.count, 0) AS previous
           FROM hit LEFT JOIN intake_rate p
             ON p.operator_id = $1 AND p.address_hmac = hit.address_hmac AND p.window_start = $4`,
        [operatorId, sorted, windowStart, previousStart],
      ),
    );
    return rows;
  },

  /**
   * Takes back one submission from each key's window: a refused submission is not counted. One
   * key per statement, in the order `hitRates` locks them, so it never deadlocks with one.
   */
  async unhitRates(db: Tx, operatorId: string, keys: readonly Buffer[], windowStart: Date): Promise<void> {
    for (const key of [...keys].sort((a, b) => Buffer.compare(a, b))) {
      await db.query(
        `UPDATE intake_rate SET count = count - 1
          WHERE operator_id = $1 AND address_hmac = $2 AND window_start = $3 AND count > 0`,
        [operatorId, key, windowStart],
      );
    }
  },

  /** Forgets windows that ended before `before`. */
  async purgeRate(db: Tx, before: Date): Promise<number> {
    const r = await db.query('DELETE FROM intake_rate WHERE window_start < $1', [before]);
    return r.rowCount ?? 0;
  },
};
