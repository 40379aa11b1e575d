/**
 * Crashes under load: `serve --demo` on the embedded PostgreSQL takes inquiries through
 * POST /api/v1/inquiries from 4 clients while it is killed with SIGKILL, in turns: the Node process
 * (then started again on the same data folder) and the embedded postmaster (which the server
 * restarts). Each client retries a request that got no answer or a 503 with the same idempotency
 * key until it is acknowledged, as an integrator should.
 *
 * Measures, per kind of kill, the time from the SIGKILL to the first 200 from /readyz (for the
 * server: including the next start, which first stops the PostgreSQL the killed one left behind).
 * Then checks what must hold: every acknowledged inquiry exists, under its key, exactly once, and
 * the inquiries written are exactly the acknowledged ones (no retry made a second one). Exits 1
 * when that fails.
 *
 *   npx tsx bench/crash.ts [rounds=5]
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { promisify } from 'node:util';
import pg from 'pg';
import { attachEmbeddedPostgres } from '../src/platform/db/embedded.ts';
import { processAlive, readPostmasterPid } from '../src/platform/db/embedded-lock.ts';
import {
  childEnv,
  median,
  printTable,
  removeDir,
  ROOT,
  round,
  startServe,
  tempDir,
  waitFor200,
  writeResult,
  type ServeProcess,
} from './lib.ts';

const rounds = Number(process.argv[2] ?? 5);
const CLIENTS = 4;
const run = promisify(execFile);

const dataDir = await tempDir('crash');
const env = { SOGLASIE_INTAKE_RATE_LIMIT: '1000000', SOGLASIE_LOG_LEVEL: 'error' };
let serve: ServeProcess | undefined;
let stopLoad = false;
const acknowledged = new Map<string, string>();
const answers = new Map<string, number>();
let base = '';

async function submitUntilAcknowledged(apiKey: string): Promise<void> {
  const key = randomUUID();
  for (;;) {
    let status = 0;
    try {
      const res = await fetch(`${base}/api/v1/inquiries`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` },
        body: JSON.stringify({
          formId: 'callback',
          siteDomain: 'localhost',
          fields: {
            name: 'Проверка Сбоев',
            phone: `+7912${String(1_000_000 + acknowledged.size).slice(-7)}`,
          },
          consents: { processing: true, marketing: false },
          idempotencyKey: key,
        }),
        signal: AbortSignal.timeout(15_000),
      });
      status = res.status;
      const body = (await res.json()) as { inquiryId?: string };
      if ((status === 201 || status === 200) && body.inquiryId) {
        acknowledged.set(key, body.inquiryId);
        answers.set(String(status), (answers.get(String(status)) ?? 0) + 1);
        return;
      }
    } catch {
      status = 0; // no answer: the server is down or the connection broke
    }
    answers.set(String(status), (answers.get(String(status)) ?? 0) + 1);
    if (status !== 0 && status !== 503) throw new Error(`unexpected answer ${status}`);
    await delay(50);
  }
}

/** From a SIGKILL of the postmaster to the first 200 of /readyz after it was seen failing. */
async function killPostmaster(): Promise<number> {
  const pm = readPostmasterPid(path.join(dataDir, 'pg'));
  if (!pm || !processAlive(pm.pid)) throw new Error('no postmaster to kill');
  const t0 = performance.now();
  process.kill(pm.pid, 'SIGKILL');
  // Backends of the dead postmaster may answer for a few milliseconds: wait for the first failure.
  while (
    (await fetch(`${base}/readyz`)
      .then((r) => r.status)
      .catch(() => 0)) === 200
  ) {
    if (performance.now() - t0 > 5000) throw new Error('/readyz never failed after the kill');
    await delay(5);
  }
  return waitFor200(`${base}/readyz`, t0);
}

/** From a SIGKILL of the server to the first 200 of /readyz of the next start. */
async function killServer(): Promise<number> {
  const old = serve!;
  const exited = new Promise((resolve) => old.child.once('exit', resolve));
  const t0 = performance.now();
  old.child.kill('SIGKILL');
  await exited;
  serve = await startServe({ dataDir, env });
  base = serve.url.replace('127.0.0.1', 'localhost');
  return performance.now() - t0;
}

