export {
  JobQueue,
  assertIdsOnly,
  DEFAULT_MAX_ATTEMPTS,
  type EnqueueSpec,
  type Enqueued,
} from './job-queue.ts';
export { JobRunner, UNKNOWN_KIND, type JobRunnerOptions, type RunOutcome } from './job-runner.ts';
export { defineJob, type JobContext, type JobDefinition, type JobHandler } from './job.ts';
export { Scheduler, nextOccurrence, type Every, type Schedule, type Occurrence } from './scheduler.ts';
export {
  backoffDelayMs,
  nextAttemptAt,
  DEFAULT_BACKOFF,
  type BackoffPolicy,
  type Random,
} from './backoff.ts';
export { errorClassOf, isPermanentFailure } from './error-class.ts';
export { PURGE_JOBS, purgeJobsJob } from './purge-jobs.job.ts';
