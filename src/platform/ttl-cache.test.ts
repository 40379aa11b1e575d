import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fixedClock } from './clock.ts';
import { TtlCache } from './ttl-cache.ts';

describe('TtlCache', () => {
  it('serves an entry until exactly its time to live has passed', async () => {
    const clock = fixedClock(new Date('2026-11-21T10:00:00Z'));
    const cache = new TtlCache<number>(clock, 5000);
    let loads = 0;
    const load = async () => ++loads;
    assert.equal(await cache.get('k', load), 1);
    clock.advance(4999);
    assert.equal(await cache.get('k', load), 1);
    clock.advance(1);
    assert.equal(await cache.get('k', load), 2);
  });

  it('shares one load between concurrent misses, and forgets a failed one', async () => {
    const cache = new TtlCache<string>(fixedClock(new Date()), 5000);
    let loads = 0;
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const slow = async () => {
      loads += 1;
      await gate;
      return 'v';
    };
    const both = Promise.all([cache.get('k', slow), cache.get('k', slow)]);
    release();
    assert.deepEqual(await both, ['v', 'v']);
    assert.equal(loads, 1);

    await assert.rejects(
      cache.get('bad', () => Promise.reject(new Error('down'))),
      /down/,
    );
    assert.equal(await cache.get('bad', async () => 'up'), 'up');
  });

  it('is emptied by clear and delete, and when full', async () => {
    const cache = new TtlCache<string>(fixedClock(new Date()), 5000, 2);
    await cache.get('a', async () => 'a1');
    await cache.get('b', async () => 'b1');
    cache.delete('a');
    assert.equal(await cache.get('a', async () => 'a2'), 'a2');
    // Full (a, b): the next new key empties the table first.
    await cache.get('c', async () => 'c1');
    assert.equal(await cache.get('b', async () => 'b2'), 'b2');
    cache.clear();
    assert.equal(await cache.get('c', async () => 'c2'), 'c2');
  });
});
