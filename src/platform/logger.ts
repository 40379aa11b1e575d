/**
 * Structured JSON logs with pino. Personal data must never reach a log line: request bodies, query
 * strings and cookies are never logged, and any field with a personal-data name is redacted
 * wherever it appears, as a second line of defence.
 */
import { pino, type Logger, type DestinationStream } from 'pino';

export type { Logger };

/** Field names that may carry personal data or secrets; redacted at any depth we log. */
export const REDACTED_KEYS = [
  'name',
  'fullName',
  'firstName',
  'lastName',
  'phone',
  'email',
  'message',
  'text',
  'comment',
  'password',
  'newPassword',
  'totp',
  'totpCode',
  'recoveryCode',
  'token',
  'cookie',
  'authorization',
  'body',
  'query',
  'address',
];

const redactPaths = REDACTED_KEYS.flatMap((k) => [k, `*.${k}`, `*.*.${k}`]);

export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      redact: { paths: redactPaths, censor: '[redacted]' },
      base: { app: 'soglasie' },
      timestamp: pino.stdTimeFunctions.isoTime,
      serializers: {
        // Requests are logged by method and path only: no query string, headers, cookies or body.
        req: (req: { method?: string; url?: string }) => ({
          method: req.method,
          path: typeof req.url === 'string' ? req.url.split('?')[0] : undefined,
        }),
        res: (res: { statusCode?: number }) => ({ statusCode: res.statusCode }),
        // An error is logged by type, code and stack only; its message may quote user input
        // (a driver's "invalid input syntax for ..." does), so it is left out.
        err: (e: unknown) => {
          if (!(e instanceof Error)) return { type: typeof e };
          const code = (e as { code?: unknown }).code;
          return { type: e.name, code: typeof code === 'string' ? code : undefined, stack: stackOnly(e) };
        },
      },
    },
    destination,
  );
}

function stackOnly(e: Error): string | undefined {
  // The first stack line repeats the message; keep only the frames.
  return e.stack?.split('\n').slice(1).join('\n');
}
