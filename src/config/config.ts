/**
 * The one place that reads `process.env`. The environment is parsed once at start into a frozen,
 * typed object; a bad value stops the start with a message that says how to fix it.
 *
 * @example
 *   const config = loadConfig(process.env);
 *   config.port; // 3000
 */
import { isIP } from 'node:net';
import path from 'node:path';
import { z } from 'zod';
import { parseAllowEntry } from '../platform/http/outbound-guard.ts';

const DOCS = 'See the configuration table in README.md.';

const bool = z
  .enum(['1', '0', 'true', 'false', 'yes', 'no', 'on', 'off'])
  .transform((v) => v === '1' || v === 'true' || v === 'yes' || v === 'on');

const postgresUrl = z
  .string()
  .refine((v) => /^postgres(ql)?:\/\//.test(v), 'must be a postgres:// or postgresql:// URL');

/** proxy-addr's names for address ranges, accepted beside addresses and CIDRs. */
const PROXY_RANGE_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);

/** Whether `v` is an address, a CIDR range or one of proxy-addr's range names. */
function isProxyAddress(v: string): boolean {
  if (PROXY_RANGE_NAMES.has(v)) return true;
  const [address = '', prefix, ...rest] = v.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128);
}

/**
 * The reverse proxies whose `X-Forwarded-For` is believed: a comma-separated list of addresses,
 * CIDR ranges or `loopback`/`linklocal`/`uniquelocal`. `false` (or unset) trusts none. `true` used
 * to trust anyone, which let a client forge its address; it is refused with the fix.
 */
const trustedProxies = z.string().transform((v, ctx): string[] => {
  const lower = v.trim().toLowerCase();
  if (['false', '0', 'no', 'off', 'none'].includes(lower)) return [];
  if (['true', '1', 'yes', 'on'].includes(lower)) {
    ctx.addIssue({
      code: 'custom',
      message:
        'true would believe X-Forwarded-For from any client, who could then forge its address. ' +
        'List the reverse proxies instead, e.g. SOGLASIE_TRUST_PROXY=127.0.0.1 (nginx on this machine) ' +
        'or SOGLASIE_TRUST_PROXY=10.0.0.5,10.0.1.0/24',
    });
    return z.NEVER;
  }
  const items = v.split(',').map((s) => s.trim());
  const bad = items.filter((s) => !isProxyAddress(s));
  if (bad.length > 0) {
    ctx.addIssue({
      code: 'custom',
      message:
        `not an address or CIDR range: ${bad.map((b) => JSON.stringify(b)).join(', ')}; ` +
        'write a comma-separated list such as 127.0.0.1,10.0.0.0/8 (or false)',
    });
    return z.NEVER;
  }
  return items;
});

const envSchema = z.object({
  SOGLASIE_MODE: z.enum(['local', 'production']).default('local'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  SOGLASIE_DATA_DIR: z.string().min(1).default('./data'),
  DATABASE_URL: postgresUrl.optional(),
  SOGLASIE_KEYRING_URL: postgresUrl.optional(),
  SOGLASIE_EMBEDDED_PG_PORT: z.coerce.number().int().min(0).max(65535).default(0),
  SOGLASIE_MASTER_KEY: z.string().optional(),
  SOGLASIE_MASTER_KEY_FILE: z.string().optional(),
  SOGLASIE_MASTER_KEY_OLD: z.string().optional(),
  SOGLASIE_PUBLIC_URL: z.url({ protocol: /^https?$/ }).optional(),
  SOGLASIE_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  SOGLASIE_LOG_REQUESTS: bool.default(false),
  SOGLASIE_DB_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(16),
  SOGLASIE_SESSION_IDLE_MINUTES: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 60)
    .default(30),
  SOGLASIE_SESSION_MAX_HOURS: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 30)
    .default(12),
  SOGLASIE_BODY_LIMIT_BYTES: z.coerce.number().int().min(1024).max(50_000_000).default(1_000_000),
  SOGLASIE_JOBS: bool.default(true),
  SOGLASIE_TRUST_PROXY: trustedProxies.default([]),
  SOGLASIE_INTAKE_RATE_LIMIT: z.coerce.number().int().min(1).max(1_000_000).default(30),
  SOGLASIE_INTAKE_CONTACT_RATE_LIMIT: z.coerce.number().int().min(1).max(1_000_000).default(5),
  SOGLASIE_API_INTAKE_RATE_LIMIT: z.coerce.number().int().min(1).max(1_000_000).default(600),
  SOGLASIE_INTAKE_RATE_WINDOW_SECONDS: z.coerce.number().int().min(1).max(86_400).default(600),
  SOGLASIE_INTAKE_MIN_FILL_SECONDS: z.coerce.number().min(0).max(600).default(3),
  SOGLASIE_OUTBOUND_ALLOW: z
    .string()
    .optional()
    .refine(
      (v) => (v ?? '').split(',').every((s) => s.trim() === '' || parseAllowEntry(s) !== undefined),
      'must be comma-separated host names, IP addresses or CIDR ranges, e.g. crm.clinic.local,10.20.0.0/16',
    ),
  SMTP_HOST: z.string().optional(),
  SMTP_PORT: z.coerce.number().int().min(1).max(65535).default(587),
  SMTP_SECURE: bool.default(false),
  SMTP_USER: z.string().optional(),
  SMTP_PASSWORD: z.string().optional(),
  SMTP_FROM: z.string().optional(),
});

