/**
 * Parsing input against a zod schema inside services (callers other than HTTP routes skip the
 * route's schema). A failure is one AppError(ValidationFailed) with field paths and messages that
 * never quote the input, so no personal data can travel in an error body.
 *
 * @example
 *   const data = parseInput(OperatorPatch, body); // typed as the schema's output
 */
import type { z } from 'zod';
import { AppError, ErrorCode, type FieldIssue } from './errors.ts';

const SAFE_FIELD_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

/** A field name is the client's own text: echo it only when it looks like a field name. */
export function safeFieldName(name: string): string {
  return SAFE_FIELD_NAME.test(name) ? name : '(unknown field)';
}

export function fieldIssuesOf(error: z.ZodError): FieldIssue[] {
  return error.issues.flatMap((i) => {
    const at = i.path.map(String).join('.');
    if (i.code === 'unrecognized_keys') {
      return i.keys.slice(0, 5).map((k) => ({
        path: at ? `${at}.${safeFieldName(k)}` : safeFieldName(k),
        message: 'Unknown field',
      }));
    }
    return [{ path: at, message: i.message }];
  });
}

export function parseInput<S extends z.ZodType>(
  schema: S,
  input: unknown,
  message = 'The request did not pass validation',
): z.output<S> {
  const r = schema.safeParse(input);
  if (r.success) return r.data;
  throw new AppError(ErrorCode.ValidationFailed, message, { fields: fieldIssuesOf(r.error) });
}
