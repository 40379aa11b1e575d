import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { AppError, ErrorCode } from '../errors.ts';
import {
  DEFAULT_CLINIC_HOURS,
  WorkingHours,
  firstContactDue,
  localDateOf,
  openIntervalsOn,
  type OpenInterval,
} from './working-hours.ts';

const MSK = 'Europe/Moscow';
const YEKT = 'Asia/Yekaterinburg';

/** A Moscow wall time (UTC+3 since 2014) as an instant. */
const msk = (local: string) => new Date(`${local}+03:00`);
const due = (at: Date, hours: WorkingHours = DEFAULT_CLINIC_HOURS, zone = MSK, sla?: number) =>
  firstContactDue(at, hours, zone, sla).toISOString();
const iso = (local: string) => msk(local).toISOString();

const weekdays = (intervals: OpenInterval[]): WorkingHours => ({
  mon: intervals,
  tue: intervals,
  wed: intervals,
  thu: intervals,
  fri: intervals,
  sat: [],
  sun: [],
  openOnPublicHolidays: false,
});

describe('firstContactDue', () => {
  // 2026-03-16 is an ordinary Monday; the hours are 08:00-20:00.
  it('is at + 15 minutes inside hours, and the edge of closing time is exact', () => {
    assert.equal(due(msk('2026-03-16T10:00:00')), iso('2026-03-16T10:15:00'));
    assert.equal(due(msk('2026-03-16T19:44:59')), iso('2026-03-16T19:59:59'));
    assert.equal(due(msk('2026-03-16T19:45:00')), iso('2026-03-16T20:00:00'));
    // One second of the 15 minutes is left at closing: it runs from Tuesday's opening.
    assert.equal(due(msk('2026-03-16T19:45:01')), iso('2026-03-17T08:00:01'));
    assert.equal(due(msk('2026-03-16T19:59:59.500')), iso('2026-03-17T08:14:59.500'));
    // Closed at 20:00:00 (intervals are half-open): the next opening + 15.
    assert.equal(due(msk('2026-03-16T20:00:00')), iso('2026-03-17T08:15:00'));
    assert.equal(due(msk('2026-03-17T07:59:59')), iso('2026-03-17T08:15:00'));
    assert.equal(due(msk('2026-03-17T08:00:00')), iso('2026-03-17T08:15:00'));
    assert.equal(due(msk('2026-03-17T03:00:00')), iso('2026-03-17T08:15:00'));
  });

  it('goes from Friday evening to Saturday 09:15, and from Saturday after 15:00 to Monday 08:15', () => {
    assert.equal(due(msk('2026-03-20T20:30:00')), iso('2026-03-21T09:15:00'));
    assert.equal(due(msk('2026-03-21T14:44:59')), iso('2026-03-21T14:59:59'));
    assert.equal(due(msk('2026-03-21T15:00:00')), iso('2026-03-23T08:15:00'));
    assert.equal(due(msk('2026-03-22T12:00:00')), iso('2026-03-23T08:15:00'));
  });

  it('skips the May 2026 holidays: 1 May, 9 May on a Saturday, and 11 May moved from it', () => {
    assert.equal(due(msk('2026-04-30T20:05:00')), iso('2026-05-02T09:15:00')); // an ordinary Saturday
    assert.equal(due(msk('2026-05-01T10:00:00')), iso('2026-05-02T09:15:00'));
    assert.equal(due(msk('2026-05-08T20:00:00')), iso('2026-05-12T08:15:00'));
    assert.equal(
      due(msk('2026-04-30T20:05:00'), weekdays([{ from: '08:00', to: '20:00' }])),
      iso('2026-05-04T08:15:00'),
    );
  });

  it('skips the New Year holidays 2026: 31 Dec, 1-8 Jan and 9 Jan moved by the decree', () => {
    assert.equal(due(msk('2025-12-30T19:50:00')), iso('2026-01-10T09:05:00')); // Saturday 10 Jan is ordinary
    const weekdaysOnly = weekdays([{ from: '08:00', to: '20:00' }]);
    assert.equal(due(msk('2025-12-30T19:50:00'), weekdaysOnly), iso('2026-01-12T08:05:00'));
    assert.equal(due(msk('2026-01-03T10:00:00')), iso('2026-01-10T09:15:00')); // a Saturday holiday
  });

  it('uses Friday hours on a working Saturday (1 November 2025)', () => {
    assert.equal(due(msk('2025-10-31T20:00:00')), iso('2025-11-01T08:15:00'));
    // Then Sunday, 3 Nov (moved) and 4 Nov (holiday) are closed.
    assert.equal(due(msk('2025-11-01T19:50:00')), iso('2025-11-05T08:05:00'));
  });

  it('keeps the weekly hours on holidays for a clinic that asks so', () => {
    const always = { ...DEFAULT_CLINIC_HOURS, openOnPublicHolidays: true };
    assert.equal(due(msk('2026-04-30T20:05:00'), always), iso('2026-05-01T08:15:00'));
    assert.deepEqual(openIntervalsOn('2026-05-09', always), [{ from: '09:00', to: '15:00' }]);
    assert.deepEqual(openIntervalsOn('2026-05-09', DEFAULT_CLINIC_HOURS), []);
  });

  it('reads the wall clock of the clinic: the same instant in Yekaterinburg and in Moscow', () => {
    const at = new Date('2026-03-16T15:00:00Z'); // 18:00 in Moscow, 20:00 in Yekaterinburg
    assert.equal(due(at, DEFAULT_CLINIC_HOURS, MSK), '2026-03-16T15:15:00.000Z');
    assert.equal(due(at, DEFAULT_CLINIC_HOURS, YEKT), '2026-03-17T03:15:00.000Z'); // 08:15 UTC+5
    const early = new Date('2026-03-17T03:30:00Z'); // 06:30 in Moscow, 08:30 in Yekaterinburg
    assert.equal(due(early, DEFAULT_CLINIC_HOURS, MSK), '2026-03-17T05:15:00.000Z');
    assert.equal(due(early, DEFAULT_CLINIC_HOURS, YEKT), '2026-03-17T03:45:00.000Z');
    // 23:30 UTC on Friday is already Saturday 04:30 in Yekaterinburg: the local date decides.
    assert.equal(localDateOf(new Date('2026-03-20T23:30:00Z'), YEKT), '2026-03-21');
    assert.equal(
      due(new Date('2026-03-20T23:30:00Z'), DEFAULT_CLINIC_HOURS, YEKT),
      '2026-03-21T04:15:00.000Z',
    );
  });

  it('follows a zone whose offset changes (Berlin on the spring clock change of 2026)', () => {
    const berlin = 'Europe/Berlin';
    // Saturday 28 March 20:00 CET (UTC+1) -> Monday 30 March 08:15 CEST (UTC+2).
    assert.equal(
      due(new Date('2026-03-28T19:00:00Z'), weekdays([{ from: '08:00', to: '20:00' }]), berlin),
      '2026-03-30T06:15:00.000Z',
    );
  });

  it('takes the offset from the zone at that date, even where it moved', () => {
    // Moscow kept UTC+4 from 2011 to October 2014: Monday 18 March 2013 at 19:50 local is 15:50 UTC.
    assert.equal(due(new Date('2013-03-18T15:50:00Z')), '2013-03-19T04:05:00.000Z');
    // Berlin leaves summer time at 03:00 CEST on 25 October 2026: 01:30 that night is still UTC+2.
    const nightSunday: WorkingHours = { ...weekdays([]), sun: [{ from: '01:30', to: '05:00' }] };
    assert.equal(
      due(new Date('2026-10-24T20:00:00Z'), nightSunday, 'Europe/Berlin'),
      '2026-10-24T23:45:00.000Z',
    );
  });

  it('with an SLA of 0 is the moment itself inside hours, and the next opening outside', () => {
    assert.equal(due(msk('2026-03-16T19:59:59'), DEFAULT_CLINIC_HOURS, MSK, 0), iso('2026-03-16T19:59:59'));
    assert.equal(due(msk('2026-03-16T20:00:00'), DEFAULT_CLINIC_HOURS, MSK, 0), iso('2026-03-17T08:00:00'));
  });

  it('continues after a lunch break and across midnight', () => {
    const lunch = weekdays([
      { from: '08:00', to: '12:00' },
      { from: '13:00', to: '20:00' },
    ]);
    assert.equal(due(msk('2026-03-16T11:50:00'), lunch), iso('2026-03-16T13:05:00'));
    assert.equal(due(msk('2026-03-16T12:30:00'), lunch), iso('2026-03-16T13:15:00'));
    const allDay = [{ from: '00:00', to: '24:00' }];
    const always: WorkingHours = {
      ...weekdays(allDay),
      sat: allDay,
      sun: allDay,
      openOnPublicHolidays: true,
    };
    assert.equal(due(msk('2026-03-16T23:50:00'), always), iso('2026-03-17T00:05:00'));
    assert.equal(due(msk('2026-03-16T23:50:00'), always, MSK, 0), iso('2026-03-16T23:50:00'));
    assert.equal(due(msk('2026-03-16T23:50:00'), always, MSK, 60 * 24), iso('2026-03-17T23:50:00'));
  });

  it('gives up after 30 days without open time, and refuses a bad zone or SLA', () => {
    const never: WorkingHours = { ...weekdays([]), openOnPublicHolidays: false };
    const internal = (e: unknown) => e instanceof AppError && e.code === ErrorCode.Internal;
    assert.throws(() => firstContactDue(msk('2026-03-16T10:00:00'), never, MSK), internal);
    assert.throws(
      () => firstContactDue(msk('2026-03-16T10:00:00'), DEFAULT_CLINIC_HOURS, 'Mars/Olympus'),
      internal,
    );
    assert.throws(() => firstContactDue(msk('2026-03-16T10:00:00'), DEFAULT_CLINIC_HOURS, MSK, -1), internal);
  });

  it('counts into a year without calendar data by art. 112', () => {
    // 31 Dec 2026 is off; 1-8 Jan 2027 are holidays (9 Jan is a Saturday).
    assert.equal(due(msk('2026-12-30T20:00:00')), iso('2027-01-09T09:15:00'));
  });
});

