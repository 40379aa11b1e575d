import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bucketOf, slidingDecision } from './sliding-window.ts';

const W = 600_000;

describe('sliding window of two buckets', () => {
  it('finds the bucket and the time into it', () => {
    assert.deepEqual(bucketOf(Date.parse('2026-03-02T09:07:30Z'), W), {
      startMs: Date.parse('2026-03-02T09:00:00Z'),
      elapsedMs: 450_000,
    });
  });

  it('allows up to the limit in a fresh window and refuses the next until the next bucket has slid enough', () => {
    assert.deepEqual(slidingDecision({ previous: 0, current: 2 }, 3, W, 450_000), { allowed: true });
    // 3 already: the 4th waits for the rest of this bucket (150 s) plus a third of the next (200 s),
    // when 3 × 2/3 + 1 = 3.
    assert.deepEqual(slidingDecision({ previous: 0, current: 3 }, 3, W, 450_000), {
      allowed: false,
      retryAfterSeconds: 350,
    });
    assert.deepEqual(slidingDecision({ previous: 3, current: 0 }, 3, W, 199_999), {
      allowed: false,
      retryAfterSeconds: 1,
    });
    assert.deepEqual(slidingDecision({ previous: 3, current: 0 }, 3, W, 200_000), { allowed: true });
  });

  it('weights the previous bucket by the part of it still inside the window (no burst at the boundary)', () => {
    // A fixed window would allow 10 more right after the boundary; the sliding one allows none.
    assert.equal(slidingDecision({ previous: 10, current: 0 }, 10, W, 0).allowed, false);
    // Half-way, half of the previous still counts: 5 + 4 + 1 = 10 is allowed, 5 + 5 + 1 is not.
    assert.equal(slidingDecision({ previous: 10, current: 4 }, 10, W, 300_000).allowed, true);
    const refused = slidingDecision({ previous: 10, current: 5 }, 10, W, 300_000);
    // 10 × (W − e)/W + 6 ≤ 10 from e = 360 s: 60 s later.
    assert.deepEqual(refused, { allowed: false, retryAfterSeconds: 60 });
    assert.equal(slidingDecision({ previous: 10, current: 5 }, 10, W, 359_999).allowed, false);
    assert.equal(slidingDecision({ previous: 10, current: 5 }, 10, W, 360_000).allowed, true);
  });

  it('never answers less than one second, and a full previous bucket holds for the whole next one', () => {
    assert.deepEqual(slidingDecision({ previous: 2, current: 0 }, 2, W, 299_999), {
      allowed: false,
      retryAfterSeconds: 1,
    });
    assert.deepEqual(slidingDecision({ previous: 2, current: 0 }, 2, W, 300_000), { allowed: true });
    // A limit of 1 used in the previous bucket: 1 × (W − e)/W + 1 ≤ 1 only when it has slid out.
    assert.deepEqual(slidingDecision({ previous: 1, current: 0 }, 1, W, 1), {
      allowed: false,
      retryAfterSeconds: 600,
    });
  });
});
