/**
 * Intake throughput: autocannon -c 50 -d 10 against the real `serve --demo` on the embedded
 * PostgreSQL, for the public callback form POST (urlencoded, a fresh signed form token per request)
 * and for POST /api/v1/inquiries (JSON, API key), side by side in the same run with a bare Fastify
 * route that validates the same body and does one INSERT into the same database. Every request
 * carries a new phone number, so each one creates a subject, its key, consent records, the inquiry,
 * an audit entry. The anti-spam rate limits (address, API key) and minimum fill time are lifted,
 * though still checked on every request (one address and one key send everything). Target:
 * intake ≥ 40% of the bare route, p99 < 100 ms.
 *
 * A second baseline, bench/plain-intake-server.ts, does the form intake's durable work written
 * plainly (the data key wrapped, the same seals and blind index, the keyring write and the data
 * transaction with the same rows) and nothing else: the form intake's rate over it is what the
 * app costs beyond its own work.
 *
 * The bare route reaches PostgreSQL the way the app does (the Unix socket in the data folder). For
 * each load the CPU time per request of the serving process and of all PostgreSQL processes is
 * read from /proc, which shows where an intake's cost goes.
 *
 *   npx tsx bench/intake.ts [seconds=10] [connections=50]
 */
import autocannon from 'autocannon';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { promisify } from 'node:util';
import {
  childEnv,
  cpuMs,
  descendants,
  freePort,
  printTable,
  removeDir,
  ROOT,
  round,
  startChildServer,
  startServe,
  tempDir,
  writeResult,
  type ServeProcess,
} from './lib.ts';

const seconds = Number(process.argv[2] ?? 10);
const connections = Number(process.argv[3] ?? 50);
const run = promisify(execFile);

let phoneSeq = 0;
/** A distinct, valid Russian mobile number per request. */
function nextPhone(): string {
  phoneSeq += 1;
  return `+7912${String(1_000_000 + phoneSeq).slice(-7)}`;
}

/** Loads the page with the callback form `count` times and collects fresh form tokens. */
async function fetchTokens(base: string, count: number): Promise<string[]> {
  const tokens: string[] = [];
  const worker = async (): Promise<void> => {
    while (tokens.length < count) {
      const html = await (await fetch(`${base}/`)).text();
      const m = /action="\/forms\/callback"[\s\S]*?name="_form_token" value="([^"]+)"/.exec(html);
      if (!m) throw new Error('no callback form with a token on the home page');
      tokens.push(m[1]!);
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  return tokens;
}

type Row = {
  target: string;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  ok: number;
  other: number;
  errors: number;
  appCpuMsPerRequest: number;
  pgCpuMsPerRequest: number;
};

function row(target: string, r: autocannon.Result, okStatus: string, cpu: { app: number; pg: number }): Row {
  const codes = r.statusCodeStats as unknown as Record<string, { count: number }>;
  const ok = codes[okStatus]?.count ?? 0;
  const all = Object.values(codes).reduce((n, c) => n + c.count, 0);
  return {
    target,
    requestsPerSecond: round(r.requests.average, 0),
    p50Ms: r.latency.p50,
    p99Ms: r.latency.p99,
    ok,
    other: all - ok,
    errors: r.errors,
    appCpuMsPerRequest: round(cpu.app / Math.max(1, r.requests.total), 2),
    pgCpuMsPerRequest: round(cpu.pg / Math.max(1, r.requests.total), 2),
  };
}

