/**
 * The webhook dispatcher, a job: claims due pending deliveries (`FOR UPDATE SKIP LOCKED`, so
 * dispatchers running at once in any number of instances share the rows and never send one
 * twice), POSTs each batch in parallel with a deadline per request, and records every attempt
 * (status code or short error code, duration) with the outcome: delivered on a 2xx; retried with
 * the jobs' back-off otherwise; failed after the last attempt; cancelled when the endpoint was
 * disabled meanwhile. Outcomes commit with the job, so a crash between a POST and the commit can
 * send a delivery again (at least once): receivers drop repeats by `Soglasie-Delivery`.
 *
 * Each request carries `Soglasie-Event`, `Soglasie-Delivery` and `Soglasie-Signature` (see
 * webhooks.signature.ts); the body is the delivery's stored JSON, the same bytes on every attempt.
 *
 * @example
 *   const handler = webhooksDispatchJob({ keyring, jobs, clock, mode: config.mode });
 *   new JobRunner({ db, clock, log, handlers: [handler] });
 */
import { z } from 'zod';
import type { Mode } from '../../config/config.ts';
import type { Clock } from '../../platform/clock.ts';
import { openString } from '../../platform/crypto/aead.ts';
import { outboundGuard, type OutboundGuard } from '../../platform/http/outbound-guard.ts';
import {
  defineJob,
  nextAttemptAt,
  type JobHandler,
  type JobQueue,
  type Random,
} from '../../platform/jobs/index.ts';
import type { KeyringService } from '../keyring/index.ts';
import { postWebhook, type PostOptions, type PostResult } from './webhooks.client.ts';
import { webhooksRepository as repo, type DueDelivery } from './webhooks.repository.ts';
import { DELIVERY_HEADER, EVENT_HEADER, SIGNATURE_HEADER } from './webhooks.schemas.ts';
import { WebhookSecrets } from './webhooks.secrets.ts';
import { webhookSecretAad } from './webhooks.service.ts';
import { signatureHeader } from './webhooks.signature.ts';

export const WEBHOOKS_DISPATCH = 'webhooks.dispatch';
export const WEBHOOKS_BATCH = 20;
/** The deadline of one POST: connect, TLS and the response's status line. */
export const WEBHOOK_TIMEOUT_MS = 5000;

export interface WebhooksDispatchDeps {
  keyring: Pick<KeyringService, 'namedKey'>;
  jobs: JobQueue;
  clock: Clock;
  mode: Mode;
  /** Which addresses deliveries may reach (default: production refuses private and local ones). */
  guard?: OutboundGuard;
  batchSize?: number;
  timeoutMs?: number;
  random?: Random;
  /** The HTTP exchange; tests keep the real one and point endpoints at a local server. */
  post?: (url: string, body: string, headers: Record<string, string>, o: PostOptions) => Promise<PostResult>;
}

type Outcome =
  | {
      kind: 'delivered' | 'retry' | 'failed';
      row: DueDelivery;
      attempt: number;
      at: Date;
      result: PostResult;
    }
  | { kind: 'cancelled'; row: DueDelivery; error: string };

export function webhooksDispatchJob(deps: WebhooksDispatchDeps): JobHandler {
  const batchSize = deps.batchSize ?? WEBHOOKS_BATCH;
  const post = deps.post ?? postWebhook;
  const secrets = new WebhookSecrets(deps.keyring);
  const options: PostOptions = {
    timeoutMs: deps.timeoutMs ?? WEBHOOK_TIMEOUT_MS,
    guard: deps.guard ?? outboundGuard({ refuse: deps.mode === 'production' }),
  };

  const attempt = async (row: DueDelivery, key: Buffer): Promise<Outcome> => {
    if (row.disabled_at !== null) return { kind: 'cancelled', row, error: 'endpoint_disabled' };
    let secret: string;
    try {
      secret = openString(key, row.secret_enc, webhookSecretAad(row.endpoint_id));
    } catch {
      return { kind: 'cancelled', row, error: 'secret_unreadable' };
    }
    const at = deps.clock.now();
    const t = Math.floor(at.getTime() / 1000);
    const result = await post(
      row.url,
      row.body,
      {
        [SIGNATURE_HEADER]: signatureHeader(secret, t, row.body),
        [EVENT_HEADER]: row.event_type,
        [DELIVERY_HEADER]: row.id,
      },
      options,
      // The client answers every failure with a code; anything it throws is a failed attempt too,
      // never a reason to roll back the batch's other outcomes.
    ).catch((): PostResult => ({ error: 'client_error', durationMs: 0 }));
    const n = row.attempts + 1;
    const ok = result.status !== undefined && result.status >= 200 && result.status < 300;
    const kind = ok ? 'delivered' : n >= row.max_attempts ? 'failed' : 'retry';
    return { kind, row, attempt: n, at, result };
  };

  return defineJob({
    kind: WEBHOOKS_DISPATCH,
    payload: z.object({}),
    run: async (_payload, job) => {
      const rows = await repo.claimDue(job.tx, job.now, batchSize);
      if (rows.length === 0) return;
      const key = await secrets.key();
      // In parallel: one slow receiver holds the batch for at most one deadline, not one each.
      const outcomes = await Promise.all(rows.map((r) => attempt(r, key)));

      const now = deps.clock.now();
      const counts = { delivered: 0, retry: 0, failed: 0, cancelled: 0 };
      for (const o of outcomes) {
        counts[o.kind]++;
        if (o.kind === 'cancelled') {
          await repo.markCancelled(job.tx, o.row.id, o.error, now);
          continue;
        }
        const status = o.result.status ?? null;
        const error =
          status !== null
            ? o.kind === 'delivered'
              ? null
              : `http_${status}`
            : (o.result.error ?? 'network_error');
        await repo.insertAttempt(job.tx, {
          deliveryId: o.row.id,
          operatorId: o.row.operator_id,
          attempt: o.attempt,
          at: o.at,
          statusCode: status,
          error,
          durationMs: o.result.durationMs,
        });
        switch (o.kind) {
          case 'delivered':
            await repo.markDelivered(job.tx, o.row.id, o.attempt, status!, now);
            break;
          case 'retry':
            await repo.markRetry(
              job.tx,
              o.row.id,
              o.attempt,
              status,
              error!,
              nextAttemptAt(now, o.attempt, deps.random),
            );
            break;
          case 'failed':
            await repo.markFailed(job.tx, o.row.id, o.attempt, status, error!, now);
            break;
        }
      }
      job.log.info(counts, 'webhooks dispatched');

      // A full batch suggests more are waiting: a follow-up runs as soon as this commits.
      if (rows.length === batchSize) {
        await deps.jobs.enqueue(job.tx, {
          kind: WEBHOOKS_DISPATCH,
          dedupeKey: `webhooks.dispatch:after:${job.jobId}`,
        });
      }
    },
  });
}
