import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assertNoPersonalDataInLogs } from './log-check.ts';

const LINES = [
  '{"level":30,"msg":"subject destroyed","subjectId":"3f0c"}',
  '{"level":30,"msg":"request completed","url":"/console"}',
];

describe('assertNoPersonalDataInLogs', () => {
  it('passes a log that was written and holds none of the values', () => {
    assertNoPersonalDataInLogs(LINES, ['Анна', '9123456789'], {
      expect: ['subject destroyed', /"level":30/],
    });
  });

  it('fails on an empty log, which would otherwise prove nothing', () => {
    assert.throws(() => assertNoPersonalDataInLogs([], ['Анна']), {
      name: 'AssertionError',
      message: /the log is empty/,
    });
  });

  it('fails when the log does not show the checked actions', () => {
    assert.throws(() => assertNoPersonalDataInLogs(LINES, ['Анна'], { expect: 'inquiry received' }), {
      name: 'AssertionError',
      message: /does not show the checked actions \(inquiry received\)/,
    });
  });

  it('fails on a leak and names the value and its line', () => {
    const lines = [...LINES, '{"level":40,"msg":"bad phone","phone":"+79123456789"}'];
    assert.throws(() => assertNoPersonalDataInLogs(lines, ['Анна', '9123456789']), {
      name: 'AssertionError',
      message: /9123456789 in \{"level":40,"msg":"bad phone"/,
    });
  });

  it('compares in lower case when asked, and only then', () => {
    const lines = [...LINES, '{"msg":"sent","to":"anna.petrova@example.ru"}'];
    assertNoPersonalDataInLogs(lines, ['Anna.Petrova']);
    assert.throws(() => assertNoPersonalDataInLogs(lines, ['Anna.Petrova'], { ignoreCase: true }), {
      name: 'AssertionError',
    });
  });

  it('refuses an empty list of values or an empty value, which would match nothing or anything', () => {
    assert.throws(() => assertNoPersonalDataInLogs(LINES, []), { name: 'AssertionError' });
    assert.throws(() => assertNoPersonalDataInLogs(LINES, ['']), { name: 'AssertionError' });
  });
});
