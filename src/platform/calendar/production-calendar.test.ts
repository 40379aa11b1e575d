import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { AppError, ErrorCode } from '../errors.ts';
import { addDays, isIsoDate, weekdayOf } from './calendar-date.ts';
import {
  ProductionCalendar,
  addWorkingDays,
  isPublicHoliday,
  isWorkingDay,
  productionCalendar,
  workingDaysBetween,
} from './production-calendar.ts';

function daysOffIn(cal: ProductionCalendar, year: number): string[] {
  const out: string[] = [];
  for (let d = `${year}-01-01`; d.startsWith(`${year}-`); d = addDays(d, 1)) {
    if (weekdayOf(d) !== 0 && weekdayOf(d) !== 6 && !cal.isWorkingDay(d)) out.push(d);
  }
  return out;
}

describe('calendar dates', () => {
  it('accepts only real dates written YYYY-MM-DD', () => {
    assert.equal(isIsoDate('2028-02-29'), true);
    for (const bad of ['2026-02-29', '2026-13-01', '2026-1-01', '2026-01-01T00:00', '', '20260101']) {
      assert.equal(isIsoDate(bad), false, bad);
    }
    assert.throws(
      () => isWorkingDay('2026-02-30'),
      (e: unknown) => e instanceof AppError && e.code === ErrorCode.Internal,
    );
  });

  it('counts weekdays and crosses month and year ends', () => {
    assert.equal(weekdayOf('2026-03-09'), 1);
    assert.equal(weekdayOf('1969-12-31'), 3);
    assert.equal(addDays('2025-12-31', 1), '2026-01-01');
    assert.equal(addDays('2028-02-28', 1), '2028-02-29');
  });
});

describe('production calendar', () => {
  it('has the official 247 working days in 2025 and in 2026', () => {
    assert.deepEqual(workingDaysBetween('2024-12-31', '2025-12-31'), { days: 247, provisional: false });
    assert.deepEqual(workingDaysBetween('2025-12-31', '2026-12-31'), { days: 247, provisional: false });
  });

  it('knows holidays, decree moves and working weekends', () => {
    assert.equal(isWorkingDay('2026-03-09'), false); // 8 March on a Sunday, moved to Monday
    assert.equal(isWorkingDay('2026-03-10'), true);
    assert.equal(isWorkingDay('2026-01-09'), false); // decree: from 3 January
    assert.equal(isWorkingDay('2026-01-12'), true);
    assert.equal(isWorkingDay('2026-05-11'), false); // 9 May on a Saturday, moved to Monday
    assert.equal(isWorkingDay('2026-12-31'), false);
    assert.equal(isWorkingDay('2025-11-01'), true); // a working Saturday
    assert.equal(isWorkingDay('2025-11-03'), false);
    assert.equal(isWorkingDay('2026-03-07'), false); // an ordinary Saturday
    assert.equal(isPublicHoliday('2026-05-09'), true);
    assert.equal(isPublicHoliday('2026-05-11'), false);
  });

  it('adds working days over the March 9 move of 2026', () => {
    assert.deepEqual(addWorkingDays('2026-03-06', 1), { date: '2026-03-10', provisional: false });
    // 23 Feb is a holiday too: 24-27 Feb (4), 2-6 Mar (9), 10 Mar (10).
    assert.deepEqual(addWorkingDays('2026-02-20', 10), { date: '2026-03-10', provisional: false });
    assert.deepEqual(addWorkingDays('2026-02-20', 9), { date: '2026-03-06', provisional: false });
    assert.deepEqual(addWorkingDays('2026-03-10', 0), { date: '2026-03-10', provisional: false });
    assert.equal(workingDaysBetween('2026-02-20', '2026-03-10').days, 10);
    assert.equal(workingDaysBetween('2026-03-10', '2026-02-20').days, -10);
  });

  it('starts counting the day after the event, also when the event is on a day off', () => {
    assert.deepEqual(addWorkingDays('2026-03-08', 1), { date: '2026-03-10', provisional: false });
    assert.deepEqual(addWorkingDays('2026-03-09', 1), { date: '2026-03-10', provisional: false });
  });

  it('marks a count that reaches into 2027 as provisional', () => {
    // 28, 29, 30 Dec (31 Dec is off), then 1-8 Jan 2027 are holidays: 11-15, 18, 19 Jan.
    assert.deepEqual(addWorkingDays('2026-12-25', 10), { date: '2027-01-19', provisional: true });
    assert.deepEqual(addWorkingDays('2026-12-25', 3), { date: '2026-12-30', provisional: false });
    assert.equal(productionCalendar.covers('2027-03-01'), false);
    assert.equal(addWorkingDays('2027-03-01', 0).provisional, true);
    assert.equal(workingDaysBetween('2026-12-01', '2027-01-01').provisional, true);
    assert.equal(workingDaysBetween('2026-12-01', '2026-12-31').provisional, false);
  });

  it('counts a year without data by art. 112: fixed holidays and the part-2 weekend moves', () => {
    assert.equal(isWorkingDay('2027-01-08'), false);
    assert.equal(isWorkingDay('2027-01-11'), true);
    assert.equal(isWorkingDay('2027-05-03'), false); // 1 May 2027 is a Saturday
    assert.equal(isWorkingDay('2027-05-10'), false); // 9 May 2027 is a Sunday
    assert.equal(isWorkingDay('2027-06-14'), false); // 12 June 2027 is a Saturday
    assert.equal(isWorkingDay('2027-11-04'), false); // a Thursday holiday
    assert.equal(isWorkingDay('2027-11-05'), true);
  });

  it('reproduces a known year from art. 112 alone except the decree moves', () => {
    const bare = ProductionCalendar.fromData({ years: {} });
    const fallback = daysOffIn(bare, 2026);
    const official = daysOffIn(productionCalendar, 2026);
    // The 2026 decree moved 3 and 4 January (a Saturday and a Sunday) to 9 January and 31 December.
    assert.deepEqual(
      official.filter((d) => !fallback.includes(d)),
      ['2026-01-09', '2026-12-31'],
    );
    assert.deepEqual(
      fallback.filter((d) => !official.includes(d)),
      [],
    );
    assert.equal(bare.addWorkingDays('2026-03-06', 1).provisional, true);
  });

  it('rejects malformed calendar data', () => {
    const bad = (years: unknown) =>
      assert.throws(
        () => ProductionCalendar.fromData({ years }),
        (e: unknown) => e instanceof AppError && e.code === ErrorCode.ValidationFailed,
      );
    bad({ 2026: { holidays: ['2026-03-07'], workingWeekends: [] } }); // a Saturday
    bad({ 2026: { holidays: ['2025-03-10'], workingWeekends: [] } }); // another year
    bad({ 2026: { holidays: [], workingWeekends: ['2026-03-10'] } }); // a Tuesday
    bad({ 2026: { holidays: ['2026-02-30'], workingWeekends: [] } });
    bad({ 2026: { holidays: [] } });
    bad({ '26': { holidays: [], workingWeekends: [] } });
    assert.ok(
      ProductionCalendar.fromData({ years: { 2026: { holidays: ['2026-03-10'], workingWeekends: [] } } }),
    );
  });

  it('refuses a negative or fractional number of working days', () => {
    assert.throws(() => addWorkingDays('2026-03-06', -1), AppError);
    assert.throws(() => addWorkingDays('2026-03-06', 1.5), AppError);
  });
});