describe('WorkingHours schema', () => {
  const day = (intervals: unknown) => ({ ...DEFAULT_CLINIC_HOURS, mon: intervals });
  const rejects = (input: unknown) =>
    assert.equal(WorkingHours.safeParse(input).success, false, JSON.stringify(input));

  it('accepts the default clinic week and fills openOnPublicHolidays', () => {
    assert.deepEqual(WorkingHours.parse(DEFAULT_CLINIC_HOURS), DEFAULT_CLINIC_HOURS);
    const withoutFlag: Partial<WorkingHours> = { ...DEFAULT_CLINIC_HOURS };
    delete withoutFlag.openOnPublicHolidays;
    assert.equal(WorkingHours.parse(withoutFlag).openOnPublicHolidays, false);
    assert.ok(
      WorkingHours.parse(
        day([
          { from: '00:00', to: '12:00' },
          { from: '12:00', to: '24:00' },
        ]),
      ),
    );
  });

  it('rejects overlapping, unsorted or inverted intervals', () => {
    rejects(
      day([
        { from: '08:00', to: '13:00' },
        { from: '12:00', to: '20:00' },
      ]),
    );
    rejects(
      day([
        { from: '13:00', to: '20:00' },
        { from: '08:00', to: '12:00' },
      ]),
    );
    rejects(day([{ from: '20:00', to: '08:00' }]));
    rejects(day([{ from: '08:00', to: '08:00' }]));
  });

  it('rejects malformed times, unknown fields and a week without open hours', () => {
    for (const t of ['8:00', '08:0', '24:01', '25:00', '12:60', '08:00:00', '0800', '', ' 08:00']) {
      rejects(day([{ from: t, to: '23:00' }]));
    }
    rejects(day([{ from: '24:00', to: '24:00' }]));
    rejects(day([{ from: '08:00', to: '20:00', note: 'x' }]));
    rejects({ ...DEFAULT_CLINIC_HOURS, holidays: [] });
    const withoutSunday: Partial<WorkingHours> = { ...DEFAULT_CLINIC_HOURS };
    delete withoutSunday.sun;
    rejects(withoutSunday);
    rejects({ mon: [], tue: [], wed: [], thu: [], fri: [], sat: [], sun: [] });
  });
});
