/**
 * Each operator's quiet hours for the outbox (`QuietHoursSource`): the window from the operator's
 * notification settings (21:00-09:00 when it has none) on the wall clock of its time zone
 * (operators.time_zone). Read through a short cache: the dispatcher asks for every message it
 * claims, and the notifications service clears the cache when the settings change, so in this
 * process a change shows at once, elsewhere within 30 seconds.
 *
 * @example
 *   const quiet = new QuietHoursStore({ db, clock });
 *   const outbox = new OutboxService(keyring, clock, ids, quiet);
 *   await quiet.nextAllowed(operatorId, clock.now()); // now, or 09:00 local when it is 21:30
 */
import type { Clock } from '../../platform/clock.ts';
import type { Database, Tx } from '../../platform/db/database.ts';
import { isUuid } from '../../platform/ids.ts';
import { TtlCache } from '../../platform/ttl-cache.ts';
import {
  DEFAULT_QUIET_WINDOW,
  nextAllowedMoment,
  type QuietHoursSource,
  type QuietWindow,
} from '../outbox/index.ts';
import { notificationsRepository as repo } from './notifications.repository.ts';

export const DEFAULT_TIME_ZONE = 'Europe/Moscow';
const TTL_MS = 30_000;

interface Quiet {
  window: QuietWindow | null;
  timeZone: string;
}

export class QuietHoursStore implements QuietHoursSource {
  private readonly cache: TtlCache<Quiet>;

  constructor(private readonly deps: { db: Database; clock: Clock }) {
    this.cache = new TtlCache(deps.clock, TTL_MS);
  }

  async nextAllowed(operatorId: string, at: Date, tx?: Pick<Tx, 'query'>): Promise<Date> {
    const q = await this.quietOf(operatorId, tx);
    return nextAllowedMoment(at, q.window, q.timeZone);
  }

  /** The operator's window and zone; the defaults for an operator without settings. */
  quietOf(operatorId: string, tx?: Pick<Tx, 'query'>): Promise<Quiet> {
    if (!isUuid(operatorId))
      return Promise.resolve({ window: DEFAULT_QUIET_WINDOW, timeZone: DEFAULT_TIME_ZONE });
    return this.cache.get(operatorId, async () => {
      const row = await repo.quietOf(tx ?? this.deps.db, operatorId);
      if (!row) return { window: DEFAULT_QUIET_WINDOW, timeZone: DEFAULT_TIME_ZONE };
      const window = !row.has_settings
        ? DEFAULT_QUIET_WINDOW
        : row.quiet_start === null || row.quiet_end === null
          ? null
          : { start: row.quiet_start, end: row.quiet_end };
      return { window, timeZone: row.time_zone };
    });
  }

  /** Forgets an operator's cached hours (after its settings or time zone change). */
  forget(operatorId: string): void {
    this.cache.delete(operatorId);
  }
}
