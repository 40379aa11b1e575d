/**
 * The job runner `serve` starts: every handler of the installation, the schedules table, and the
 * senders: e-mail when SMTP is configured (otherwise e-mails wait in the outbox), and SMS.ru,
 * Telegram, WhatsApp and MAX through each operator's channel connection (a message on a channel
 * its operator has not connected waits and retries).
 *
 * @example
 *   const background = startJobRunner(ctx); // in serve, when config.jobsEnabled
 *   await background.stop();
 */
import { settleAuditJob, verifyAuditJob } from '../modules/audit/index.ts';
import { purgeChannelSeenJob } from '../modules/channels/index.ts';
import { foldStatusCountsJob, purgeIntakeRateJob } from '../modules/inquiries/index.ts';
import {
  createMessagingSenders,
  outboxDispatchJob,
  sendersFromConfig,
  type Sender,
} from '../modules/outbox/index.ts';
import { purgeLoginThrottleJob, purgeSessionsJob } from '../modules/staff/index.ts';
import { purgeOrphanKeysJob } from '../modules/subjects/index.ts';
import { purgeWebhookDeliveriesJob, webhooksDispatchJob } from '../modules/webhooks/index.ts';
import { outboundGuardFor } from '../platform/http/outbound-guard.ts';
import { JobRunner, purgeJobsJob, Scheduler, type JobHandler } from '../platform/jobs/index.ts';
import type { AppContext } from './context.ts';
import { INSTALLATION_TIME_ZONE, SCHEDULES } from './schedules.ts';

export interface RunningJobs {
  readonly runner: JobRunner;
  /** Waits for running jobs, then closes the senders' connections. */
  stop(): Promise<void>;
}

export interface StartJobsOptions {
  concurrency?: number;
  pollIntervalMs?: number;
}

/** Every job kind the installation runs, by kind. */
export function productionHandlers(ctx: AppContext, senders: readonly Sender[]): JobHandler[] {
  const { config, clock, services } = ctx;
  return [
    outboxDispatchJob({
      keyring: services.keyring,
      audit: services.audit,
      jobs: services.jobs,
      clock,
      senders,
      // Status notices and marketing are neither sent nor retried inside an operator's quiet hours.
      quietHours: services.outbox.quietHours,
    }),
    purgeSessionsJob({ sessionIdleMinutes: config.sessionIdleMinutes }),
    purgeLoginThrottleJob(),
    verifyAuditJob({ audit: services.audit }),
    settleAuditJob({ audit: services.audit }),
    purgeJobsJob(),
    purgeOrphanKeysJob({ keyring: services.keyring }),
    purgeIntakeRateJob({ rateWindowSeconds: config.intake.rateWindowSeconds }),
    foldStatusCountsJob(),
    purgeChannelSeenJob(),
    webhooksDispatchJob({
      keyring: services.keyring,
      jobs: services.jobs,
      clock,
      mode: config.mode,
      guard: outboundGuardFor(config),
    }),
    purgeWebhookDeliveriesJob(),
  ];
}

export function startJobRunner(ctx: AppContext, o: StartJobsOptions = {}): RunningJobs {
  const { config, clock, db, log, services } = ctx;
  const emailSenders = sendersFromConfig(config);
  // SMS and messengers use each operator's own connection (its credentials, read per message).
  const senders = [
    ...emailSenders,
    ...createMessagingSenders(services.channels, { guard: outboundGuardFor(config) }),
  ];
  const runner = new JobRunner({
    db,
    clock,
    log,
    queue: services.jobs,
    concurrency: o.concurrency ?? 2,
    pollIntervalMs: o.pollIntervalMs ?? 1000,
    scheduler: new Scheduler({
      db,
      queue: services.jobs,
      clock,
      schedules: SCHEDULES,
      timeZone: INSTALLATION_TIME_ZONE,
    }),
    handlers: productionHandlers(ctx, senders),
  });
  runner.start();
  return {
    runner,
    stop: async () => {
      await runner.stop();
      for (const s of emailSenders) s.close();
    },
  };
}
