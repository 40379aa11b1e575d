/**
 * A job kind: its name, the zod schema of its payload and what it does. One small file per job
 * defines one with `defineJob`; the runner looks handlers up by kind.
 *
 * @example
 *   export const pingJob = defineJob({
 *     kind: 'example.ping',
 *     payload: z.strictObject({ subjectId: z.uuid() }),
 *     run: async ({ subjectId }, job) => {
 *       await job.tx.query('UPDATE ... WHERE id = $1', [subjectId]);
 *     },
 *   });
 */
import type { z } from 'zod';
import type { Tx } from '../db/database.ts';
import { AppError, ErrorCode } from '../errors.ts';
import type { Logger } from '../logger.ts';

export interface JobContext {
  readonly jobId: string;
  readonly kind: string;
  /** 1 on the first attempt. */
  readonly attempt: number;
  readonly maxAttempts: number;
  /**
   * The transaction that claimed the job, over every operator's data (jobs act for the
   * installation). Writes made through it commit together with the job being marked done, and roll
   * back if the handler throws: a job's database effects happen exactly once.
   */
  readonly tx: Tx;
  /** The injected clock's time when the job was claimed. */
  readonly now: Date;
  readonly log: Logger;
}

/** A registered handler, its payload type erased so handlers of every kind fit one registry. */
export interface JobHandler {
  readonly kind: string;
  execute(rawPayload: unknown, job: JobContext): Promise<void>;
}

export interface JobDefinition<S extends z.ZodType> {
  readonly kind: string;
  /** Ids and small values only, never personal data. */
  readonly payload: S;
  run(payload: z.infer<S>, job: JobContext): Promise<void>;
}

export function defineJob<S extends z.ZodType>(def: JobDefinition<S>): JobHandler {
  return {
    kind: def.kind,
    execute: async (raw, job) => {
      const parsed = def.payload.safeParse(raw);
      // A payload that does not fit its kind will not fit on the next attempt either.
      if (!parsed.success) throw new AppError(ErrorCode.ValidationFailed, `Invalid payload for ${def.kind}`);
      await def.run(parsed.data, job);
    },
  };
}