const dataDir = await tempDir('intake');
const pgPort = await freePort();
const env = {
  SOGLASIE_EMBEDDED_PG_PORT: String(pgPort),
  SOGLASIE_INTAKE_RATE_LIMIT: '1000000',
  SOGLASIE_API_INTAKE_RATE_LIMIT: '1000000',
  SOGLASIE_INTAKE_MIN_FILL_SECONDS: '0',
  SOGLASIE_JOBS: 'false',
  SOGLASIE_LOG_LEVEL: 'warn',
};
let serve: ServeProcess | undefined;
let bare: Awaited<ReturnType<typeof startChildServer>> | undefined;
let plain: Awaited<ReturnType<typeof startChildServer>> | undefined;
const rows: Row[] = [];
try {
  serve = await startServe({ dataDir, env, args: ['--demo'] });
  const base = serve.url.replace('127.0.0.1', 'localhost');
  // The server owns the embedded cluster; the CLI reaches the same databases through their URL.
  const password = (await readFile(path.join(dataDir, 'pg.password'), 'utf8')).trim();
  const dbUrl = `postgresql://postgres:${encodeURIComponent(password)}@127.0.0.1:${pgPort}/soglasie`;
  // The app's own way in: the socket in the cluster's folder (see src/platform/db/embedded.ts).
  const socketUrl = `postgresql://postgres:${encodeURIComponent(password)}@${encodeURIComponent(path.join(dataDir, 'pg'))}:${pgPort}/soglasie`;
  const { stdout } = await run(
    process.execPath,
    [path.join(ROOT, 'bin/soglasie.mjs'), 'apikey', 'create', '--operator', 'lux-demo', '--name', 'bench'],
    { cwd: ROOT, env: childEnv({ SOGLASIE_DATA_DIR: dataDir, DATABASE_URL: dbUrl, ...env }) },
  );
  const apiKey = /(sgl_[A-Za-z0-9_-]+)/.exec(stdout)?.[1];
  if (!apiKey) throw new Error('apikey create printed no key');

  bare = await startChildServer('bench/bare-intake-server.ts', {
    BENCH_DATABASE_URL: socketUrl,
  });
  plain = await startChildServer('bench/plain-intake-server.ts', {
    BENCH_DATABASE_URL: socketUrl,
    BENCH_OPERATOR: 'lux-demo',
  });

  const expected = Math.ceil(seconds * 2500) + 2000;
  const tokens = await fetchTokens(base, expected);
  let t = 0;

  const formRequest = (): string =>
    new URLSearchParams({
      name: 'Нагрузочный Тест',
      phone: nextPhone(),
      consent_processing: 'yes',
      _page: 'home',
      _form_token: tokens[t++ % tokens.length]!,
      website: '',
    }).toString();

  const baseline = (url: string) => (): Promise<autocannon.Result> =>
    autocannon({
      url: `${url}/intake`,
      connections,
      duration: seconds,
      requests: [
        {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          setupRequest: (req) => ({
            ...req,
            body: new URLSearchParams({
              name: 'Нагрузочный Тест',
              phone: nextPhone(),
              consent_processing: 'yes',
            }).toString(),
          }),
        },
      ],
    });
  const loads: [string, () => Promise<autocannon.Result>, string, number][] = [
    ['bare Fastify: zod + 1 INSERT', baseline(bare.url), '303', bare.pid],
    ['plain: the intake’s durable work', baseline(plain.url), '303', plain.pid],
    [
      'intake: form POST /forms/callback',
      () =>
        autocannon({
          url: `${base}/forms/callback`,
          connections,
          duration: seconds,
          requests: [
            {
              method: 'POST',
              headers: { 'content-type': 'application/x-www-form-urlencoded', host: new URL(base).host },
              setupRequest: (req) => ({ ...req, body: formRequest() }),
            },
          ],
        }),
      '303',
      serve.child.pid!,
    ],
    [
      'intake: POST /api/v1/inquiries',
      () =>
        autocannon({
          url: `${base}/api/v1/inquiries`,
          connections,
          duration: seconds,
          requests: [
            {
              method: 'POST',
              headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` },
              setupRequest: (req) => ({
                ...req,
                body: JSON.stringify({
                  formId: 'callback',
                  siteDomain: 'localhost',
                  fields: { name: 'Нагрузочный Тест', phone: nextPhone() },
                  consents: { processing: true, marketing: false },
                  idempotencyKey: randomUUID(),
                }),
              }),
            },
          ],
        }),
      '201',
      serve.child.pid!,
    ],
  ];
  // PostgreSQL's processes are the server's descendants; backends opened during a load count whole.
  const postgres = () => descendants(serve!.child.pid!);
  // Between loads, what the previous one wrote is vacuumed, so each load's PostgreSQL time is its
  // own rather than the clean-up of the one before. (A checkpoint that falls inside a load still
  // makes its writes log whole pages for a while: the later loads' PostgreSQL time shows it.)
  const settle = async (): Promise<void> => {
    for (const url of [dbUrl, dbUrl.replace(/\/soglasie$/, '/soglasie_keyring')]) {
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      await c.query('VACUUM (ANALYZE)');
      await c.end();
    }
  };
  for (const [name, load, okStatus, pid] of loads) {
    await settle();
    await autocannon({ url: `${bare.url}/healthz`, connections: 4, duration: 1 }); // warm up
    const before = { app: cpuMs([pid]), pg: cpuMs(postgres()) };
    const result = await load();
    const cpu = { app: cpuMs([pid]) - before.app, pg: cpuMs(postgres()) - before.pg };
    rows.push(row(name, result, okStatus, cpu));
  }
  printTable(`intake (autocannon -c ${connections} -d ${seconds}, embedded PostgreSQL, same run)`, rows);
  const bareRps = rows[0]!.requestsPerSecond;
  const plainRow = rows[1]!;
  const ratios = rows.slice(2).map((r) => ({
    target: r.target,
    overBare: round(r.requestsPerSecond / bareRps, 2),
    // Below 1 by the share of the time the app spends beyond the durable work itself.
    overPlain: round(r.requestsPerSecond / plainRow.requestsPerSecond, 2),
    appCpuOverPlain: round(r.appCpuMsPerRequest / Math.max(0.01, plainRow.appCpuMsPerRequest), 2),
    p99Ms: r.p99Ms,
    meetsTarget: r.requestsPerSecond / bareRps >= 0.4 && r.p99Ms < 100 ? 'yes' : 'no',
  }));
  printTable('intake / bare route (target ≥ 0.40, p99 < 100 ms) and / plain durable work', ratios);
  process.stdout.write(`\nwrote ${await writeResult('intake', { seconds, connections, rows, ratios })}\n`);
} finally {
  if (bare) await bare.stop();
  if (plain) await plain.stop();
  if (serve) await serve.stop();
  await removeDir(dataDir);
}
