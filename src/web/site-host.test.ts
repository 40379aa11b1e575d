import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { HostMatch } from '../modules/operators/index.ts';
import { fixedClock } from '../platform/clock.ts';
import { HostCache } from './site-host.ts';

const MATCH = { operator: { id: 'op' }, site: { id: 'site' } } as unknown as HostMatch;

function counting(answer: HostMatch | undefined) {
  const asked: string[] = [];
  return { asked, lookup: async (h: string) => (asked.push(h), answer) };
}

describe('HostCache', () => {
  it('asks once per host within the time to live, and again exactly when it has passed', async () => {
    const clock = fixedClock(new Date('2026-03-02T09:00:00Z'));
    const l = counting(MATCH);
    const cache = new HostCache(l.lookup, clock, 5000);
    assert.equal(await cache.find('Clinic.example'), MATCH);
    clock.advance(4999);
    assert.equal(await cache.find('clinic.example'), MATCH);
    assert.deepEqual(l.asked, ['clinic.example']);
    clock.advance(1);
    await cache.find('clinic.example');
    assert.deepEqual(l.asked, ['clinic.example', 'clinic.example']);
  });

  it('remembers unknown hosts too, never asks for an absent or absurd one, and stays bounded', async () => {
    const clock = fixedClock(new Date('2026-03-02T09:00:00Z'));
    const l = counting(undefined);
    const cache = new HostCache(l.lookup, clock, 5000, 3);
    assert.equal(await cache.find('nobody.example'), undefined);
    assert.equal(await cache.find('nobody.example'), undefined);
    assert.equal(await cache.find(undefined), undefined);
    assert.equal(await cache.find('x'.repeat(301)), undefined);
    assert.deepEqual(l.asked, ['nobody.example']);
    for (const h of ['a', 'b', 'c']) await cache.find(h);
    // The table was full at the fourth host and started over: the first one is asked again.
    await cache.find('nobody.example');
    assert.equal(l.asked.filter((h) => h === 'nobody.example').length, 2);
  });
});
