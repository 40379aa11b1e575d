/**
 * Turns the schedules table into jobs: on each tick it enqueues every schedule's next occurrence
 * with the dedupe key `schedule:<name>:<slot>`. Slots are derived from the time alone (aligned to
 * the epoch for intervals, the local date for daily times), so every instance computes the same
 * key and an occurrence is enqueued once however many instances tick.
 *
 * @example
 *   const scheduler = new Scheduler({ db, queue, clock, schedules: SCHEDULES });
 *   await scheduler.tick(); // enqueues what is not enqueued yet
 */
import { wallClock } from '../calendar/index.ts';
import type { Clock } from '../clock.ts';
import type { Database } from '../db/database.ts';
import type { JobQueue } from './job-queue.ts';

export type Every =
  | { readonly intervalMs: number }
  /** "HH:MM", 24-hour, in the installation time zone. */
  | { readonly dailyAt: string };

export interface Schedule {
  /** Unique, kebab-case; part of the dedupe key. */
  readonly name: string;
  readonly kind: string;
  readonly every: Every;
  readonly why: string;
  readonly payload?: Record<string, unknown>;
  readonly maxAttempts?: number;
}

export interface Occurrence {
  /** The slot's name in the dedupe key: the UTC start for intervals, the local date for daily. */
  readonly slot: string;
  readonly runAt: Date;
}

/** The first occurrence strictly after `now`. */
export function nextOccurrence(every: Every, now: Date, timeZone: string): Occurrence {
  if ('intervalMs' in every) {
    const t = now.getTime();
    const start = Math.floor(t / every.intervalMs) * every.intervalMs + every.intervalMs;
    return { slot: new Date(start).toISOString(), runAt: new Date(start) };
  }
  const m = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(every.dailyAt);
  if (!m) throw new Error(`Daily time must be HH:MM, got ${every.dailyAt}`);
  const [hh, mm] = [Number(m[1]), Number(m[2])];
  let day = localDate(now, timeZone);
  for (let i = 0; i < 3; i++) {
    const at = zonedInstant(day, hh, mm, timeZone);
    if (at.getTime() > now.getTime()) return { slot: isoDate(day), runAt: at };
    day = addDays(day, 1);
  }
  throw new Error('unreachable: a daily time recurs within two days');
}

export interface SchedulerOptions {
  db: Database;
  queue: JobQueue;
  clock: Clock;
  schedules: readonly Schedule[];
  timeZone: string;
}

export class Scheduler {
  // The slot each schedule last enqueued from this process, so most ticks write nothing.
  private readonly enqueued = new Map<string, string>();

  constructor(private readonly o: SchedulerOptions) {
    const names = new Set<string>();
    for (const s of o.schedules) {
      if (names.has(s.name)) throw new Error(`Two schedules named ${s.name}`);
      names.add(s.name);
      nextOccurrence(s.every, new Date(0), o.timeZone); // validates the daily time early
      if ('intervalMs' in s.every && !(s.every.intervalMs >= 1000)) {
        throw new Error(`Schedule ${s.name}: the interval must be at least one second`);
      }
    }
  }

  /** Enqueues the next occurrence of every schedule that has none yet; returns how many it created. */
  async tick(): Promise<number> {
    const now = this.o.clock.now();
    const due = this.o.schedules
      .map((s) => ({ s, occ: nextOccurrence(s.every, now, this.o.timeZone) }))
      .filter(({ s, occ }) => this.enqueued.get(s.name) !== occ.slot);
    if (due.length === 0) return 0;
    const created = await this.o.db.transaction(async (tx) => {
      let n = 0;
      for (const { s, occ } of due) {
        const r = await this.o.queue.enqueue(tx, {
          kind: s.kind,
          payload: s.payload ?? {},
          runAt: occ.runAt,
          dedupeKey: `schedule:${s.name}:${occ.slot}`,
          ...(s.maxAttempts !== undefined ? { maxAttempts: s.maxAttempts } : {}),
        });
        if (r.created) n++;
      }
      return n;
    });
    for (const { s, occ } of due) this.enqueued.set(s.name, occ.slot);
    return created;
  }
}

interface Ymd {
  y: number;
  m: number;
  d: number;
}

function localParts(instant: Date, timeZone: string): Ymd & { h: number; mi: number; s: number } {
  const w = wallClock(instant, timeZone);
  return {
    y: w.getUTCFullYear(),
    m: w.getUTCMonth() + 1,
    d: w.getUTCDate(),
    h: w.getUTCHours(),
    mi: w.getUTCMinutes(),
    s: w.getUTCSeconds(),
  };
}

function localDate(instant: Date, timeZone: string): Ymd {
  const { y, m, d } = localParts(instant, timeZone);
  return { y, m, d };
}

/** The zone's offset from UTC at an instant, in ms (Moscow: +3 h). */
function offsetMs(instant: Date, timeZone: string): number {
  const p = localParts(instant, timeZone);
  const wholeSeconds = Math.floor(instant.getTime() / 1000) * 1000;
  return Date.UTC(p.y, p.m - 1, p.d, p.h, p.mi, p.s) - wholeSeconds;
}

/** The instant when clocks in `timeZone` show the given local date and time. */
export function zonedInstant(day: Ymd, hh: number, mm: number, timeZone: string): Date {
  const asUtc = Date.UTC(day.y, day.m - 1, day.d, hh, mm);
  // Two passes settle the offset on either side of a daylight-saving change.
  let t = asUtc - offsetMs(new Date(asUtc), timeZone);
  t = asUtc - offsetMs(new Date(t), timeZone);
  return new Date(t);
}

function addDays(day: Ymd, n: number): Ymd {
  const d = new Date(Date.UTC(day.y, day.m - 1, day.d + n));
  return { y: d.getUTCFullYear(), m: d.getUTCMonth() + 1, d: d.getUTCDate() };
}

function isoDate(day: Ymd): string {
  return `${day.y}-${String(day.m).padStart(2, '0')}-${String(day.d).padStart(2, '0')}`;
}
