/**
 * The audit log: every read, search, export, change and destruction of personal data, and every
 * security event, is an entry written in the same transaction as the action. Entries hold ids,
 * never personal data. The chain is computed inside PostgreSQL (audit_append) and recomputed here
 * by `verify`, which names the first entry that does not match.
 *
 * @example
 *   await audit.record(tx, { actor: { type: 'staff', id: staffId }, action: 'subject.read',
 *     objectType: 'subject', objectId: id, subjectId: id, operatorId, source: ip, result: 'success' });
 */
import { createHash } from 'node:crypto';
import type { Clock } from '../../platform/clock.ts';
import { prepared, type Database, type Tx } from '../../platform/db/database.ts';

export type ActorType = 'staff' | 'api_key' | 'job' | 'system' | 'subject';
export type AuditResult = 'success' | 'denied' | 'failure';

export interface Actor {
  type: ActorType;
  /** Staff id, API key id, job kind; never a name or an e-mail. */
  id: string | null;
}

export interface AuditEntry {
  actor: Actor;
  action: string;
  objectType?: string | null;
  objectId?: string | null;
  subjectId?: string | null;
  operatorId?: string | null;
  source?: string | null;
  result: AuditResult;
}

/** An audit entry as part of another statement (see AuditService.inline). */
export interface InlineAudit {
  sql: string;
  params: unknown[];
}

export interface VerifyReport {
  ok: boolean;
  checked: number;
  /** The first entry whose stored hash or link does not match what it should be. */
  firstBroken?: { id: string; reason: string };
}

const ZERO_HASH: Buffer = Buffer.alloc(32);

export class AuditService {
  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
  ) {}

  /**
   * Writes an entry inside the caller's transaction (or on its own when given the pool). The entry
   * joins the hash chain when the transaction commits (a deferred trigger), in the order entries
   * were written; a rolled-back transaction leaves none. Staging first keeps the chain's lock out
   * of the transaction's own work, so transactions that audit do not queue behind one another.
   */
  async record(tx: Tx, e: AuditEntry): Promise<void> {
    const a = this.inline(e, 0);
    await tx.query(prepared(`SELECT ${a.sql}`, a.params));
  }

  /**
   * The staging call for `e` as an SQL expression whose parameters are numbered after `offset`, for
   * a write that carries its own audit entry in the same round trip: the caller evaluates it once
   * in that statement, e.g. `WITH s AS (INSERT ... RETURNING id) SELECT ${a.sql} FROM s`, passing
   * `[...itsParams, ...a.params]`. The entry is staged exactly when the row was written.
   */
  inline(e: AuditEntry, offset: number): InlineAudit {
    const n = (k: number) => `$${offset + k}`;
    return {
      sql: `audit_stage(${n(1)}::timestamptz, ${n(2)}::text, ${n(3)}::text, ${n(4)}::text, ${n(5)}::text, ${n(6)}::text, ${n(7)}::uuid, ${n(8)}::uuid, ${n(9)}::text, ${n(10)}::text)`,
      params: [
        this.clock.now(),
        e.actor.type,
        e.actor.id,
        e.action,
        e.objectType ?? null,
        e.objectId ?? null,
        e.subjectId ?? null,
        e.operatorId ?? null,
        e.source ?? null,
        e.result,
      ],
    };
  }

  /**
   * Writes several entries inside the caller's transaction in one round trip, in the order given
   * (as `record` would one by one). Callers keep each call to a few hundred entries (ten
   * parameters each, under PostgreSQL's 65535).
   */
  async recordAll(tx: Tx, entries: readonly AuditEntry[]): Promise<void> {
    if (entries.length === 0) return;
    if (entries.length === 1) return this.record(tx, entries[0]!);
    const params: unknown[] = [];
    const values = entries.map((e) => {
      const a = this.inline(e, params.length);
      params.push(...a.params);
      return `(${a.sql})`;
    });
    await tx.query(`SELECT count(*) FROM (VALUES ${values.join(', ')}) AS staged (x)`, params);
  }

  /** Records an entry in a transaction of its own. */
  async recordNow(e: AuditEntry): Promise<void> {
    await this.record(this.db.pool, e);
  }

  /**
   * Moves staged entries into the chain: those of transactions that committed while another one
   * held the chain's head (they do not wait for it). Returns how many it moved; 0 also when another
   * session is moving them right now. Anything that reads the log whole calls this first.
   */
  async settle(): Promise<number> {
    const { rows } = await this.db.pool.query<{ n: number }>('SELECT audit_sequence_pending() AS n');
    return rows[0]!.n;
  }

  /** Recomputes the whole chain, in pages, and checks the head. */
  async verify(pageSize = 5000): Promise<VerifyReport> {
    await this.settle();
    let prev: Buffer = ZERO_HASH;
    let expectedId = 1n;
    let checked = 0;
    for (;;) {
      const { rows } = await this.db.pool.query<AuditRow>(
        `SELECT id, (extract(epoch FROM at) * 1000000)::bigint::text AS at_us, actor_type, actor_id, action,
                object_type, object_id, subject_id, operator_id, source, result, prev_hash, hash
         FROM audit_log WHERE id >= $1 ORDER BY id LIMIT $2`,
        [expectedId.toString(), pageSize],
      );
      for (const r of rows) {
        if (BigInt(r.id) !== expectedId) {
          return broken(checked, expectedId.toString(), `entry ${expectedId} is missing (next is ${r.id})`);
        }
        if (!r.prev_hash.equals(prev)) {
          return broken(checked, r.id, 'its link to the previous entry does not match');
        }
        const hash = createHash('sha256').update(prev).update(canonical(r), 'utf8').digest();
        if (!hash.equals(r.hash)) {
          return broken(checked, r.id, 'its content does not match its hash');
        }
        prev = r.hash;
        expectedId += 1n;
        checked += 1;
      }
      if (rows.length < pageSize) break;
    }
    const { rows: head } = await this.db.pool.query<{ last_id: string; last_hash: Buffer }>(
      'SELECT last_id, last_hash FROM audit_head',
    );
    const h = head[0];
    if (!h || BigInt(h.last_id) !== expectedId - 1n || !h.last_hash.equals(prev)) {
      return broken(
        checked,
        (expectedId - 1n).toString(),
        `the log ends early: the head records ${h?.last_id}`,
      );
    }
    return { ok: true, checked };
  }
}

interface AuditRow {
  id: string;
  at_us: string;
  actor_type: string;
  actor_id: string | null;
  action: string;
  object_type: string | null;
  object_id: string | null;
  subject_id: string | null;
  operator_id: string | null;
  source: string | null;
  result: string;
  prev_hash: Buffer;
  hash: Buffer;
}

/** Mirrors audit_canonical() in the foundation migration. */
function canonical(r: AuditRow): string {
  const fields = [
    r.id,
    r.at_us,
    r.actor_type,
    r.actor_id,
    r.action,
    r.object_type,
    r.object_id,
    r.subject_id,
    r.operator_id,
    r.source,
    r.result,
  ];
  return fields.map((f) => (f === null ? '-' : `${Buffer.byteLength(f, 'utf8')}:${f}`)).join('|');
}

function broken(checked: number, id: string, reason: string): VerifyReport {
  return { ok: false, checked, firstBroken: { id, reason } };
}
