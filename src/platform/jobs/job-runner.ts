/**
 * The job runner: polls for due jobs (every second by default, or at once when woken), claims one
 * at a time per worker with `FOR UPDATE SKIP LOCKED` and runs its handler inside the claiming
 * transaction, so a job's database effects commit exactly once together with the job being marked
 * done, however many runners and instances poll the same table. A failure rolls the handler's
 * effects back to a savepoint and, in the same transaction, records the error's class and the next
 * attempt (exponential back-off with jitter from the injected clock), or marks the job failed.
 *
 * @example
 *   const runner = new JobRunner({ db, clock, log, handlers: [purgeSessionsJob(config)], queue });
 *   runner.start();
 *   // ... on shutdown:
 *   await runner.stop(); // waits for running handlers
 */
import type { Clock } from '../clock.ts';
import type { Database } from '../db/database.ts';
import type { Logger } from '../logger.ts';
import { DEFAULT_BACKOFF, nextAttemptAt, type BackoffPolicy, type Random } from './backoff.ts';
import { errorClassOf, isPermanentFailure } from './error-class.ts';
import type { JobHandler } from './job.ts';
import type { JobQueue } from './job-queue.ts';
import { jobsRepository as repo } from './jobs.repository.ts';
import type { Scheduler } from './scheduler.ts';

export interface JobRunnerOptions {
  db: Database;
  clock: Clock;
  log: Logger;
  handlers: readonly JobHandler[];
  /** Wake-ups from `queue.wake()` reach this runner. */
  queue?: JobQueue;
  /** Enqueues the recurring jobs' next occurrences on every poll. */
  scheduler?: Scheduler;
  /** Jobs run at the same time by this runner (default 2). */
  concurrency?: number;
  /** How long an idle worker waits before looking again (default 1000 ms). */
  pollIntervalMs?: number;
  backoff?: BackoffPolicy;
  random?: Random;
  /** Shown in logs, to tell instances apart. */
  name?: string;
}

/** What happened to the job a call to `runOnce` claimed, if any. */
export type RunOutcome =
  | { readonly ran: false }
  | { readonly ran: true; readonly jobId: string; readonly state: 'done' | 'retry' | 'failed' };

/** The error class recorded for a job whose kind no handler in this runner knows. */
export const UNKNOWN_KIND = 'unknown_job_kind';

export class JobRunner {
  private readonly handlers: ReadonlyMap<string, JobHandler>;
  private readonly concurrency: number;
  private readonly pollIntervalMs: number;
  private readonly log: Logger;
  private loops: Promise<void>[] = [];
  private stopping = false;
  private sleepers = new Set<() => void>();
  private unsubscribe: (() => void) | undefined;

  constructor(private readonly o: JobRunnerOptions) {
    const byKind = new Map<string, JobHandler>();
    for (const h of o.handlers) {
      if (byKind.has(h.kind)) throw new Error(`Two handlers for job kind ${h.kind}`);
      byKind.set(h.kind, h);
    }
    this.handlers = byKind;
    this.concurrency = o.concurrency ?? 2;
    this.pollIntervalMs = o.pollIntervalMs ?? 1000;
    this.log = o.log.child({ component: 'jobs', runner: o.name ?? 'main' });
    if (!Number.isInteger(this.concurrency) || this.concurrency < 1) {
      throw new Error('Job runner concurrency must be a positive integer');
    }
  }

  get running(): boolean {
    return this.loops.length > 0 && !this.stopping;
  }

  /** Starts the workers (and the scheduler loop). Calling it twice is harmless. */
  start(): void {
    if (this.loops.length > 0) return;
    this.stopping = false;
    this.unsubscribe = this.o.queue?.onWake(() => this.wake());
    for (let i = 0; i < this.concurrency; i++) this.loops.push(this.workerLoop());
    if (this.o.scheduler) this.loops.push(this.schedulerLoop(this.o.scheduler));
    this.log.debug({ concurrency: this.concurrency }, 'job runner started');
  }

  /** Idle workers look for due jobs now. */
  wake(): void {
    for (const s of this.sleepers) s();
    this.sleepers.clear();
  }

  /** Stops polling and waits until every running handler has finished and its transaction ended. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.unsubscribe?.();
    this.wake();
    await Promise.all(this.loops);
    this.loops = [];
    this.log.debug('job runner stopped');
  }

  /**
   * Claims one due job and runs it to its outcome. Workers call it in a loop; tests call it
   * directly to step through jobs with the injected clock.
   */
  async runOnce(): Promise<RunOutcome> {
    return this.o.db.system(async (tx) => {
      const now = this.o.clock.now();
      const job = await repo.claimDue(tx, now);
      if (!job) return { ran: false };
      const attempt = job.attempts + 1;
      const log = this.log.child({ jobId: job.id, kind: job.kind, attempt });
      const handler = this.handlers.get(job.kind);
      await tx.query('SAVEPOINT job');
      let failure: unknown;
      try {
        if (!handler) throw new UnknownJobKind();
        await handler.execute(job.payload, {
          jobId: job.id,
          kind: job.kind,
          attempt,
          maxAttempts: job.max_attempts,
          tx,
          now,
          log,
        });
      } catch (e) {
        failure = e;
      }
      if (failure === undefined) {
        await tx.query('RELEASE SAVEPOINT job');
        await repo.markDone(tx, job.id, attempt, this.o.clock.now());
        log.debug('job done');
        return { ran: true, jobId: job.id, state: 'done' };
      }
      // The handler's own writes are undone; the record of the attempt is kept.
      await tx.query('ROLLBACK TO SAVEPOINT job');
      const error = failure instanceof UnknownJobKind ? UNKNOWN_KIND : errorClassOf(failure);
      const at = this.o.clock.now();
      if (isPermanentFailure(failure) || attempt >= job.max_attempts) {
        await repo.markFailed(tx, job.id, attempt, error, at);
        log.error({ error, err: failure }, 'job failed for good');
        return { ran: true, jobId: job.id, state: 'failed' };
      }
      const runAt = nextAttemptAt(at, attempt, this.o.random, this.o.backoff ?? DEFAULT_BACKOFF);
      await repo.markRetry(tx, job.id, attempt, error, runAt);
      log.warn({ error, err: failure, retryAt: runAt.toISOString() }, 'job failed; will retry');
      return { ran: true, jobId: job.id, state: 'retry' };
    });
  }

  /** Runs due jobs until none is left (tests, and `soglasie` commands that run jobs in-line). */
  async drain(limit = 10_000): Promise<number> {
    let n = 0;
    while (n < limit && (await this.runOnce()).ran) n++;
    return n;
  }

  private async workerLoop(): Promise<void> {
    while (!this.stopping) {
      let ran = false;
      try {
        ran = (await this.runOnce()).ran;
      } catch (err) {
        // The database went away or the transaction could not commit; the job stays pending.
        this.log.error({ err }, 'job runner could not claim or finish a job');
      }
      if (!ran) await this.sleep();
    }
  }

  private async schedulerLoop(scheduler: Scheduler): Promise<void> {
    while (!this.stopping) {
      try {
        // Occurrences are enqueued ahead of their time; the workers pick them up when due.
        await scheduler.tick();
      } catch (err) {
        this.log.error({ err }, 'scheduler could not enqueue');
      }
      await this.sleep();
    }
  }

  private sleep(): Promise<void> {
    if (this.stopping) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.sleepers.delete(done);
        resolve();
      };
      const timer = setTimeout(done, this.pollIntervalMs);
      this.sleepers.add(done);
    });
  }
}

class UnknownJobKind extends Error {
  override readonly name = 'UnknownJobKind';
}
