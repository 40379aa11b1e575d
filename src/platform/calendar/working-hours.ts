/**
 * An operator's weekly working hours and the due time of the first contact with a patient.
 *
 * Which hours apply on a date (the rule, in order):
 * 1. `openOnPublicHolidays: true` (a clinic open every day of the year): the weekly hours, always.
 * 2. An art. 112 public holiday (on any weekday, a Saturday included) or a weekday made a day off
 *    by the production calendar: closed all day.
 * 3. A Saturday or Sunday the decree made a working day: Friday's hours (the country works as on
 *    a weekday there, and the data does not say which weekday was moved; Friday is the last one).
 * 4. Otherwise the hours of that weekday; an ordinary Saturday keeps the Saturday hours.
 *
 * Intervals are half-open: 08:00-20:00 is open at 08:00:00 and closed at 20:00:00. '24:00' may end
 * an interval, so a day's last interval can join the next day's 00:00 one.
 *
 * @example
 *   const hours = WorkingHours.parse({ ...DEFAULT_CLINIC_HOURS, sat: [] });
 *   firstContactDue(clock.now(), hours, 'Europe/Moscow'); // a Date
 */
import { z } from 'zod';
import { AppError, ErrorCode } from '../errors.ts';
import { addDays, toDayNumber, weekdayOf } from './calendar-date.ts';
import { productionCalendar, type ProductionCalendar } from './production-calendar.ts';

const TIME = /^(?:([01]\d|2[0-3]):([0-5]\d)|(24):(00))$/;

/** Minutes since midnight of 'HH:MM' ('24:00' = 1440); undefined when malformed. */
function minutesOf(time: string): number | undefined {
  const m = TIME.exec(time);
  if (!m) return undefined;
  return m[3] ? 1440 : Number(m[1]) * 60 + Number(m[2]);
}

const TimeOfDay = z.string().refine((t) => minutesOf(t) !== undefined, {
  message: 'Expected a time as HH:MM (00:00-24:00)',
});

export const OpenInterval = z
  .strictObject({ from: TimeOfDay, to: TimeOfDay })
  .refine((i) => (minutesOf(i.from) ?? 0) < 1440, {
    message: 'An interval cannot start at 24:00',
    path: ['from'],
  })
  .refine((i) => (minutesOf(i.to) ?? 0) > (minutesOf(i.from) ?? 0), {
    message: 'An interval must end after it starts',
    path: ['to'],
  });
export type OpenInterval = z.infer<typeof OpenInterval>;

/** A day's intervals, sorted and not overlapping (touching is allowed). */
const DayHours = z.array(OpenInterval).superRefine((intervals, ctx) => {
  for (let i = 1; i < intervals.length; i += 1) {
    const prevTo = minutesOf(intervals[i - 1]?.to ?? '') ?? 0;
    const from = minutesOf(intervals[i]?.from ?? '') ?? 0;
    if (from < prevTo) {
      ctx.addIssue({
        code: 'custom',
        path: [i, 'from'],
        message: 'Intervals must be sorted and must not overlap',
      });
    }
  }
});

const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
type Day = (typeof DAYS)[number];

export const WorkingHours = z
  .strictObject({
    mon: DayHours,
    tue: DayHours,
    wed: DayHours,
    thu: DayHours,
    fri: DayHours,
    sat: DayHours,
    sun: DayHours,
    /** For a clinic that keeps its weekly hours on public holidays too (for example 24/7). */
    openOnPublicHolidays: z.boolean().default(false),
  })
  .refine((h) => DAYS.some((d) => h[d].length > 0), { message: 'At least one day must have open hours' });
export type WorkingHours = z.infer<typeof WorkingHours>;

/** A clinic's usual week: Mon-Fri 08:00-20:00, Sat 09:00-15:00, Sun closed. */
export const DEFAULT_CLINIC_HOURS: WorkingHours = Object.freeze({
  mon: [{ from: '08:00', to: '20:00' }],
  tue: [{ from: '08:00', to: '20:00' }],
  wed: [{ from: '08:00', to: '20:00' }],
  thu: [{ from: '08:00', to: '20:00' }],
  fri: [{ from: '08:00', to: '20:00' }],
  sat: [{ from: '09:00', to: '15:00' }],
  sun: [],
  openOnPublicHolidays: false,
});

/** The intervals open on a local calendar date, by the rule in the module comment. */
export function openIntervalsOn(
  date: string,
  hours: WorkingHours,
  calendar: ProductionCalendar = productionCalendar,
): OpenInterval[] {
  const own = hours[DAYS[weekdayOf(date)] as Day];
  if (hours.openOnPublicHolidays) return own;
  if (calendar.isHolidayOrMovedDayOff(date)) return [];
  if (calendar.isWorkingWeekend(date)) return hours.fri;
  return own;
}

