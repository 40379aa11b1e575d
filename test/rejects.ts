/**
 * The one way a test expects a service to refuse: the promise rejects with an AppError of this code
 * (and, when a field is named, a validation issue at that field among the error's fields).
 *
 * @example
 *   await rejectsWith(service.create(principal, input), ErrorCode.ValidationFailed, 'phone');
 */
import assert from 'node:assert/strict';
import { AppError, type ErrorCode } from '../src/platform/errors.ts';

export async function rejectsWith(p: Promise<unknown>, code: ErrorCode, field?: string): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof AppError, `expected AppError, got ${String(e)}`);
    assert.equal(e.code, code, e.message);
    if (field !== undefined) {
      assert.ok(
        e.details?.fields?.some((f) => f.path === field),
        `expected an issue at ${field}, got ${JSON.stringify(e.details?.fields)}`,
      );
    }
    return true;
  });
}
