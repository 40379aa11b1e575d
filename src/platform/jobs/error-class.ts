/**
 * What a job or a message records about a failure: the error's class and code, never its message.
 * Messages quote their input (a driver's "invalid input syntax for type uuid: ..." does, an SMTP
 * server's "550 no such user <ivanova@...>" does), and the jobs and outbox tables are not a place
 * for personal data.
 *
 * @example
 *   errorClassOf(new AppError(ErrorCode.NotFound, 'x')); // 'AppError:not_found'
 *   errorClassOf(pgError); // 'DatabaseError:23505'
 */
import { AppError, ErrorCode } from '../errors.ts';

const SAFE = /^[A-Za-z0-9_.:-]{1,60}$/;

export function errorClassOf(e: unknown): string {
  if (e instanceof AppError) return `AppError:${e.code}`;
  if (e instanceof Error) {
    const name = SAFE.test(e.name) ? e.name : 'Error';
    const o = e as { code?: unknown; responseCode?: unknown };
    const parts = [name];
    if ((typeof o.code === 'string' || typeof o.code === 'number') && SAFE.test(String(o.code))) {
      parts.push(String(o.code));
    }
    // SMTP replies carry a numeric code worth keeping (450 retry later, 550 refused).
    if (typeof o.responseCode === 'number') parts.push(String(o.responseCode));
    return parts.join(':');
  }
  return `thrown:${typeof e}`;
}

/**
 * Whether retrying cannot help: the work itself was refused as invalid (AppError bad_request or
 * validation_failed). Anything else (a lost connection, a timeout, a server saying "try later")
 * is worth another attempt.
 */
export function isPermanentFailure(e: unknown): boolean {
  return e instanceof AppError && (e.code === ErrorCode.BadRequest || e.code === ErrorCode.ValidationFailed);
}
