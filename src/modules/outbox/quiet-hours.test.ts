import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  DEFAULT_QUIET_WINDOW,
  formatClockTime,
  nextAllowedMoment,
  parseClockTime,
  type QuietWindow,
} from './quiet-hours.ts';

const at = (iso: string) => new Date(iso);
const next = (iso: string, zone: string, w: QuietWindow | null = DEFAULT_QUIET_WINDOW) =>
  nextAllowedMoment(at(iso), w, zone).toISOString();

describe('quiet hours', () => {
  it('Moscow (UTC+3): 20:59:59 sends, 21:00:00 waits until 09:00:00 local', () => {
    assert.equal(next('2026-03-16T17:59:59.000Z', 'Europe/Moscow'), '2026-03-16T17:59:59.000Z');
    assert.equal(next('2026-03-16T17:59:59.999Z', 'Europe/Moscow'), '2026-03-16T17:59:59.999Z');
    assert.equal(next('2026-03-16T18:00:00.000Z', 'Europe/Moscow'), '2026-03-17T06:00:00.000Z');
    // Through midnight: 23:59:59.999 and 00:00 wait for the same morning.
    assert.equal(next('2026-03-16T20:59:59.999Z', 'Europe/Moscow'), '2026-03-17T06:00:00.000Z');
    assert.equal(next('2026-03-16T21:00:00.000Z', 'Europe/Moscow'), '2026-03-17T06:00:00.000Z');
    // The morning edge: 08:59:59 waits one second, 09:00:00 sends.
    assert.equal(next('2026-03-17T05:59:59.000Z', 'Europe/Moscow'), '2026-03-17T06:00:00.000Z');
    assert.equal(next('2026-03-17T06:00:00.000Z', 'Europe/Moscow'), '2026-03-17T06:00:00.000Z');
  });

  it('Yekaterinburg (UTC+5): the same edges on its own wall clock', () => {
    assert.equal(next('2026-03-16T15:59:59.000Z', 'Asia/Yekaterinburg'), '2026-03-16T15:59:59.000Z');
    assert.equal(next('2026-03-16T16:00:00.000Z', 'Asia/Yekaterinburg'), '2026-03-17T04:00:00.000Z');
    assert.equal(next('2026-03-17T03:59:59.000Z', 'Asia/Yekaterinburg'), '2026-03-17T04:00:00.000Z');
    assert.equal(next('2026-03-17T04:00:00.000Z', 'Asia/Yekaterinburg'), '2026-03-17T04:00:00.000Z');
    // 18:00 in Moscow is 20:00 in Yekaterinburg: allowed there, quiet in Moscow an hour later.
    assert.equal(next('2026-03-16T15:00:00.000Z', 'Asia/Yekaterinburg'), '2026-03-16T15:00:00.000Z');
  });

  it('over the new year, and a window that does not cross midnight', () => {
    assert.equal(next('2026-12-31T18:30:00.000Z', 'Europe/Moscow'), '2027-01-01T06:00:00.000Z');
    const lunch = { start: 13 * 60, end: 14 * 60 };
    assert.equal(next('2026-03-16T09:59:59.000Z', 'Europe/Moscow', lunch), '2026-03-16T09:59:59.000Z');
    assert.equal(next('2026-03-16T10:00:00.000Z', 'Europe/Moscow', lunch), '2026-03-16T11:00:00.000Z');
    assert.equal(next('2026-03-16T11:00:00.000Z', 'Europe/Moscow', lunch), '2026-03-16T11:00:00.000Z');
    assert.equal(next('2026-03-16T19:00:00.000Z', 'Europe/Moscow', lunch), '2026-03-16T19:00:00.000Z');
  });

  it('no window: never held back', () => {
    assert.equal(next('2026-03-16T20:00:00.000Z', 'Europe/Moscow', null), '2026-03-16T20:00:00.000Z');
  });

  it('reads and writes HH:MM', () => {
    assert.equal(parseClockTime('21:00'), 1260);
    assert.equal(parseClockTime(' 09:05 '), 545);
    assert.equal(parseClockTime('00:00'), 0);
    assert.equal(parseClockTime('23:59'), 1439);
    for (const bad of ['24:00', '9:00', '21:60', '2100', '', '21:00:00'])
      assert.equal(parseClockTime(bad), undefined);
    assert.equal(formatClockTime(545), '09:05');
    assert.equal(formatClockTime(1260), '21:00');
  });
});
