import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ACCOUNT_RULE, countAttempt, lockedSeconds, type ThrottleState } from './login-throttle.ts';

const MIN = 60_000;
const t0 = new Date('2026-03-02T09:00:00Z');
const at = (ms: number) => new Date(t0.getTime() + ms);

function fail(state: ThrottleState | undefined, ms: number) {
  return countAttempt(state, at(ms), ACCOUNT_RULE);
}

describe('login throttle rules', () => {
  it('locks at the 5th failure in the window, for 15 minutes, to the second', () => {
    let s: ThrottleState | undefined;
    for (let i = 0; i < 4; i++) {
      const r = fail(s, i * MIN);
      assert.equal(r.lockedNow, false);
      s = r.state;
    }
    const fifth = fail(s, 4 * MIN);
    assert.equal(fifth.lockedNow, true);
    assert.deepEqual(fifth.state.lockedUntil, at(4 * MIN + 15 * MIN));
    assert.equal(lockedSeconds(fifth.state, at(4 * MIN)), 900);
    assert.equal(lockedSeconds(fifth.state, at(19 * MIN - 1000)), 1);
    assert.equal(lockedSeconds(fifth.state, at(19 * MIN)), 0);
  });

  it('forgets failures a window after the run started', () => {
    let s = fail(undefined, 0).state;
    for (let i = 1; i < 4; i++) s = fail(s, i * 1000).state;
    // Just inside the window the 5th failure still counts.
    assert.equal(fail(s, 15 * MIN - 1).lockedNow, true);
    // At the window's end the run starts over.
    const fresh = fail(s, 15 * MIN);
    assert.equal(fresh.lockedNow, false);
    assert.equal(fresh.state.failures, 1);
  });

  it('doubles the lock for failures that resume right after it, up to a day', () => {
    let s: ThrottleState | undefined;
    let t = 0;
    const locks: number[] = [];
    for (let round = 0; round < 9; round++) {
      for (let i = 0; i < 5; i++) {
        const r = fail(s, t);
        s = r.state;
        if (r.lockedNow) {
          locks.push((s.lockedUntil!.getTime() - at(t).getTime()) / MIN);
          t = s.lockedUntil!.getTime() - t0.getTime();
        }
      }
    }
    assert.deepEqual(locks, [15, 30, 60, 120, 240, 480, 960, 1440, 1440]);
  });

  it('forgets the run a window after the last lock ended', () => {
    let s: ThrottleState | undefined;
    for (let i = 0; i < 5; i++) s = fail(s, 0).state;
    const lockEnd = 15 * MIN;
    assert.equal(fail(s, lockEnd + 15 * MIN - 1).state.failures, 6);
    assert.equal(fail(s, lockEnd + 15 * MIN).state.failures, 1);
  });
});