export type Mode = 'local' | 'production';

export interface Config {
  readonly mode: Mode;
  readonly port: number;
  readonly host: string;
  readonly dataDir: string;
  /** Data database; undefined means: start the embedded PostgreSQL in `dataDir/pg`. */
  readonly databaseUrl: string | undefined;
  /** Keyring database; undefined means: database `<data db>_keyring` on the same server. */
  readonly keyringUrl: string | undefined;
  readonly embeddedPgPort: number;
  readonly masterKey:
    | { readonly source: 'env'; readonly value: string }
    | { readonly source: 'file'; readonly path: string; readonly generateIfMissing: boolean };
  /** Retired master keys, still accepted for unwrapping until `rotate-master-key` has re-wrapped everything. */
  readonly oldMasterKeys: readonly string[];
  readonly publicUrl: string;
  readonly secureCookies: boolean;
  readonly logLevel: string;
  readonly logRequests: boolean;
  readonly dbPoolSize: number;
  readonly sessionIdleMinutes: number;
  readonly sessionMaxHours: number;
  readonly bodyLimitBytes: number;
  readonly jobsEnabled: boolean;
  /**
   * Reverse proxies (addresses, CIDRs) whose `X-Forwarded-*` headers are believed; empty: none. The
   * client's address is the nearest one in the `X-Forwarded-For` chain that is not among them.
   */
  readonly trustProxy: readonly string[];
  /** Exceptions to production's refusal of private and local addresses for outgoing requests. */
  readonly outboundAllow: readonly string[];
  /**
   * Intake limits, each per operator in a sliding window: public submissions per client address,
   * per phone or e-mail given, and API submissions per key; and the forms' minimum fill time.
   */
  readonly intake: {
    readonly rateLimit: number;
    readonly contactRateLimit: number;
    readonly apiKeyRateLimit: number;
    readonly rateWindowSeconds: number;
    readonly minFillSeconds: number;
  };
  readonly smtp:
    | {
        readonly host: string;
        readonly port: number;
        readonly secure: boolean;
        readonly user: string | undefined;
        readonly password: string | undefined;
        readonly from: string;
      }
    | undefined;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object') {
    for (const v of Object.values(o)) deepFreeze(v);
    Object.freeze(o);
  }
  return o;
}

