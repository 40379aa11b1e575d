/**
 * The one error type services throw. Handlers never branch on message text: they switch on `code`,
 * and the HTTP error handler maps each code to a status. Messages are for people and must never
 * contain personal data.
 *
 * @example
 *   throw new AppError(ErrorCode.NotFound, 'Inquiry not found');
 */
export enum ErrorCode {
  BadRequest = 'bad_request',
  ValidationFailed = 'validation_failed',
  InvalidJson = 'invalid_json',
  UnsupportedMediaType = 'unsupported_media_type',
  PayloadTooLarge = 'payload_too_large',
  Unauthenticated = 'unauthenticated',
  MfaRequired = 'mfa_required',
  Forbidden = 'forbidden',
  CsrfFailed = 'csrf_failed',
  NotFound = 'not_found',
  Conflict = 'conflict',
  /** An idempotency key sent again with a different request. */
  IdempotencyKeyReused = 'idempotency_key_reused',
  TooManyRequests = 'too_many_requests',
  AccountLocked = 'account_locked',
  SubjectDestroyed = 'subject_destroyed',
  Unavailable = 'unavailable',
  /** The database is out of reach (restarting, or the connection was lost); retry shortly. */
  DatabaseUnavailable = 'database_unavailable',
  Internal = 'internal',
}

export function httpStatusOf(code: ErrorCode): number {
  switch (code) {
    case ErrorCode.BadRequest:
    case ErrorCode.ValidationFailed:
    case ErrorCode.InvalidJson:
      return 400;
    case ErrorCode.Unauthenticated:
    case ErrorCode.MfaRequired:
      return 401;
    case ErrorCode.Forbidden:
    case ErrorCode.CsrfFailed:
      return 403;
    case ErrorCode.NotFound:
      return 404;
    case ErrorCode.Conflict:
    case ErrorCode.IdempotencyKeyReused:
      return 409;
    case ErrorCode.SubjectDestroyed:
      return 410;
    case ErrorCode.PayloadTooLarge:
      return 413;
    case ErrorCode.UnsupportedMediaType:
      return 415;
    case ErrorCode.AccountLocked:
    case ErrorCode.TooManyRequests:
      return 429;
    case ErrorCode.Unavailable:
    case ErrorCode.DatabaseUnavailable:
      return 503;
    case ErrorCode.Internal:
      return 500;
  }
}

export interface FieldIssue {
  path: string;
  message: string;
}

export class AppError extends Error {
  override readonly name = 'AppError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: { fields?: FieldIssue[]; retryAfterSeconds?: number },
  ) {
    super(message);
  }
}
