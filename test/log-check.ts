/**
 * The one check that personal data stayed out of the captured log lines. It fails when the log is
 * empty (a logger that wrote nowhere, or a scenario that logged nothing, would otherwise pass every
 * "not in the logs" check), when a line shows no sign of the scenario it is meant to cover
 * (`expect`), and names each leaked value with the start of its line.
 *
 * @example
 *   assertNoPersonalDataInLogs(env.logs, ['Анна', '9123456789'], { expect: 'subject destroyed' });
 */
import assert from 'node:assert/strict';

export interface LogCheckOptions {
  /** Compare in lower case (for e-mail addresses and other values whose case may change). */
  ignoreCase?: boolean;
  /** Text or pattern the log must contain: proof that the checked actions were logged at all. */
  expect?: string | RegExp | readonly (string | RegExp)[];
}

/**
 * Fails unless `lines` holds at least one line, matches every `expect`, and contains none of the
 * `needles` (non-empty values: an empty needle would match anything).
 */
export function assertNoPersonalDataInLogs(
  lines: readonly string[],
  needles: readonly string[],
  opts: LogCheckOptions = {},
): void {
  assert.ok(lines.length > 0, 'the log is empty, so it cannot show that personal data stayed out of it');
  assert.ok(needles.length > 0 && needles.every((n) => n.length > 0), 'name the values to look for');
  const text = lines.join('\n');
  const expected = opts.expect === undefined ? [] : [opts.expect].flat();
  for (const e of expected) {
    const found = typeof e === 'string' ? text.includes(e) : text.search(e) >= 0;
    assert.ok(found, `the log does not show the checked actions (${String(e)})`);
  }
  const fold = (s: string) => (opts.ignoreCase ? s.toLowerCase() : s);
  const leaks = lines.flatMap((line) =>
    needles.filter((n) => fold(line).includes(fold(n))).map((n) => `${n} in ${line.slice(0, 200)}`),
  );
  assert.deepEqual(leaks, [], 'personal data in the log');
}
