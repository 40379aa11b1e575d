/**
 * Enqueuing jobs, inside the caller's transaction: a job exists if and only if the change that
 * asked for it commits. Payloads carry ids only; the handler loads what it needs.
 *
 * @example
 *   await db.scoped([operatorId], async (tx) => {
 *     // ... the change ...
 *     await jobs.enqueue(tx, { kind: 'example.ping', payload: { subjectId } });
 *   });
 *   jobs.wake(); // after commit: runners in this process look for due jobs now
 */
import type { Clock } from '../clock.ts';
import type { Tx } from '../db/database.ts';
import { AppError, ErrorCode } from '../errors.ts';
import type { Ids } from '../ids.ts';
import { jobsRepository as repo } from './jobs.repository.ts';

export interface EnqueueSpec {
  kind: string;
  /** Ids and small values only, never personal data (checked by shape, see assertIdsOnly). */
  payload?: Record<string, unknown>;
  /** Default: now (the injected clock's). */
  runAt?: Date;
  /** A job with the same key is enqueued once, however many times and places ask for it. */
  dedupeKey?: string;
  /** Default 10. */
  maxAttempts?: number;
}

export interface Enqueued {
  id: string;
  /** False when a job with the same dedupe key already existed (its id is returned). */
  created: boolean;
}

export const DEFAULT_MAX_ATTEMPTS = 10;

const KIND = /^[a-z][a-z0-9-]*(\.[a-z][a-z0-9-]*)*$/;

export class JobQueue {
  private readonly listeners = new Set<() => void>();

  constructor(
    private readonly clock: Clock,
    private readonly ids: Ids,
  ) {}

  async enqueue(tx: Tx, spec: EnqueueSpec): Promise<Enqueued> {
    if (!KIND.test(spec.kind) || spec.kind.length > 100) {
      throw new AppError(ErrorCode.ValidationFailed, 'A job kind is dotted lower-case words');
    }
    const maxAttempts = spec.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
    if (!Number.isInteger(maxAttempts) || maxAttempts < 1 || maxAttempts > 100) {
      throw new AppError(ErrorCode.ValidationFailed, 'maxAttempts must be an integer from 1 to 100');
    }
    const payload = spec.payload ?? {};
    assertIdsOnly(payload);
    const now = this.clock.now();
    return repo.insert(tx, {
      id: this.ids.uuid(),
      kind: spec.kind,
      payload,
      runAt: spec.runAt ?? now,
      dedupeKey: spec.dedupeKey ?? null,
      maxAttempts,
      createdAt: now,
    });
  }

  /** Tells the runners of this process to look for due jobs at once instead of at their next poll. */
  wake(): void {
    for (const l of this.listeners) l();
  }

  /** Runners subscribe here; returns the unsubscribe function. */
  onWake(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

// Identifiers, uuids, ISO times, dotted names: no spaces, no '@', no '+', no Cyrillic.
const ID_LIKE = /^[A-Za-z0-9_.:-]{1,200}$/;
// Seven or more digits in a row look like a phone number, not an id.
const PHONE_LIKE = /\d{7,}/;

/**
 * A seatbelt, not a proof: refuses payload strings that do not look like identifiers, so a name,
 * an e-mail, a phone or a message cannot be put in a job by mistake. Jobs are not encrypted and
 * outlive the data they point at; personal data stays in its encrypted columns.
 */
export function assertIdsOnly(value: unknown, depth = 0): void {
  if (depth > 4) throw new AppError(ErrorCode.ValidationFailed, 'A job payload is nested too deeply');
  if (value === null || typeof value === 'boolean') return;
  if (typeof value === 'number') {
    if (Number.isFinite(value)) return;
    throw new AppError(ErrorCode.ValidationFailed, 'A job payload number must be finite');
  }
  if (typeof value === 'string') {
    const uuidish = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(value);
    if (uuidish || (ID_LIKE.test(value) && !PHONE_LIKE.test(value.replace(/[-T:.Z]/g, ' ')))) return;
    throw new AppError(ErrorCode.ValidationFailed, 'A job payload holds ids only, never personal data');
  }
  if (Array.isArray(value)) {
    if (value.length > 1000) throw new AppError(ErrorCode.ValidationFailed, 'A job payload is too large');
    for (const v of value) assertIdsOnly(v, depth + 1);
    return;
  }
  if (typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (!ID_LIKE.test(k)) throw new AppError(ErrorCode.ValidationFailed, 'A job payload key is not a name');
      assertIdsOnly(v, depth + 1);
    }
    return;
  }
  throw new AppError(ErrorCode.ValidationFailed, 'A job payload holds JSON values only');
}
