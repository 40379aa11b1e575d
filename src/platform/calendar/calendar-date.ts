/**
 * Calendar dates as 'YYYY-MM-DD' strings. Arithmetic runs on whole days counted from 1970-01-01
 * (through Date.UTC, which has no time zone), so a date never shifts with the process's zone.
 *
 * @example
 *   addDays('2026-02-28', 1); // '2026-03-01'
 *   weekdayOf('2026-03-09'); // 1 (Monday)
 */
import { z } from 'zod';
import { AppError, ErrorCode } from '../errors.ts';

const DAY_MS = 86_400_000;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Whole days since 1970-01-01, or undefined when the text is not a real calendar date. */
function dayNumberOrUndefined(date: string): number | undefined {
  const m = ISO_DATE.exec(date);
  if (!m) return undefined;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const ms = Date.UTC(y, mo - 1, d);
  // Date.UTC rolls 2026-02-30 over to March: a round trip catches it.
  return fromDayNumber(ms / DAY_MS) === date ? ms / DAY_MS : undefined;
}

export function isIsoDate(date: string): boolean {
  return dayNumberOrUndefined(date) !== undefined;
}

/** A real calendar date written 'YYYY-MM-DD'. */
export const IsoDate = z.string().refine(isIsoDate, { message: 'Expected a date as YYYY-MM-DD' });

export function toDayNumber(date: string): number {
  const n = dayNumberOrUndefined(date);
  // A malformed date here is a caller's bug: input is validated with IsoDate at the boundary.
  if (n === undefined) throw new AppError(ErrorCode.Internal, 'Expected a date as YYYY-MM-DD');
  return n;
}

export function fromDayNumber(n: number): string {
  return new Date(n * DAY_MS).toISOString().slice(0, 10);
}

export function addDays(date: string, n: number): string {
  return fromDayNumber(toDayNumber(date) + n);
}

/** 0 = Sunday ... 6 = Saturday, as Date#getDay. */
export function weekdayOf(date: string): number {
  // 1970-01-01 was a Thursday (4).
  return (((toDayNumber(date) + 4) % 7) + 7) % 7;
}

export function isWeekend(date: string): boolean {
  const w = weekdayOf(date);
  return w === 0 || w === 6;
}

export function yearOf(date: string): number {
  return Number(date.slice(0, 4));
}
