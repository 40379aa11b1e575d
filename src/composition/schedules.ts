/**
 * Every recurring job of the installation, in one table. Daily times are in the installation's
 * time zone (one for the whole installation, whatever the operators' own zones). Each occurrence is
 * enqueued ahead of its time with the dedupe key `schedule:<name>:<slot>`, so however many
 * instances run, it runs once. A new recurring job gets a row here and a handler in its module
 * (platform/jobs for the platform's own tables) registered in jobs.ts.
 */
import { SETTLE_AUDIT, VERIFY_AUDIT } from '../modules/audit/index.ts';
import { PURGE_CHANNEL_SEEN } from '../modules/channels/index.ts';
import { FOLD_STATUS_COUNTS, PURGE_INTAKE_RATE } from '../modules/inquiries/index.ts';
import { OUTBOX_DISPATCH } from '../modules/outbox/index.ts';
import { PURGE_LOGIN_THROTTLE, PURGE_SESSIONS } from '../modules/staff/index.ts';
import { PURGE_ORPHAN_KEYS } from '../modules/subjects/index.ts';
import { PURGE_WEBHOOK_DELIVERIES, WEBHOOKS_DISPATCH } from '../modules/webhooks/index.ts';
import { PURGE_JOBS, type Schedule } from '../platform/jobs/index.ts';

/**
 * The installation time zone. Moscow time: most clinics using it are there, and it has no
 * daylight-saving time, so a daily time never happens twice or not at all.
 */
export const INSTALLATION_TIME_ZONE = 'Europe/Moscow';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

export const SCHEDULES: readonly Schedule[] = [
  {
    name: 'outbox-dispatch',
    every: { intervalMs: 5 * SECOND },
    kind: OUTBOX_DISPATCH,
    why:
      'Sends queued messages to patients and retries the ones whose back-off has passed. Every few ' +
      'seconds keeps notifications prompt; a run with nothing due is one indexed query.',
    // A missed run is replaced by the next one five seconds later; no point retrying it.
    maxAttempts: 1,
  },
  {
    name: 'fold-status-counts',
    every: { intervalMs: 10 * SECOND },
    kind: FOLD_STATUS_COUNTS,
    why:
      'Folds the +1/-1 rows that inquiries append when they arrive, change status or are destroyed ' +
      'into the per-status totals the inbox shows. The counts are exact either way; this keeps the ' +
      'rows to add up few. With nothing to fold it is one indexed query.',
    // The next run is ten seconds later; no point retrying a missed one.
    maxAttempts: 1,
  },
  {
    name: 'purge-sessions',
    every: { intervalMs: 15 * MINUTE },
    kind: PURGE_SESSIONS,
    why:
      'Deletes staff sessions past their expiry or idle timeout, with their IP addresses and ' +
      'browsers; the session check already refuses them, this keeps nothing longer than needed.',
  },
  {
    name: 'purge-login-throttle',
    every: { intervalMs: HOUR },
    kind: PURGE_LOGIN_THROTTLE,
    why:
      'Deletes failed-login counters whose window and lockout are over; their keys name accounts ' +
      'and IP addresses.',
  },
  {
    name: 'settle-audit',
    every: { intervalMs: 5 * SECOND },
    kind: SETTLE_AUDIT,
    why:
      'Moves audit entries left staged by transactions that committed while another held the ' +
      'chain head (commits do not queue for it) into the hash chain. With nothing staged it is one ' +
      'indexed query.',
    maxAttempts: 1,
  },
  {
    name: 'verify-audit',
    every: { dailyAt: '03:30' },
    kind: VERIFY_AUDIT,
    why:
      'Recomputes the audit hash chain every night so that tampering is noticed within a day; a ' +
      'broken chain is logged as an error naming the first bad entry.',
  },
  {
    name: 'purge-jobs',
    every: { dailyAt: '04:00' },
    kind: PURGE_JOBS,
    why:
      'Deletes finished jobs (done after 3 days, failed after 30): the outbox dispatch alone adds ' +
      'about 17 000 a day.',
  },
  {
    name: 'purge-orphan-keys',
    every: { dailyAt: '04:30' },
    kind: PURGE_ORPHAN_KEYS,
    why:
      'Deletes keyring entries (a data key and the phone and e-mail HMACs) of subjects whose intake ' +
      'transaction rolled back after the key was made: nothing else would ever destroy them.',
  },
  {
    name: 'purge-intake-rate',
    every: { intervalMs: HOUR },
    kind: PURGE_INTAKE_RATE,
    why:
      'Deletes intake counters no sliding window reads any more (older than two windows); they hold ' +
      "keyed hashes of visitors' addresses, phones and e-mails, kept no longer than the limit needs them.",
  },
  {
    name: 'webhooks-dispatch',
    every: { intervalMs: 5 * SECOND },
    kind: WEBHOOKS_DISPATCH,
    why:
      "Sends queued webhook deliveries to integrators' endpoints and retries the ones whose back-off " +
      'has passed. Every few seconds keeps integrations prompt; with nothing due it is one indexed query.',
    // A missed run is replaced by the next one five seconds later.
    maxAttempts: 1,
  },
  {
    name: 'purge-webhook-deliveries',
    every: { dailyAt: '04:45' },
    kind: PURGE_WEBHOOK_DELIVERIES,
    why:
      'Deletes finished webhook deliveries and their attempts after 30 days: the log explains a missed ' +
      'event for a while, it is not an archive.',
  },
  {
    name: 'purge-channel-seen',
    every: { dailyAt: '05:00' },
    kind: PURGE_CHANNEL_SEEN,
    why:
      'Deletes the provider event ids (replay protection of channel webhooks) stored more than 30 days ' +
      'ago: no provider retries a delivery that long, and our own formats refuse five-minute-old ones.',
  },
];
