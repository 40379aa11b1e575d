/**
 * Test environment: a fresh pair of databases cloned from the migrated template that `npm test`
 * made, a context on them with an injected clock, and the log lines captured for inspection.
 *
 * @example
 *   const env = await createTestEnv();
 *   after(() => env.close());
 *   const app = await env.app();
 *   const res = await app.inject({ method: 'GET', url: '/readyz' });
 */
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import pg from 'pg';
import { buildApp, type App, type BuildOptions } from '../src/app.ts';
import { loadConfig, type Config } from '../src/config/config.ts';
import type { AppContext } from '../src/composition/context.ts';
import { fixedClock, type TestClock } from '../src/platform/clock.ts';
import { withDatabase } from '../src/platform/db/database.ts';
import { createLogger } from '../src/platform/logger.ts';
import { openRuntime } from '../src/runtime.ts';

export interface TestEnv {
  ctx: AppContext;
  clock: TestClock;
  config: Config;
  /** Every log line written so far, as raw JSON text. */
  logs: string[];
  /** Superuser URLs of this file's databases (bypass row-level security: for set-up and tampering). */
  adminUrls: { data: string; keyring: string };
  /** Names of this file's databases. */
  dbNames: { data: string; keyring: string };
  app(opts?: BuildOptions): Promise<App>;
  /** A superuser connection to the data database; closed with the env. */
  admin(): Promise<pg.Client>;
  close(): Promise<void>;
}

export function testAdminUrl(): string {
  const url = process.env.SOGLASIE_TEST_ADMIN_URL;
  if (!url) throw new Error('Run tests through `npm test`, which prepares the test database server.');
  return url;
}

export async function cloneTemplate(): Promise<{ data: string; keyring: string }> {
  const adminUrl = testAdminUrl();
  const template = process.env.SOGLASIE_TEST_TEMPLATE!;
  const name = `${template}_t${randomBytes(5).toString('hex')}`;
  const c = new pg.Client({ connectionString: adminUrl });
  await c.connect();
  try {
    await c.query(`CREATE DATABASE ${name} TEMPLATE ${template}`);
    await c.query(`CREATE DATABASE ${name}_keyring TEMPLATE ${template}_keyring`);
  } finally {
    await c.end();
  }
  return { data: name, keyring: `${name}_keyring` };
}

export async function dropDatabases(names: string[]): Promise<void> {
  const c = new pg.Client({ connectionString: testAdminUrl() });
  await c.connect();
  try {
    for (const n of names) await c.query(`DROP DATABASE IF EXISTS ${n} WITH (FORCE)`);
  } finally {
    await c.end();
  }
}

export interface TestEnvOptions {
  start?: Date;
  env?: Record<string, string>;
  logLevel?: string;
}

export async function createTestEnv(opts: TestEnvOptions = {}): Promise<TestEnv> {
  const dbNames = await cloneTemplate();
  const adminUrl = testAdminUrl();
  const adminUrls = {
    data: withDatabase(adminUrl, dbNames.data),
    keyring: withDatabase(adminUrl, dbNames.keyring),
  };
  const config = loadConfig({
    SOGLASIE_MASTER_KEY: randomBytes(32).toString('base64'),
    DATABASE_URL: adminUrls.data,
    SOGLASIE_KEYRING_URL: adminUrls.keyring,
    SOGLASIE_LOG_LEVEL: opts.logLevel ?? 'debug',
    SOGLASIE_DB_POOL_SIZE: '4',
    SOGLASIE_JOBS: 'false',
    // E-mail configured (nothing listens there; jobs are off), so e-mails are queued as in
    // production; a test of the unconfigured case passes SMTP_HOST: ''.
    SMTP_HOST: '127.0.0.1',
    SMTP_PORT: '9',
    SMTP_FROM: 'clinic@example.test',
    ...opts.env,
  });
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      logs.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      cb();
    },
  });
  const log = createLogger(config.logLevel, sink);
  const clock = fixedClock(opts.start ?? new Date('2026-03-02T09:00:00Z'));
  const runtime = await openRuntime(config, log, { clock, migrate: false });
  const apps: App[] = [];
  const admins: pg.Client[] = [];
  return {
    ctx: runtime.ctx,
    clock,
    config,
    logs,
    adminUrls,
    dbNames,
    app: async (o) => {
      const app = await buildApp(runtime.ctx, o);
      apps.push(app);
      await app.ready();
      return app;
    },
    admin: async () => {
      const c = new pg.Client({ connectionString: adminUrls.data });
      await c.connect();
      admins.push(c);
      return c;
    },
    close: async () => {
      for (const a of apps) await a.close();
      for (const c of admins) await c.end();
      await runtime.close();
      await dropDatabases([dbNames.data, dbNames.keyring]);
    },
  };
}
