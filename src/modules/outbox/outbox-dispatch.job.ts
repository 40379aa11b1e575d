/**
 * The outbox dispatcher, a job: claims due pending messages of the channels that have a sender
 * (`FOR UPDATE SKIP LOCKED`, so instances dispatching at once share the rows, never double them),
 * decrypts each with its subject's key, hands it to the channel's sender, and records the outcome:
 * sent; retry later with back-off; failed after the last attempt or when the sender refuses it;
 * cancelled when the subject's key has been destroyed. Messages on a channel without a sender stay
 * pending until one is configured.
 *
 * A retry waits at least as long as the provider asked (`SendFailed.retryAfterMs`, Telegram's
 * `retry_after`), and never less than the back-off. Messages bound by quiet hours are neither sent
 * nor retried inside the operator's quiet hours: one found due inside them is moved to their end
 * without counting an attempt, and a retry that would land inside them waits for their end.
 *
 * A message can be delivered twice if the transaction fails to commit after its sender succeeded
 * (at least once, as with any outbox); the message id goes with it so a receiver can drop repeats.
 *
 * @example
 *   const handler = outboxDispatchJob({ keyring, audit, jobs, clock, senders: [createEmailSender(smtp)] });
 *   new JobRunner({ db, clock, log, handlers: [handler] });
 */
import { z } from 'zod';
import type { AuditService } from '../audit/index.ts';
import type { KeyringService } from '../keyring/index.ts';
import type { Clock } from '../../platform/clock.ts';
import { openString } from '../../platform/crypto/aead.ts';
import {
  defineJob,
  errorClassOf,
  isPermanentFailure,
  nextAttemptAt,
  type JobHandler,
  type JobQueue,
  type Random,
} from '../../platform/jobs/index.ts';
import { outboxRepository as repo, type OutboxRow } from './outbox.repository.ts';
import { outboxAad } from './outbox.service.ts';
import type { QuietHoursSource } from './quiet-hours.ts';
import { SendFailed, SendRefused, type Sender } from './senders/sender.ts';

export const OUTBOX_DISPATCH = 'outbox.dispatch';
export const OUTBOX_MAX_ATTEMPTS = 10;
export const OUTBOX_BATCH = 20;
/** Messages of one batch sent at the same time. */
export const SEND_CONCURRENCY = 8;
/** Recorded on rows whose subject was destroyed before the message went out. */
export const SUBJECT_KEY_DESTROYED = 'subject_key_destroyed';
/** Recorded on a message moved out of quiet hours without an attempt. */
export const QUIET_HOURS = 'quiet_hours';

export interface OutboxDispatchDeps {
  keyring: KeyringService;
  audit: AuditService;
  jobs: JobQueue;
  clock: Clock;
  senders: readonly Sender[];
  maxAttempts?: number;
  batchSize?: number;
  random?: Random;
  /** The operators' quiet hours, for messages bound by them. */
  quietHours?: QuietHoursSource;
}

type Outcome =
  | { kind: 'sent'; row: OutboxRow; attempt: number }
  | { kind: 'retry'; row: OutboxRow; attempt: number; error: string; nextAt: Date }
  | { kind: 'failed'; row: OutboxRow; attempt: number; error: string }
  | { kind: 'cancelled'; row: OutboxRow; error: string }
  | { kind: 'deferred'; row: OutboxRow; nextAt: Date };

