import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { cloneTemplate, dropDatabases, testAdminUrl } from '../test/harness.ts';
import { serveOptions } from './composition/surfaces.ts';
import { loadConfig } from './config/config.ts';
import { withDatabase } from './platform/db/database.ts';
import type { RunningJobs } from './composition/jobs.ts';
import { createLogger } from './platform/logger.ts';
import { startServer, type Background, type RunningServer } from './server.ts';

/** Resolves true if a TCP connection to the port is refused, false if it is accepted. */
function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', (e: NodeJS.ErrnoException) => resolve(e.code === 'ECONNREFUSED'));
  });
}

describe('serve: graceful shutdown', () => {
  let dbNames: { data: string; keyring: string };
  before(async () => {
    dbNames = await cloneTemplate();
  });
  after(() => dropDatabases([dbNames.data, dbNames.keyring]));

  it('drains the request in flight, refuses new connections, stops the job runner, then the pools', async () => {
    const admin = testAdminUrl();
    const config = loadConfig({
      SOGLASIE_MASTER_KEY: randomBytes(32).toString('base64'),
      DATABASE_URL: withDatabase(admin, dbNames.data),
      SOGLASIE_KEYRING_URL: withDatabase(admin, dbNames.keyring),
      PORT: '0',
      SOGLASIE_DB_POOL_SIZE: '4',
      SOGLASIE_JOBS: 'true',
      SOGLASIE_LOG_LEVEL: 'warn',
    });
    const logs: string[] = [];
    const log = createLogger(
      config.logLevel,
      new Writable({
        write(chunk: Buffer, _enc, cb) {
          logs.push(chunk.toString('utf8'));
          cb();
        },
      }),
    );

    let releaseSlow!: () => void;
    const slowGate = new Promise<void>((resolve) => (releaseSlow = resolve));
    let slowStarted!: () => void;
    const slowRunning = new Promise<void>((resolve) => (slowStarted = resolve));

    // The real serve wiring (its job runner included), plus a slow test route.
    const real = serveOptions({ demo: false });
    let jobs: RunningJobs | undefined;
    const events: string[] = [];
    let server: RunningServer | undefined;
    server = await startServer(config, log, {
      ...real,
      onListening: undefined,
      surfaces: [
        ...(real.surfaces ?? []),
        async (app) => {
          app.get('/test/slow', async () => {
            slowStarted();
            await slowGate;
            return { done: true };
          });
        },
      ],
      background: (ctx): Background => {
        jobs = real.background!(ctx) as RunningJobs;
        return {
          stop: async () => {
            // The pools must still be open while the runner stops: its last jobs may need them.
            await ctx.db.ping();
            events.push('runner stopping, database still open');
            await jobs!.stop();
            events.push('runner stopped');
          },
        };
      },
    });
    try {
      const port = new URL(server.url).port;
      assert.ok(jobs, 'serve started the job runner');
      assert.equal(jobs.runner.running, true);
      assert.equal((await fetch(`${server.url}/readyz`)).status, 200);

      const inFlight = fetch(`${server.url}/test/slow`);
      await slowRunning;
      const closing = server.close();

      const deadline = Date.now() + 5000;
      while (!(await refused(Number(port)))) {
        assert.ok(Date.now() < deadline, 'new connections are still accepted after close()');
        await delay(20);
      }

      releaseSlow();
      const res = await inFlight;
      assert.equal(res.status, 200);
      assert.deepEqual(await res.json(), { done: true });
      // Its keep-alive connection is closed after the response rather than held for the keep-alive
      // timeout (72 s), which would hold up the shutdown.
      assert.equal(res.headers.get('connection'), 'close');

      await closing;
      assert.deepEqual(events, ['runner stopping, database still open', 'runner stopped']);
      assert.equal(jobs.runner.running, false);
      await assert.rejects(
        server.runtime.ctx.db.ping(),
        /after calling end on the pool/,
        'the pools are closed after the runner',
      );
      assert.equal(await refused(Number(port)), true);
      server = undefined;
    } finally {
      releaseSlow();
      await server?.close();
    }
    assert.doesNotMatch(logs.join(''), /"level":(50|60)/, 'no errors logged during the shutdown');
  });
});

/** Pids whose command line mentions `needle`. */
function processesMentioning(needle: string): number[] {
  return readdirSync('/proc')
    .filter((e) => /^\d+$/.test(e))
    .filter((e) => {
      try {
        return readFileSync(`/proc/${e}/cmdline`, 'utf8').includes(needle);
      } catch {
        return false;
      }
    })
    .map(Number);
}

// The process entry `serve` uses, run in a child with a slow route: the signal handling is what
// is tested, and it ends the process.
const CHILD = `
const root = process.env.SOGLASIE_TEST_ROOT;
const { loadConfig } = await import(root + '/src/config/config.ts');
const { createLogger } = await import(root + '/src/platform/logger.ts');
const { startServer, closeOnSignals } = await import(root + '/src/server.ts');
const { serveOptions } = await import(root + '/src/composition/surfaces.ts');
const config = loadConfig(process.env);
const log = createLogger('info');
const server = await startServer(config, log, {
  ...serveOptions({ demo: false }),
  onListening: undefined,
  surfaces: [async (app, ctx) => {
    app.get('/test/slow', async () => {
      process.stdout.write('SLOW STARTED\\n');
      await new Promise((r) => setTimeout(r, 1000));
      await ctx.db.query('SELECT 1');
      return { done: true };
    });
  }],
});
closeOnSignals(server, log);
process.stdout.write('READY ' + server.url + '\\n');
`;

describe('serve: SIGTERM on the embedded database', () => {
  it('drains a request that still needs the database, exits 0 and leaves no PostgreSQL behind', async () => {
    const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'soglasie-sigterm-'));
    // As root, the embedded server runs as the postgres user, which must reach the folder.
    await chmod(dataDir, 0o755);
    try {
      const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', CHILD], {
        cwd: root,
        env: {
          PATH: process.env.PATH ?? '',
          HOME: process.env.HOME ?? '',
          SOGLASIE_TEST_ROOT: root,
          SOGLASIE_DATA_DIR: dataDir,
          PORT: '0',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      child.stdout.on('data', (c: Buffer) => (out += c.toString('utf8')));
      child.stderr.on('data', (c: Buffer) => (out += c.toString('utf8')));
      // 'close', not 'exit': 'exit' can come before the last output is read, and the output is checked.
      const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
      const deadline = Date.now() + 60_000;
      let url: string | undefined;
      while (!(url = /READY (\S+)/.exec(out)?.[1])) {
        assert.ok(Date.now() < deadline && child.exitCode === null, `serve did not start:\n${out}`);
        await delay(20);
      }
      const inFlight = fetch(`${url}/test/slow`);
      // The signal must come once the request is being handled: sent after a fixed wait, it could
      // beat a slow connection to the server, which then refused it as a new request.
      while (!out.includes('SLOW STARTED')) {
        assert.ok(child.exitCode === null, `serve ended early:\n${out}`);
        await delay(20);
      }
      assert.ok(child.kill('SIGTERM'));
      const res = await inFlight;
      assert.equal(res.status, 200, 'the request in flight still had its database');
      assert.deepEqual(await res.json(), { done: true });
      assert.equal(await exited, 0, out);
      assert.match(out, /"msg":"stopped"/);
      assert.doesNotMatch(out, /Unhandled|"level":50|terminating connection/);
      await delay(100);
      assert.deepEqual(processesMentioning(dataDir), [], 'the embedded PostgreSQL stopped with the app');
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
