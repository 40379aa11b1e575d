/**
 * Quiet hours: a daily window on the clinic's wall clock (by default 21:00 to 09:00) in which no
 * status notice or marketing message goes out. A window is half-open, [start, end): at 20:59:59 a
 * message may still leave, at 21:00:00 it waits until 09:00:00 local time, and 09:00:00 itself is
 * allowed. A window may cross midnight (21:00-09:00) or not (13:00-14:00).
 *
 * The wall clock comes from the zone's rules (`wallClock` of the calendar), never from a fixed
 * offset, so a zone that changes its offset is still read right.
 *
 * @example
 *   const w = { start: 21 * 60, end: 9 * 60 };
 *   nextAllowedMoment(new Date('2026-03-16T18:00:00Z'), w, 'Europe/Moscow'); // 21:00 MSK
 *   // -> 2026-03-17T06:00:00.000Z (09:00 MSK)
 */
import { wallClock } from '../../platform/calendar/index.ts';
import type { Tx } from '../../platform/db/database.ts';

/** Minutes after local midnight, [start, end); start and end differ. */
export interface QuietWindow {
  readonly start: number;
  readonly end: number;
}

export const DEFAULT_QUIET_WINDOW: QuietWindow = Object.freeze({ start: 21 * 60, end: 9 * 60 });

/**
 * Where the outbox learns an operator's quiet hours (the notifications module's settings). The
 * answer is the first moment at or after `at` outside them: `at` itself when it is allowed. `tx`,
 * when given, is the caller's open transaction, to read through instead of taking another pool
 * connection while it holds one.
 */
export interface QuietHoursSource {
  nextAllowed(operatorId: string, at: Date, tx?: Pick<Tx, 'query'>): Promise<Date>;
}

const DAY_MS = 86_400_000;

/** Whether the minute of the day lies inside the window. */
export function isQuiet(minuteOfDay: number, w: QuietWindow): boolean {
  return w.start < w.end
    ? minuteOfDay >= w.start && minuteOfDay < w.end
    : minuteOfDay >= w.start || minuteOfDay < w.end;
}

/** The zone's offset from UTC at an instant, in ms (whole seconds, as the wall clock reads). */
function offsetMs(instantMs: number, zone: string): number {
  return wallClock(new Date(instantMs), zone).getTime() - Math.floor(instantMs / 1000) * 1000;
}

/**
 * The instant whose wall clock reads `wallMs` (a Date.UTC of the local date and time). The offset
 * is taken at a first guess and again at the result, which settles a zone whose offset changes.
 */
function instantOfWall(wallMs: number, zone: string): number {
  const first = wallMs - offsetMs(wallMs, zone);
  return wallMs - offsetMs(first, zone);
}

/**
 * The first moment at or after `at` outside the quiet window in `timeZone`: `at` unchanged when it
 * is allowed (or there is no window), otherwise the window's end on the local day it ends.
 */
export function nextAllowedMoment(at: Date, window: QuietWindow | null, timeZone: string): Date {
  if (!window) return at;
  const wall = wallClock(at, timeZone);
  const minute = wall.getUTCHours() * 60 + wall.getUTCMinutes();
  if (!isQuiet(minute, window)) return at;
  const midnight = Date.UTC(wall.getUTCFullYear(), wall.getUTCMonth(), wall.getUTCDate());
  // Past the start of a window that crosses midnight, it ends tomorrow; otherwise today.
  const endsTomorrow = window.start > window.end && minute >= window.start;
  const endWall = midnight + (endsTomorrow ? DAY_MS : 0) + window.end * 60_000;
  return new Date(instantOfWall(endWall, timeZone));
}

/** "21:00" -> 1260; undefined for anything that is not HH:MM within a day. */
export function parseClockTime(s: string): number | undefined {
  const m = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(s.trim());
  return m ? Number(m[1]) * 60 + Number(m[2]) : undefined;
}

/** 1260 -> "21:00". */
export function formatClockTime(minutes: number): string {
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  return `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`;
}