export function outboxDispatchJob(deps: OutboxDispatchDeps): JobHandler {
  const senders = new Map<string, Sender>();
  for (const s of deps.senders) {
    if (senders.has(s.channel)) throw new Error(`Two senders for channel ${s.channel}`);
    senders.set(s.channel, s);
  }
  const maxAttempts = deps.maxAttempts ?? OUTBOX_MAX_ATTEMPTS;
  const batchSize = deps.batchSize ?? OUTBOX_BATCH;
  /** The first allowed moment at or after `at` for the row (`at` when it is not bound). */
  const allowedFor = (row: OutboxRow, at: Date): Promise<Date> | Date =>
    row.quiet_hours && deps.quietHours ? deps.quietHours.nextAllowed(row.operator_id, at) : at;

  return defineJob({
    kind: OUTBOX_DISPATCH,
    payload: z.object({}),
    run: async (_payload, job) => {
      if (senders.size === 0) return;
      const rows = await repo.claimDue(job.tx, job.now, [...senders.keys()], batchSize);
      if (rows.length === 0) return;
      const subjectIds = [...new Set(rows.flatMap((r) => (r.subject_id ? [r.subject_id] : [])))];
      const keys = await deps.keyring.getDataKeys(subjectIds);

      const dispatchOne = async (row: OutboxRow): Promise<Outcome> => {
        const key = row.subject_id ? keys.get(row.subject_id) : undefined;
        if (!key || !row.subject_id || !row.payload_enc) {
          return { kind: 'cancelled', row, error: SUBJECT_KEY_DESTROYED };
        }
        const now = deps.clock.now();
        const allowed = await allowedFor(row, now);
        if (allowed.getTime() > now.getTime()) {
          return { kind: 'deferred', row, nextAt: allowed };
        }
        const attempt = row.attempts + 1;
        try {
          const payload: unknown = JSON.parse(openString(key, row.payload_enc, outboxAad(row.id)));
          await senders.get(row.channel)!.send({
            id: row.id,
            operatorId: row.operator_id,
            subjectId: row.subject_id,
            channel: row.channel,
            template: row.template,
            payload,
            attempt,
          });
          return { kind: 'sent', row, attempt };
        } catch (e) {
          const error =
            e instanceof SendRefused
              ? `refused:${e.reason}`
              : e instanceof SendFailed
                ? e.reason
                : errorClassOf(e);
          // A payload that does not decrypt or parse will not on the next attempt either.
          const permanent = isPermanentFailure(e) || !(e instanceof Error) || e.name === 'DecryptError';
          if (permanent || attempt >= maxAttempts) {
            return { kind: 'failed', row, attempt, error };
          } else {
            const failedAt = deps.clock.now();
            let nextAt = nextAttemptAt(failedAt, attempt, deps.random);
            // The provider's own "wait this long" wins over a shorter back-off.
            if (e instanceof SendFailed && e.retryAfterMs !== undefined) {
              const hinted = failedAt.getTime() + e.retryAfterMs;
              if (hinted > nextAt.getTime()) nextAt = new Date(hinted);
            }
            nextAt = await allowedFor(row, nextAt);
            return { kind: 'retry', row, attempt, error, nextAt };
          }
        }
      };
      // Several messages in flight at once (the e-mail transport pools its connections); each
      // outcome is recorded below, after every send, whatever order they finish in.
      const outcomes: Outcome[] = [];
      for (let i = 0; i < rows.length; i += SEND_CONCURRENCY) {
        outcomes.push(...(await Promise.all(rows.slice(i, i + SEND_CONCURRENCY).map(dispatchOne))));
      }

      // Outcomes and audit entries are written after every send: appending to the audit chain
      // locks its head until commit, and that lock must not wait on a mail server.
      const at = deps.clock.now();
      for (const o of outcomes) {
        // Nothing left the system: no attempt, no audit entry.
        if (o.kind === 'deferred') {
          await repo.markDeferred(job.tx, o.row.id, QUIET_HOURS, o.nextAt);
          continue;
        }
        switch (o.kind) {
          case 'sent':
            await repo.markSent(job.tx, o.row.id, o.attempt, at);
            break;
          case 'retry':
            await repo.markRetry(job.tx, o.row.id, o.attempt, o.error, o.nextAt);
            break;
          case 'failed':
            await repo.markFailed(job.tx, o.row.id, o.attempt, o.error);
            break;
          case 'cancelled':
            await repo.markCancelled(job.tx, o.row.id, o.error);
            break;
        }
        await deps.audit.record(job.tx, {
          actor: { type: 'job', id: OUTBOX_DISPATCH },
          action: o.kind === 'cancelled' ? 'outbox.cancel' : 'outbox.send',
          objectType: 'outbox',
          objectId: o.row.id,
          subjectId: o.row.subject_id,
          operatorId: o.row.operator_id,
          result: o.kind === 'sent' || o.kind === 'cancelled' ? 'success' : 'failure',
        });
      }
      const counts = { sent: 0, retry: 0, failed: 0, cancelled: 0, deferred: 0 };
      for (const o of outcomes) counts[o.kind]++;
      job.log.info(counts, 'outbox dispatched');

      // A full batch suggests more are waiting: queue a follow-up that runs as soon as this commits.
      if (rows.length === batchSize) {
        await deps.jobs.enqueue(job.tx, {
          kind: OUTBOX_DISPATCH,
          dedupeKey: `outbox.dispatch:after:${job.jobId}`,
        });
      }
    },
  });
}
