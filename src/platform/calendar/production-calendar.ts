/**
 * The Russian production calendar: which dates are working days, for deadlines counted in working
 * days (152-FZ: 10, 7 and 3 wd; see COMPLIANCE.md section B) and for a clinic's days off.
 *
 * The data (`ru-production-calendar.json`, a copy of the checked shared file) lists per year the
 * weekday dates that are days off (Labour Code art. 112 holidays and the government's yearly
 * decree moves) and the weekend dates that are working days. A year the data does not cover is
 * counted by art. 112 alone: its fixed holidays (1-8 Jan, 23 Feb, 8 Mar, 1 May, 9 May, 12 Jun,
 * 4 Nov), the part-2 move of a holiday that falls on a Saturday or Sunday to the next working day
 * (not for 1-8 Jan, whose moves only a decree makes), and ordinary weekends. The decree's own moves
 * are unknown there, so every result that counted such a day says `provisional: true`.
 *
 * @example
 *   isWorkingDay('2026-03-09'); // false: 8 March fell on a Sunday
 *   addWorkingDays('2026-03-06', 1); // { date: '2026-03-10', provisional: false }
 *   addWorkingDays('2026-12-25', 10).provisional; // true: counts into 2027
 */
import { z } from 'zod';
import { AppError, ErrorCode } from '../errors.ts';
import { parseInput } from '../validation.ts';
import { IsoDate, addDays, isIsoDate, isWeekend, toDayNumber, yearOf } from './calendar-date.ts';
import calendarJson from './ru-production-calendar.json' with { type: 'json' };

const CalendarYear = z.strictObject({
  /** Weekday dates that are days off. */
  holidays: z.array(IsoDate),
  /** Saturday or Sunday dates that are working days. */
  workingWeekends: z.array(IsoDate),
});

/** The shape of `ru-production-calendar.json`; also for a year an administrator loads later. */
export const ProductionCalendarData = z
  .object({
    about: z.string().optional(),
    source: z.record(z.string(), z.string()).optional(),
    years: z.record(z.string().regex(/^\d{4}$/), CalendarYear),
  })
  .superRefine((data, ctx) => {
    // zod runs this even when a date failed its own check: those were reported already.
    for (const [year, y] of Object.entries(data.years)) {
      y.holidays.forEach((d, i) => {
        if (isIsoDate(d) && (!d.startsWith(`${year}-`) || isWeekend(d))) {
          ctx.addIssue({
            code: 'custom',
            path: ['years', year, 'holidays', i],
            message: `Expected a weekday in ${year}`,
          });
        }
      });
      y.workingWeekends.forEach((d, i) => {
        if (isIsoDate(d) && (!d.startsWith(`${year}-`) || !isWeekend(d))) {
          ctx.addIssue({
            code: 'custom',
            path: ['years', year, 'workingWeekends', i],
            message: `Expected a Saturday or Sunday in ${year}`,
          });
        }
      });
    }
  });
export type ProductionCalendarData = z.infer<typeof ProductionCalendarData>;

/** Labour Code art. 112 part 1: the fixed non-working public holidays, as MM-DD. */
const ART_112_HOLIDAYS = [
  '01-01',
  '01-02',
  '01-03',
  '01-04',
  '01-05',
  '01-06',
  '01-07',
  '01-08',
  '02-23',
  '03-08',
  '05-01',
  '05-09',
  '06-12',
  '11-04',
];

/** Whether the date is one of art. 112's public holidays, whatever the weekday. */
export function isPublicHoliday(date: string): boolean {
  toDayNumber(date); // validates
  return ART_112_HOLIDAYS.includes(date.slice(5));
}

interface YearDays {
  daysOff: ReadonlySet<string>;
  workingWeekends: ReadonlySet<string>;
}

/** art. 112 alone, for a year without data (see the module comment). */
function fallbackYear(year: number): YearDays {
  const daysOff = new Set<string>();
  const moved: string[] = [];
  for (const md of ART_112_HOLIDAYS) {
    const d = `${year}-${md}`;
    if (!isWeekend(d)) daysOff.add(d);
    else if (!md.startsWith('01-')) moved.push(d);
  }
  // Part 2: the weekend day that coincides with a holiday moves to the next working day after it.
  for (const d of moved) {
    let next = addDays(d, 1);
    while (isWeekend(next) || daysOff.has(next) || ART_112_HOLIDAYS.includes(next.slice(5))) {
      next = addDays(next, 1);
    }
    daysOff.add(next);
  }
  return { daysOff, workingWeekends: new Set() };
}