try {
  serve = await startServe({ dataDir, env, args: ['--demo'] });
  base = serve.url.replace('127.0.0.1', 'localhost');
  // The CLI finds the running server's embedded PostgreSQL by itself.
  const { stdout } = await run(
    process.execPath,
    [path.join(ROOT, 'bin/soglasie.mjs'), 'apikey', 'create', '--operator', 'lux-demo', '--name', 'crash'],
    { cwd: ROOT, env: childEnv({ SOGLASIE_DATA_DIR: dataDir, ...env }) },
  );
  const apiKey = /(sgl_[A-Za-z0-9_-]+)/.exec(stdout)?.[1];
  if (!apiKey) throw new Error('apikey create printed no key');

  const loadStart = new Date();
  const loads = Array.from({ length: CLIENTS }, async () => {
    while (!stopLoad) await submitUntilAcknowledged(apiKey);
  });
  const serverMs: number[] = [];
  const postmasterMs: number[] = [];
  for (let i = 0; i < rounds; i++) {
    await delay(1500);
    postmasterMs.push(await killPostmaster());
    await delay(1500);
    serverMs.push(await killServer());
  }
  await delay(1000);
  stopLoad = true;
  await Promise.all(loads);

  // Checked through the running server's PostgreSQL, as a superuser (row-level security aside).
  const running = await attachEmbeddedPostgres(path.join(dataDir, 'pg'));
  if (!running) throw new Error('the server is not running');
  const db = new pg.Client({ connectionString: running.url('soglasie') });
  await db.connect();
  const { rows } = await db.query<{ key: string; inquiry_id: string; n: string }>(
    `SELECT k.key, k.inquiry_id, (SELECT count(*) FROM inquiries i WHERE i.id = k.inquiry_id) AS n
       FROM intake_idempotency k WHERE k.created_at >= $1`,
    [loadStart],
  );
  await db.end();
  // The API's keys are stored as `api:<key>`.
  const stored = new Map(rows.map((r) => [r.key.replace(/^api:/, ''), r]));
  const problems: string[] = [];
  for (const [key, id] of acknowledged) {
    const r = stored.get(key);
    if (!r) problems.push(`acknowledged ${id} is lost`);
    else if (r.inquiry_id !== id || r.n !== '1') problems.push(`key ${key}: stored ${r.inquiry_id} x${r.n}`);
  }
  const extra = [...stored.keys()].filter((k) => !acknowledged.has(k));
  if (extra.length > 0) problems.push(`${extra.length} inquiries stored that were never acknowledged`);

  const table = [
    {
      kill: 'server (node)',
      n: serverMs.length,
      'median ms': round(median(serverMs), 0),
      'max ms': round(Math.max(...serverMs), 0),
    },
    {
      kill: 'embedded postmaster',
      n: postmasterMs.length,
      'median ms': round(median(postmasterMs), 0),
      'max ms': round(Math.max(...postmasterMs), 0),
    },
  ];
  printTable('SIGKILL to the first 200 from /readyz', table);
  const answerRows = [...answers].map(([status, n]) => ({
    answer: status === '0' ? 'no answer' : status,
    n,
  }));
  printTable(`Intake answers (${acknowledged.size} inquiries acknowledged)`, answerRows);
  process.stdout.write(
    problems.length === 0
      ? `\nEvery acknowledged inquiry stored exactly once; nothing else stored.\n`
      : `\nPROBLEMS:\n${problems.slice(0, 20).join('\n')}\n`,
  );
  await writeResult('crash', {
    rounds,
    clients: CLIENTS,
    serverKillToReadyMs: serverMs.map((x) => round(x, 0)),
    postmasterKillToReadyMs: postmasterMs.map((x) => round(x, 0)),
    acknowledged: acknowledged.size,
    answers: Object.fromEntries(answers),
    problems,
  });
  if (problems.length > 0) process.exitCode = 1;
} finally {
  stopLoad = true;
  await serve?.stop();
  await removeDir(dataDir);
}