/** An IANA time zone name this runtime knows, e.g. 'Europe/Moscow', 'Asia/Yekaterinburg'. */
export const TimeZone = z.string().refine(isTimeZone, { message: 'Unknown time zone' });

export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterOf(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    if (!isTimeZone(zone)) throw new AppError(ErrorCode.Internal, 'Unknown time zone');
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(zone, f);
  }
  return f;
}

/** The zone's wall clock at an instant, as milliseconds of a UTC-based timeline (whole seconds). */
function wallClockMs(instantMs: number, zone: string): number {
  const p: Record<string, number> = {};
  for (const part of formatterOf(zone).formatToParts(new Date(instantMs))) {
    if (part.type !== 'literal') p[part.type] = Number(part.value);
  }
  return Date.UTC(p.year ?? 0, (p.month ?? 1) - 1, p.day ?? 1, p.hour ?? 0, p.minute ?? 0, p.second ?? 0);
}

/** The zone's offset from UTC at an instant, in ms (from the zone's rules, never assumed fixed). */
function offsetMs(instantMs: number, zone: string): number {
  return wallClockMs(instantMs, zone) - Math.floor(instantMs / 1000) * 1000;
}

/**
 * The zone's wall clock at an instant, as a Date whose UTC fields read the local date and time
 * (whole seconds): `wallClock(at, 'Europe/Moscow').getUTCHours()` is the hour in Moscow.
 */
export function wallClock(at: Date, zone: string): Date {
  return new Date(wallClockMs(at.getTime(), zone));
}

/** The local calendar date at an instant in a zone. */
export function localDateOf(at: Date, zone: string): string {
  return new Date(wallClockMs(at.getTime(), zone)).toISOString().slice(0, 10);
}

/**
 * The instant of a local wall time. The offset is taken at a first guess and re-taken at the
 * result, which settles any zone whose offset changes (Russia has had none since 2014, but the
 * zone's rules decide, not this code); a wall time skipped by a clock change lands just after it.
 */
function instantOf(date: string, minutes: number, zone: string): number {
  const wall = toDayNumber(date) * 86_400_000 + minutes * 60_000;
  const first = wall - offsetMs(wall, zone);
  const second = wall - offsetMs(first, zone);
  return second;
}

/** How far the search for open time goes before it gives up. */
export const FIRST_CONTACT_SEARCH_DAYS = 30;

/**
 * When the first contact with a patient is due: the moment `slaMinutes` of the clinic's open time
 * have passed since `at`. Inside open hours with time to spare that is `at + sla`; when closing
 * comes first, the rest of the minutes run from the next opening; outside open hours it is the next
 * opening + sla. Open time is read on the clinic's wall clock in `timeZone`, day by day, by the
 * rule in the module comment.
 *
 * Throws AppError(Internal) when no open time is found within 30 days (hours that are never open).
 *
 * @example
 *   // Monday 19:50 in Moscow with 08:00-20:00 hours: 10 minutes today, 5 from Tuesday 08:00.
 *   firstContactDue(new Date('2026-03-16T16:50:00Z'), DEFAULT_CLINIC_HOURS, 'Europe/Moscow');
 *   // -> 2026-03-17T05:05:00Z (08:05 MSK)
 */
export function firstContactDue(
  at: Date,
  hours: WorkingHours,
  timeZone: string,
  slaMinutes = 15,
  calendar: ProductionCalendar = productionCalendar,
): Date {
  if (!Number.isFinite(slaMinutes) || slaMinutes < 0) {
    throw new AppError(ErrorCode.Internal, 'Expected a time for the first contact of 0 minutes or more');
  }
  let cursor = at.getTime();
  let remaining = slaMinutes * 60_000;
  const firstDate = localDateOf(at, timeZone);
  for (let day = 0; day <= FIRST_CONTACT_SEARCH_DAYS; day += 1) {
    const date = addDays(firstDate, day);
    for (const interval of openIntervalsOn(date, hours, calendar)) {
      const start = instantOf(date, minutesOf(interval.from) ?? 0, timeZone);
      const end = instantOf(date, minutesOf(interval.to) ?? 0, timeZone);
      if (end <= cursor) continue;
      const from = Math.max(start, cursor);
      if (from + remaining <= end) return new Date(from + remaining);
      remaining -= end - from;
      cursor = end;
    }
  }
  throw new AppError(ErrorCode.Internal, `No open hours within ${FIRST_CONTACT_SEARCH_DAYS} days`);
}