export interface WorkingDayCount {
  date: string;
  /** True when a counted day lies in a year the data does not cover (art. 112 rules only). */
  provisional: boolean;
}

/**
 * One production calendar. The module's default instance is built from the bundled JSON; build
 * another with `ProductionCalendar.fromData` (for example with a year an administrator loaded).
 *
 * @example
 *   const cal = ProductionCalendar.fromData(json); // throws AppError(ValidationFailed) if malformed
 *   cal.workingDaysBetween('2024-12-31', '2025-12-31'); // { days: 247, provisional: false }
 */
export class ProductionCalendar {
  private readonly years = new Map<number, YearDays>();
  private readonly fallback = new Map<number, YearDays>();

  private constructor(data: ProductionCalendarData) {
    for (const [year, y] of Object.entries(data.years)) {
      this.years.set(Number(year), {
        daysOff: new Set(y.holidays),
        workingWeekends: new Set(y.workingWeekends),
      });
    }
  }

  static fromData(data: unknown): ProductionCalendar {
    return new ProductionCalendar(
      parseInput(ProductionCalendarData, data, 'The production calendar is malformed'),
    );
  }

  /** Whether the data covers the date's year (otherwise answers are provisional). */
  covers(date: string): boolean {
    toDayNumber(date);
    return this.years.has(yearOf(date));
  }

  private yearDays(date: string): YearDays {
    const year = yearOf(date);
    const known = this.years.get(year);
    if (known) return known;
    let f = this.fallback.get(year);
    if (!f) {
      f = fallbackYear(year);
      this.fallback.set(year, f);
    }
    return f;
  }

  isWorkingDay(date: string): boolean {
    toDayNumber(date);
    const y = this.yearDays(date);
    if (y.workingWeekends.has(date)) return true;
    return !isWeekend(date) && !y.daysOff.has(date);
  }

  /** A Saturday or Sunday the decree made a working day. */
  isWorkingWeekend(date: string): boolean {
    toDayNumber(date);
    return this.yearDays(date).workingWeekends.has(date);
  }

  /**
   * A day the whole country rests that is not an ordinary weekend: an art. 112 public holiday (on
   * any weekday, including one that falls on a Saturday) or a weekday made a day off.
   */
  isHolidayOrMovedDayOff(date: string): boolean {
    return isPublicHoliday(date) || this.yearDays(date).daysOff.has(date);
  }

  /**
   * The n-th working day after `from` (`from` itself does not count, as a period starts on the day
   * after its event, Civil Code art. 191); n = 0 gives `from`.
   */
  addWorkingDays(from: string, n: number): WorkingDayCount {
    if (!Number.isSafeInteger(n) || n < 0) {
      throw new AppError(ErrorCode.Internal, 'Expected a whole number of working days, 0 or more');
    }
    let date = from;
    let provisional = n === 0 && !this.covers(from);
    for (let left = n; left > 0;) {
      date = addDays(date, 1);
      if (!this.years.has(yearOf(date))) provisional = true;
      if (this.isWorkingDay(date)) left -= 1;
    }
    return { date, provisional };
  }

  /**
   * The number of working days d with from < d <= to (so `addWorkingDays(from, n).date` is n
   * working days after `from`); negative when `to` is before `from`.
   */
  workingDaysBetween(from: string, to: string): { days: number; provisional: boolean } {
    const a = toDayNumber(from);
    const b = toDayNumber(to);
    if (b < a) {
      const r = this.workingDaysBetween(to, from);
      return { days: -r.days, provisional: r.provisional };
    }
    let days = 0;
    let provisional = false;
    for (let date = from, i = a; i < b; i += 1) {
      date = addDays(date, 1);
      if (!this.years.has(yearOf(date))) provisional = true;
      if (this.isWorkingDay(date)) days += 1;
    }
    return { days, provisional };
  }
}

/** The calendar built from the bundled data. */
export const productionCalendar = ProductionCalendar.fromData(calendarJson);

/** @see ProductionCalendar.isWorkingDay, on the bundled calendar. */
export function isWorkingDay(date: string): boolean {
  return productionCalendar.isWorkingDay(date);
}

/** @see ProductionCalendar.addWorkingDays, on the bundled calendar. */
export function addWorkingDays(from: string, n: number): WorkingDayCount {
  return productionCalendar.addWorkingDays(from, n);
}

/** @see ProductionCalendar.workingDaysBetween, on the bundled calendar. */
export function workingDaysBetween(from: string, to: string): { days: number; provisional: boolean } {
  return productionCalendar.workingDaysBetween(from, to);
}
