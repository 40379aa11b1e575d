/**
 * argon2id sign-ins per second on this machine, with the staff module's hashPassword and
 * verifyPassword (OWASP parameters): sequential and 2 and 4 verifications at a time; then through
 * HTTP, POST /console/login of the real `serve` (CSRF token, throttling, session row, audit entry)
 * side by side with a bare Fastify route that only verifies the same hash.
 *
 *   npx tsx bench/argon2.ts [seconds=10]
 */
import autocannon from 'autocannon';
import { hashPassword, systemPrincipal, verifyPassword } from '../src/modules/staff/index.ts';
import {
  benchRuntime,
  printTable,
  removeDir,
  round,
  startChildServer,
  startServe,
  writeResult,
  type ServeProcess,
} from './lib.ts';

const seconds = Number(process.argv[2] ?? 10);
const PASSWORD = 'bench-пароль-2026-долгий';
// Several accounts, used in turn: an attempt is counted against its account before the password is
// checked (the staff module's throttle), so many parallel sign-ins of ONE account would lock it.
const ACCOUNTS = 16;
const email = (i: number): string => `bench-${i % ACCOUNTS}@clinic.example`;

const hashed = await hashPassword(PASSWORD);
const params = /^\$argon2id\$v=\d+\$(m=\d+,t=\d+,p=\d+)\$/.exec(hashed)?.[1] ?? 'unknown';

async function verifications(
  total: number,
  concurrency: number,
): Promise<{ perSecond: number; msEach: number }> {
  await verifyPassword(hashed, PASSWORD); // warm-up
  let next = 0;
  const t = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) {
        next++;
        if (!(await verifyPassword(hashed, PASSWORD))) throw new Error('verification failed');
      }
    }),
  );
  const ms = performance.now() - t;
  return { perSecond: (total * 1000) / ms, msEach: ms / total };
}

const inProcess = [];
for (const [total, c] of [
  [20, 1],
  [30, 2],
  [40, 4],
] as const) {
  const r = await verifications(total, c);
  inProcess.push({
    case: `verifyPassword, ${c} at a time`,
    verifications: total,
    perSecond: round(r.perSecond, 1),
    msWallEach: round(r.msEach, 1),
  });
}
printTable(`argon2id in-process (${params})`, inProcess);

// Through HTTP: an account in a fresh data folder, then the real `serve` on it.
interface HttpRow {
  target: string;
  connections: number;
  requestsPerSecond: number;
  p99Ms: number;
  status303: number;
  other: number;
}
const http: HttpRow[] = [];
const statuses: Record<string, Record<string, number>> = {};
const runtime = await benchRuntime('argon2');
const dataDir = runtime.dir;
let serve: ServeProcess | undefined;
let bare: Awaited<ReturnType<typeof startChildServer>> | undefined;
try {
  for (let i = 0; i < ACCOUNTS; i++) {
    await runtime.runtime.ctx.services.staff.create(systemPrincipal('bench'), {
      email: email(i),
      displayName: 'Bench',
      password: PASSWORD,
      installationAdmin: true,
      roles: [],
    });
  }
  await runtime.runtime.close();

  serve = await startServe({ dataDir });
  const page = await fetch(`${serve.url}/console/login`);
  if (page.status === 404) throw new Error('no /console/login in this build');
  const html = await page.text();
  const csrf = /name="_csrf" value="([^"]+)"/.exec(html)?.[1];
  const cookie = page.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
  if (!csrf || !cookie) throw new Error('the sign-in page gave no CSRF token or cookie');
  const form = (i: number): string =>
    new URLSearchParams({ _csrf: csrf, email: email(i), password: PASSWORD }).toString();
  const check = await fetch(`${serve.url}/console/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
    body: form(0),
  });
  if (check.status !== 303) throw new Error(`POST /console/login answered ${check.status}, not 303`);

  bare = await startChildServer('bench/bare-server.ts', { BENCH_PASSWORD_HASH: hashed });
  const connections = 8;
  const targets = [
    { target: 'app POST /console/login', url: `${serve.url}/console/login`, cookie },
    { target: 'bare Fastify POST /login', url: `${bare.url}/login`, cookie: undefined },
  ];
  for (const t of targets) {
    let n = 0;
    const r = await autocannon({
      url: t.url,
      method: 'POST',
      connections,
      duration: seconds,
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        ...(t.cookie ? { cookie: t.cookie } : {}),
      },
      requests: [{ setupRequest: (req) => ({ ...req, body: form(n++) }) }],
    });
    const codes = r.statusCodeStats as unknown as Record<string, { count: number } | undefined>;
    statuses[t.target] = Object.fromEntries(Object.entries(codes).map(([k, v]) => [k, v?.count ?? 0]));
    const ok = codes['303']?.count ?? 0;
    http.push({
      target: t.target,
      connections,
      requestsPerSecond: round(r.requests.average, 1),
      p99Ms: r.latency.p99,
      status303: ok,
      other: r.requests.total - ok + r.errors,
    });
  }
  printTable(
    `sign-ins over HTTP (autocannon -c ${connections} -d ${seconds}, same run)`,
    http.map((h) => ({ ...h })),
  );
  const ratio = http[0]!.requestsPerSecond / http[1]!.requestsPerSecond;
  process.stdout.write(`app / bare: ${round(ratio, 2)}\nstatus codes: ${JSON.stringify(statuses)}\n`);
  if (serve.stderr().trim()) process.stdout.write(`serve wrote to stderr:\n${serve.stderr()}\n`);
} finally {
  await bare?.stop();
  await serve?.stop();
  await removeDir(dataDir);
}

await writeResult('argon2', { params, inProcess, http, statuses, accounts: ACCOUNTS });