/** Parses the environment; throws ConfigError with every problem found and how to fix it. */
export function loadConfig(env: Record<string, string | undefined>): Config {
  // Empty strings count as unset, as shells and .env files often leave them.
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = envSchema.safeParse(cleaned);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}\n${DOCS}`);
  }
  const e = parsed.data;
  const production = e.SOGLASIE_MODE === 'production';
  const problems: string[] = [];
  const dataDir = path.resolve(e.SOGLASIE_DATA_DIR);

  if (e.SOGLASIE_MASTER_KEY && e.SOGLASIE_MASTER_KEY_FILE) {
    problems.push('  Set either SOGLASIE_MASTER_KEY or SOGLASIE_MASTER_KEY_FILE, not both.');
  }
  if (production) {
    if (!e.SOGLASIE_MASTER_KEY && !e.SOGLASIE_MASTER_KEY_FILE) {
      problems.push(
        '  SOGLASIE_MASTER_KEY (or SOGLASIE_MASTER_KEY_FILE) is required in production mode.\n' +
          "  Generate one with: node -e \"console.log(require('crypto').randomBytes(32).toString('base64'))\"",
      );
    }
    if (!e.SOGLASIE_PUBLIC_URL) {
      problems.push('  SOGLASIE_PUBLIC_URL is required in production mode, e.g. https://clinic.example.ru');
    }
    if (!e.DATABASE_URL) {
      problems.push(
        '  DATABASE_URL is required in production mode (the embedded database is for local use).',
      );
    }
  }
  const smtpFrom = e.SMTP_FROM;
  if (e.SMTP_HOST && !smtpFrom) problems.push('  SMTP_FROM is required when SMTP_HOST is set.');
  if (problems.length > 0) {
    throw new ConfigError(`Invalid configuration:\n${problems.join('\n')}\n${DOCS}`);
  }

  const publicUrl = (e.SOGLASIE_PUBLIC_URL ?? `http://localhost:${e.PORT}`).replace(/\/+$/, '');
  const masterKey: Config['masterKey'] = e.SOGLASIE_MASTER_KEY
    ? { source: 'env', value: e.SOGLASIE_MASTER_KEY }
    : {
        source: 'file',
        path: path.resolve(e.SOGLASIE_MASTER_KEY_FILE ?? path.join(dataDir, 'master.key')),
        generateIfMissing: !production && !e.SOGLASIE_MASTER_KEY_FILE,
      };

  return deepFreeze<Config>({
    mode: e.SOGLASIE_MODE,
    port: e.PORT,
    host: e.HOST,
    dataDir,
    databaseUrl: e.DATABASE_URL,
    keyringUrl: e.SOGLASIE_KEYRING_URL,
    embeddedPgPort: e.SOGLASIE_EMBEDDED_PG_PORT,
    masterKey,
    oldMasterKeys: (e.SOGLASIE_MASTER_KEY_OLD ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
    publicUrl,
    secureCookies: publicUrl.startsWith('https://'),
    logLevel: e.SOGLASIE_LOG_LEVEL,
    logRequests: e.SOGLASIE_LOG_REQUESTS,
    dbPoolSize: e.SOGLASIE_DB_POOL_SIZE,
    sessionIdleMinutes: e.SOGLASIE_SESSION_IDLE_MINUTES,
    sessionMaxHours: e.SOGLASIE_SESSION_MAX_HOURS,
    bodyLimitBytes: e.SOGLASIE_BODY_LIMIT_BYTES,
    jobsEnabled: e.SOGLASIE_JOBS,
    trustProxy: e.SOGLASIE_TRUST_PROXY,
    outboundAllow: (e.SOGLASIE_OUTBOUND_ALLOW ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
    intake: {
      rateLimit: e.SOGLASIE_INTAKE_RATE_LIMIT,
      contactRateLimit: e.SOGLASIE_INTAKE_CONTACT_RATE_LIMIT,
      apiKeyRateLimit: e.SOGLASIE_API_INTAKE_RATE_LIMIT,
      rateWindowSeconds: e.SOGLASIE_INTAKE_RATE_WINDOW_SECONDS,
      minFillSeconds: e.SOGLASIE_INTAKE_MIN_FILL_SECONDS,
    },
    smtp:
      e.SMTP_HOST && smtpFrom
        ? {
            host: e.SMTP_HOST,
            port: e.SMTP_PORT,
            secure: e.SMTP_SECURE,
            user: e.SMTP_USER,
            password: e.SMTP_PASSWORD,
            from: smtpFrom,
          }
        : undefined,
  });
}

/** The process's own configuration: the only read of `process.env` in the app. */
export function loadProcessConfig(): Config {
  return loadConfig(process.env);
}
