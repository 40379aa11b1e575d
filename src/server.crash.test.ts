import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { processAlive, readPostmasterPid } from './platform/db/embedded-lock.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BIN = path.join(ROOT, 'bin', 'soglasie.mjs');

interface Serve {
  child: ChildProcess;
  /** stdout and stderr so far. */
  output(): string;
  exited: Promise<number | null>;
}

function soglasie(args: string[], dataDir: string): Serve {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      SOGLASIE_DATA_DIR: dataDir,
      PORT: '0',
      SOGLASIE_LOG_LEVEL: 'info',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString('utf8')));
  child.stderr.on('data', (c: Buffer) => (out += c.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => out, exited };
}

async function startServe(dataDir: string): Promise<Serve & { url: string }> {
  const s = soglasie(['serve'], dataDir);
  const deadline = Date.now() + 120_000;
  let url: string | undefined;
  while (!(url = /listening on (\S+)/.exec(s.output())?.[1])) {
    assert.ok(Date.now() < deadline && s.child.exitCode === null, `serve did not start:\n${s.output()}`);
    await delay(50);
  }
  return { ...s, url };
}

async function run(args: string[], dataDir: string): Promise<{ code: number | null; output: string }> {
  const s = soglasie(args, dataDir);
  const code = await s.exited;
  return { code, output: s.output() };
}

async function statusOf(url: string): Promise<number> {
  try {
    return (await fetch(url)).status;
  } catch {
    return 0;
  }
}

async function untilReady(url: string): Promise<void> {
  const deadline = Date.now() + 120_000;
  while ((await statusOf(`${url}/readyz`)) !== 200) {
    assert.ok(Date.now() < deadline, 'not ready again');
    await delay(50);
  }
}

/** A request that needs the database: an unknown but well-formed API key is looked up (401). */
async function apiRequest(url: string): Promise<{ status: number; code?: string }> {
  const key = `sgl_${randomBytes(6).toString('hex')}_${randomBytes(32).toString('base64url').slice(0, 43)}`;
  const res = await fetch(`${url}/api/v1/inquiries`, { headers: { authorization: `Bearer ${key}` } });
  const body = (await res.json()) as { error?: { code?: string } };
  return { status: res.status, code: body.error?.code };
}

describe('serve on the embedded database: crashes', () => {
  let dataDir: string;
  let server: (Serve & { url: string }) | undefined;
  before(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'soglasie-crash-'));
    // As root, the embedded server runs as the postgres user, which must reach the folder.
    await chmod(dataDir, 0o755);
  });
  after(async () => {
    if (server && server.child.exitCode === null) {
      server.child.kill('SIGTERM');
      await server.exited;
    }
    const left = readPostmasterPid(path.join(dataDir, 'pg'));
    if (left && processAlive(left.pid)) process.kill(left.pid, 'SIGQUIT');
    await rm(dataDir, { recursive: true, force: true });
  });

  it('a start after kill -9 of serve stops the PostgreSQL it left behind, says so, and serves', async () => {
    server = await startServe(dataDir);
    await untilReady(server.url);
    const first = readPostmasterPid(path.join(dataDir, 'pg'));
    assert.ok(first && processAlive(first.pid));

    server.child.kill('SIGKILL');
    await server.exited;
    assert.ok(processAlive(first.pid), 'the embedded PostgreSQL outlives a killed serve');

    server = await startServe(dataDir);
    await untilReady(server.url);
    assert.match(server.output(), /"level":40[^\n]*left running by a Soglasie process that is gone/);
    assert.equal(processAlive(first.pid), false, 'the left-over server was stopped');
    const second = readPostmasterPid(path.join(dataDir, 'pg'));
    assert.ok(second && second.pid !== first.pid && processAlive(second.pid));
    assert.equal((await apiRequest(server.url)).status, 401);
  });

  it('one-shot commands use the running server; a second serve on the folder is refused', async () => {
    assert.ok(server);
    const audit = await run(['verify-audit'], dataDir);
    assert.equal(audit.code, 0, audit.output);
    assert.match(audit.output, /Audit log intact/);
    const keys = await run(['apikey', 'list'], dataDir);
    assert.equal(keys.code, 0, keys.output);

    const second = await run(['serve'], dataDir);
    assert.notEqual(second.code, 0);
    assert.match(second.output, new RegExp(`run by another Soglasie process \\(PID ${server.child.pid}\\)`));
    assert.equal(await statusOf(`${server.url}/readyz`), 200, 'the running server was left alone');
  });

  it('kill -9 of the embedded postmaster: 503 database_unavailable meanwhile, restarted, then 200', async () => {
    assert.ok(server);
    const pm = readPostmasterPid(path.join(dataDir, 'pg'));
    assert.ok(pm);
    process.kill(pm.pid, 'SIGKILL');
    // The dead postmaster's backends may still answer for a few milliseconds; then the database is
    // gone until the restart, and every answer must be the clear 503, never a 500.
    const seen: { status: number; code?: string }[] = [];
    const deadline = Date.now() + 120_000;
    for (let down = false; ;) {
      const r = await apiRequest(server.url).catch(() => ({ status: 0 }));
      seen.push(r);
      if (r.status !== 401) down = true;
      else if (down) break;
      assert.ok(Date.now() < deadline, `never down and back: ${JSON.stringify(seen.slice(-3))}`);
      await delay(20);
    }
    const during = seen.slice(
      seen.findIndex((r) => r.status !== 401),
      -1,
    );
    assert.ok(during.length > 0);
    for (const r of during) assert.deepEqual(r, { status: 503, code: 'database_unavailable' });
    await untilReady(server.url);
    const health = (await (await fetch(`${server.url}/healthz`)).json()) as {
      status: string;
      database: { state: string; restarts: number; embedded: boolean };
    };
    assert.equal(health.status, 'ok');
    assert.equal(health.database.state, 'up');
    assert.equal(health.database.embedded, true);
    assert.equal(health.database.restarts, 1);
    assert.match(server.output(), /restarted the embedded PostgreSQL/);
    const now = readPostmasterPid(path.join(dataDir, 'pg'));
    assert.ok(now && now.pid !== pm.pid && now.port === pm.port);

    server.child.kill('SIGTERM');
    assert.equal(await server.exited, 0, server.output());
    assert.equal(processAlive(now.pid), false, 'the restarted server stops with serve');
    assert.equal(existsSync(path.join(dataDir, 'pg.owner')), false);
    assert.doesNotMatch(server.output(), /"level":50[^\n]*request failed"/);
  });

  it('a command other than serve and demo refuses a folder without an installation and creates nothing', async () => {
    const empty = path.join(dataDir, 'elsewhere');
    for (const args of [['verify-audit'], ['apikey', 'list'], ['migrate']]) {
      const r = await run(args, empty);
      assert.equal(r.code, 1, r.output);
      assert.match(r.output, /No Soglasie data folder at .*SOGLASIE_DATA_DIR/s);
    }
    assert.equal(existsSync(empty), false, 'no second installation was made');
    assert.match(readFileSync(path.join(dataDir, 'pg', 'PG_VERSION'), 'utf8'), /^15/);
  });
});
