/** SQL for the jobs table. Every function takes the caller's transaction. */
import type { Tx } from '../db/database.ts';

export interface JobRow {
  id: string;
  kind: string;
  payload: unknown;
  run_at: Date;
  attempts: number;
  max_attempts: number;
}

export interface NewJob {
  id: string;
  kind: string;
  payload: unknown;
  runAt: Date;
  dedupeKey: string | null;
  maxAttempts: number;
  createdAt: Date;
}

export const jobsRepository = {
  /** Inserts the job unless one with the same dedupe key exists; returns the id of the one that stands. */
  async insert(tx: Tx, j: NewJob): Promise<{ id: string; created: boolean }> {
    const { rows } = await tx.query<{ id: string }>(
      `INSERT INTO jobs (id, kind, payload, run_at, max_attempts, dedupe_key, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (dedupe_key) DO NOTHING
       RETURNING id`,
      [j.id, j.kind, JSON.stringify(j.payload), j.runAt, j.maxAttempts, j.dedupeKey, j.createdAt],
    );
    if (rows[0]) return { id: rows[0].id, created: true };
    const existing = await tx.query<{ id: string }>('SELECT id FROM jobs WHERE dedupe_key = $1', [
      j.dedupeKey,
    ]);
    return { id: existing.rows[0]!.id, created: false };
  },

  /**
   * Locks the most overdue pending job, skipping jobs other runners hold, so that concurrent
   * runners (in this process or in others) never take the same job.
   */
  async claimDue(tx: Tx, now: Date): Promise<JobRow | undefined> {
    const { rows } = await tx.query<JobRow>(
      `SELECT id, kind, payload, run_at, attempts, max_attempts FROM jobs
       WHERE state = 'pending' AND run_at <= $1
       ORDER BY run_at, id
       LIMIT 1
       FOR UPDATE SKIP LOCKED`,
      [now],
    );
    return rows[0];
  },

  async markDone(tx: Tx, id: string, attempts: number, at: Date): Promise<void> {
    await tx.query(`UPDATE jobs SET state = 'done', attempts = $2, finished_at = $3 WHERE id = $1`, [
      id,
      attempts,
      at,
    ]);
  },

  async markRetry(tx: Tx, id: string, attempts: number, error: string, runAt: Date): Promise<void> {
    await tx.query(`UPDATE jobs SET attempts = $2, last_error = $3, run_at = $4 WHERE id = $1`, [
      id,
      attempts,
      error,
      runAt,
    ]);
  },

  async markFailed(tx: Tx, id: string, attempts: number, error: string, at: Date): Promise<void> {
    await tx.query(
      `UPDATE jobs SET state = 'failed', attempts = $2, last_error = $3, finished_at = $4 WHERE id = $1`,
      [id, attempts, error, at],
    );
  },
};
