import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createTestEnv, type TestEnv } from '../../../test/harness.ts';
import { createPool, Database } from '../db/database.ts';
import { nextOccurrence, Scheduler, type Schedule } from './index.ts';

const MSK = 'Europe/Moscow';
const at = (iso: string): Date => new Date(iso);

describe('schedule slots', () => {
  it('takes the next interval slot strictly after now, aligned to the epoch', () => {
    const every = { intervalMs: 5000 };
    assert.deepEqual(nextOccurrence(every, at('2026-03-02T09:00:04.999Z'), MSK), {
      slot: '2026-03-02T09:00:05.000Z',
      runAt: at('2026-03-02T09:00:05.000Z'),
    });
    assert.equal(nextOccurrence(every, at('2026-03-02T09:00:05.000Z'), MSK).slot, '2026-03-02T09:00:10.000Z');
  });

  it('takes the next daily time in the installation time zone', () => {
    const every = { dailyAt: '03:30' };
    // 03:30 in Moscow (UTC+3) is 00:30 UTC.
    assert.deepEqual(nextOccurrence(every, at('2026-03-02T00:29:59.999Z'), MSK), {
      slot: '2026-03-02',
      runAt: at('2026-03-02T00:30:00.000Z'),
    });
    assert.deepEqual(nextOccurrence(every, at('2026-03-02T00:30:00.000Z'), MSK), {
      slot: '2026-03-03',
      runAt: at('2026-03-03T00:30:00.000Z'),
    });
    // 22:00 UTC on the 1st is already 01:00 on the 2nd in Moscow.
    assert.equal(nextOccurrence(every, at('2026-03-01T22:00:00Z'), MSK).slot, '2026-03-02');
  });

  it('follows daylight-saving changes in zones that have them', () => {
    const every = { dailyAt: '03:30' };
    // Berlin moves from UTC+1 to UTC+2 on 2026-03-29.
    assert.deepEqual(
      nextOccurrence(every, at('2026-03-28T12:00:00Z'), 'Europe/Berlin').runAt,
      at('2026-03-29T01:30:00Z'),
    );
    assert.deepEqual(
      nextOccurrence(every, at('2026-03-29T12:00:00Z'), 'Europe/Berlin').runAt,
      at('2026-03-30T01:30:00Z'),
    );
  });

  it('refuses a malformed daily time', () => {
    assert.throws(() => nextOccurrence({ dailyAt: '3:30' }, new Date(0), MSK), /HH:MM/);
    assert.throws(() => nextOccurrence({ dailyAt: '24:00' }, new Date(0), MSK), /HH:MM/);
  });
});

describe('scheduler', () => {
  let env: TestEnv;
  const pools: Database[] = [];
  before(async () => {
    env = await createTestEnv({ start: new Date('2026-03-02T09:00:01Z') });
  });
  after(async () => {
    for (const p of pools) await p.close();
    await env.close();
  });

  const schedules: Schedule[] = [
    { name: 'every-minute', kind: 'test.minute', every: { intervalMs: 60_000 }, why: 'test' },
    { name: 'nightly', kind: 'test.nightly', every: { dailyAt: '03:30' }, why: 'test' },
  ];

  const instance = (): Scheduler => {
    const db = new Database(createPool({ url: env.adminUrls.data, max: 2 }));
    pools.push(db);
    return new Scheduler({ db, queue: env.ctx.services.jobs, clock: env.clock, schedules, timeZone: MSK });
  };

  const scheduled = async () =>
    (
      await env.ctx.db.query<{ dedupe_key: string; kind: string; run_at: Date }>(
        "SELECT dedupe_key, kind, run_at FROM jobs WHERE dedupe_key LIKE 'schedule:%' ORDER BY run_at, dedupe_key",
      )
    ).rows;

  it('enqueues one occurrence per slot however many schedulers tick', async () => {
    const [a, b] = [instance(), instance()];
    const created = await Promise.all([a.tick(), b.tick()]);
    assert.equal(created[0] + created[1], 2, 'each occurrence created by exactly one scheduler');
    assert.deepEqual(await scheduled(), [
      {
        dedupe_key: 'schedule:every-minute:2026-03-02T09:01:00.000Z',
        kind: 'test.minute',
        run_at: at('2026-03-02T09:01:00Z'),
      },
      { dedupe_key: 'schedule:nightly:2026-03-03', kind: 'test.nightly', run_at: at('2026-03-03T00:30:00Z') },
    ]);

    // Within the same slot nothing new, from either; a fresh process (no memory) adds nothing either.
    env.clock.set(at('2026-03-02T09:00:59.999Z'));
    assert.deepEqual(await Promise.all([a.tick(), b.tick(), instance().tick()]), [0, 0, 0]);

    // At the slot's start the next one is enqueued, once.
    env.clock.set(at('2026-03-02T09:01:00Z'));
    const next = await Promise.all([a.tick(), b.tick()]);
    assert.equal(next[0] + next[1], 1);
    const keys = (await scheduled()).map((r) => r.dedupe_key);
    assert.deepEqual(keys, [
      'schedule:every-minute:2026-03-02T09:01:00.000Z',
      'schedule:every-minute:2026-03-02T09:02:00.000Z',
      'schedule:nightly:2026-03-03',
    ]);
  });

  it('refuses two schedules with one name', () => {
    assert.throws(
      () =>
        new Scheduler({
          db: env.ctx.db,
          queue: env.ctx.services.jobs,
          clock: env.clock,
          schedules: [schedules[0]!, schedules[0]!],
          timeZone: MSK,
        }),
      /Two schedules/,
    );
  });
});
