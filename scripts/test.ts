/**
 * `npm test`: starts a throw-away embedded PostgreSQL (or uses the server of DATABASE_URL), migrates
 * a template database pair once, and runs every *.test.ts with node's test runner. Each test file
 * clones the template, which keeps files isolated and fast.
 *
 *   npm test                      # all tests
 *   npm test -- src/modules/audit # only files under a path
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { startEmbeddedPostgres } from '../src/platform/db/embedded.ts';
import { migrate } from '../src/platform/db/migrate.ts';
import { withDatabase } from '../src/platform/db/database.ts';

function findTests(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) findTests(p, out);
    else if (name.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

const filters = process.argv.slice(2);
const files = ['src', 'test', 'scripts', 'bench']
  .flatMap((d) => {
    try {
      return findTests(d);
    } catch {
      return [];
    }
  })
  .filter((f) => filters.length === 0 || filters.some((flt) => f.startsWith(flt) || f.includes(flt)))
  .sort();

const run = randomBytes(4).toString('hex');
let adminUrl: string;
let stopEmbedded: (() => Promise<void>) | undefined;
// Under the system's temporary folder: as root the server runs as `postgres`, which must be able to
// reach it whatever the checkout's own permissions are.
const tmpDir = path.join(tmpdir(), `soglasie-test-pg-${run}`);
if (process.env.DATABASE_URL) {
  adminUrl = process.env.DATABASE_URL;
  process.stdout.write('Tests use the PostgreSQL server of DATABASE_URL.\n');
} else {
  const server = await startEmbeddedPostgres({
    dir: tmpDir,
    port: 0,
    onLog: () => undefined,
    persistent: false,
  });
  adminUrl = server.url('postgres');
  stopEmbedded = async () => {
    await server.stop();
    rmSync(tmpDir, { recursive: true, force: true });
    rmSync(`${tmpDir}.password`, { force: true });
  };
  process.stdout.write(`Tests use a throw-away embedded PostgreSQL on port ${server.port}.\n`);
}

const template = `soglasie_tpl_${run}`;
// Test files name their databases `${template}_t<random>`, so the sweep below finds leftovers.
const admin = new pg.Client({ connectionString: adminUrl });
await admin.connect();
let code = 1;
try {
  await admin.query(`CREATE DATABASE ${template}`);
  await admin.query(`CREATE DATABASE ${template}_keyring`);
  await migrate(withDatabase(adminUrl, template), 'data');
  await migrate(withDatabase(adminUrl, `${template}_keyring`), 'keyring');

  code = await new Promise<number>((resolve) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', '--test', '--test-reporter=spec', '--test-concurrency=2', ...files],
      {
        stdio: 'inherit',
        env: { ...process.env, SOGLASIE_TEST_ADMIN_URL: adminUrl, SOGLASIE_TEST_TEMPLATE: template },
      },
    );
    child.on('exit', (c) => resolve(c ?? 1));
  });
} finally {
  // Test files drop their own databases; sweep whatever a crashed file left behind.
  const { rows } = await admin.query<{ datname: string }>(
    `SELECT datname FROM pg_database WHERE datname LIKE $1 OR datname LIKE $2`,
    [`${template}%`, `${template}%`],
  );
  for (const r of rows)
    await admin.query(`DROP DATABASE IF EXISTS "${r.datname}" WITH (FORCE)`).catch(() => undefined);
  await admin.end();
  if (stopEmbedded) await stopEmbedded();
}
process.exit(code);
