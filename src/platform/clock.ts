/**
 * Time is a dependency: services call `clock.now()`, never `new Date()`, so deadline and retention
 * logic can be tested at its exact edges.
 *
 * @example
 *   const clock = fixedClock(new Date('2026-01-01T00:00:00Z'));
 *   clock.advance(60_000);
 */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

export interface TestClock extends Clock {
  set(d: Date): void;
  advance(ms: number): void;
}

export function fixedClock(start: Date): TestClock {
  let t = start.getTime();
  return {
    now: () => new Date(t),
    set: (d) => {
      t = d.getTime();
    },
    advance: (ms) => {
      t += ms;
    },
  };
}
