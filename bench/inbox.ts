/**
 * The contact centre at size: 1,000,000 data subjects (each with its key and phone blind index in
 * the keyring), 100,000 inquiries and 1,000,000 history events for the demo clinic, on the real
 * `serve --demo` and its embedded PostgreSQL. Measured, each beside a bare baseline in the same run:
 *
 * - the inbox page (InquiriesService.list: first page of new inquiries by due time, newest-first
 *   pages deep into the list, a status filter), p50/p95/p99 over sequential calls in-process, against
 *   the same SQL run bare on a plain pg client; then over HTTP with autocannon, the JSON API
 *   (GET /api/v1/inquiries) and the console's inbox page, against a bare route doing the query;
 * - search by phone among the 1M subjects (InquiriesService.search: normalise, blind index, keyring
 *   lookup, the inquiries of the found subjects, an audit entry), p99, against the bare two lookups;
 * - outbox throughput: 2,000 sealed e-mails dispatched by the real job to a local SMTP server,
 *   against nodemailer sending the same number straight to the same server.
 *
 * Targets (issue 4): inbox p95 < 150 ms, search p99 < 10 ms.
 *
 *   npx tsx bench/inbox.ts [subjects=1000000] [inquiries=100000] [eventsPerInquiry=10]
 */
import autocannon from 'autocannon';
import { execFile } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import nodemailer from 'nodemailer';
import pg from 'pg';
import { SMTPServer } from 'smtp-server';
import { loadConfig } from '../src/config/config.ts';
import { createEmailSender, OUTBOX_DISPATCH, outboxDispatchJob } from '../src/modules/outbox/index.ts';
import { systemPrincipal, type Principal } from '../src/modules/staff/index.ts';
import { blindIndex } from '../src/platform/crypto/blind-index.ts';
import { JobRunner } from '../src/platform/jobs/index.ts';
import { createLogger } from '../src/platform/logger.ts';
import { openRuntime, type Runtime } from '../src/runtime.ts';
import {
  childEnv,
  freePort,
  printTable,
  removeDir,
  ROOT,
  round,
  startServe,
  tempDir,
  writeResult,
  type ServeProcess,
} from './lib.ts';

const SUBJECTS = Number(process.argv[2] ?? 1_000_000);
const INQUIRIES = Number(process.argv[3] ?? 100_000);
const EVENTS_PER_INQUIRY = Number(process.argv[4] ?? 10);
const SAMPLES = 1000;
const MAILS = 2000;
const run = promisify(execFile);

/** The i-th subject's phone: distinct, valid Russian mobile numbers. */
const phoneOf = (i: number): string => `+7910${String(i).padStart(7, '0')}`;

function percentiles(ms: number[]): { p50: number; p95: number; p99: number; max: number } {
  const s = [...ms].sort((a, b) => a - b);
  const at = (q: number): number => round(s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)]!, 2);
  return { p50: at(0.5), p95: at(0.95), p99: at(0.99), max: round(s[s.length - 1]!, 2) };
}

async function timed(n: number, f: (i: number) => Promise<unknown>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await f(i);
    out.push(performance.now() - t);
  }
  return out;
}

async function seed(rt: Runtime, data: pg.Client, keyring: pg.Client, operatorId: string, siteId: string) {
  const t0 = performance.now();
  const bidxKey = await rt.ctx.services.keyring.namedKey(`blind-index:${operatorId}`);
  const { rows: mk } = await keyring.query<{ master_key_id: string }>(
    'SELECT master_key_id FROM named_keys LIMIT 1',
  );
  // The keys are random bytes, never unwrapped: the measured paths read ids and codes only.
  const wrapped = randomBytes(60);
  const batch = 20_000;
  for (let from = 0; from < SUBJECTS; from += batch) {
    const n = Math.min(batch, SUBJECTS - from);
    const ids: string[] = [];
    const idx: Buffer[] = [];
    for (let i = 0; i < n; i++) {
      ids.push(randomUUID());
      idx.push(blindIndex(bidxKey, 'phone', phoneOf(from + i)));
    }
    await keyring.query(
      `INSERT INTO data_keys (subject_id, operator_id, wrapped, master_key_id, created_at)
       SELECT s, $2, $3, $4, now() FROM unnest($1::uuid[]) s`,
      [ids, operatorId, wrapped, mk[0]!.master_key_id],
    );
    await keyring.query(
      `INSERT INTO subject_lookup (operator_id, field, bidx, subject_id)
       SELECT $1, 'phone', b, s FROM unnest($2::uuid[], $3::bytea[]) AS t(s, b)`,
      [operatorId, ids, idx],
    );
    await data.query(
      `INSERT INTO subjects (id, operator_id, created_at, updated_at)
       SELECT s, $2, now(), now() FROM unnest($1::uuid[]) s`,
      [ids, operatorId],
    );
    // The first INQUIRIES subjects each have one inquiry, spread over the last 100 days; a tenth of
    // them still new, a third of those past their first contact's due time.
    const withInquiry = Math.max(0, Math.min(n, INQUIRIES - from));
    if (withInquiry > 0) {
      await data.query(
        `INSERT INTO inquiries (id, operator_id, site_id, subject_id, form_id, channel, status, fields_enc,
           possible_health_data, on_behalf, created_at, first_contact_due_at, status_changed_at)
         SELECT gen_random_uuid(), $2, $3, s,
           (ARRAY['callback','feedback','appointment','estimate','review'])[1 + (k % 5)],
           (ARRAY['web_form','widget','api'])[1 + (k % 3)],
           CASE WHEN k % 10 = 0 THEN 'new'
                ELSE (ARRAY['in_progress','waiting_patient','appointment_made','done','rejected','spam'])[1 + (k % 6)] END,
           $4, k % 4 = 0, false,
           now() - ((k * 86.4) || ' seconds')::interval,
           now() - ((k * 86.4) || ' seconds')::interval + interval '15 minutes',
           CASE WHEN k % 10 = 0 THEN NULL ELSE now() - ((k * 86.4) || ' seconds')::interval + interval '1 hour' END
         FROM unnest($1::uuid[]) WITH ORDINALITY AS t(s, k)`,
        [ids.slice(0, withInquiry), operatorId, siteId, randomBytes(120)],
      );
    }
    process.stdout.write(`\rseeded ${from + n} subjects`);
  }
  process.stdout.write('\n');
  // The history: EVENTS_PER_INQUIRY events an inquiry, in slices so one statement stays small.
  const { rows: bounds } = await data.query<{ lo: string; hi: string }>(
    'SELECT min(number)::text AS lo, max(number)::text AS hi FROM inquiries',
  );
  const lo = Number(bounds[0]!.lo);
  const hi = Number(bounds[0]!.hi);
  for (let a = lo; a <= hi; a += 10_000) {
    await data.query(
      `INSERT INTO inquiry_events (id, operator_id, inquiry_id, at, kind, from_status, to_status, actor_type, actor_id)
       SELECT gen_random_uuid(), i.operator_id, i.id, i.created_at + g * interval '1 minute', 'status',
         'new', 'in_progress', 'staff', 'bench'
       FROM inquiries i, generate_series(1, $3::int) g WHERE i.number >= $1 AND i.number < $2`,
      [a, a + 10_000, EVENTS_PER_INQUIRY],
    );
    process.stdout.write(`\rseeded events up to inquiry #${Math.min(hi, a + 9_999)}`);
  }
  process.stdout.write('\n');
  // What the fold job does every few seconds in production (jobs are off here).
  await data.query('SELECT inquiry_status_fold()');
  await data.query(
    'VACUUM ANALYZE subjects, inquiries, inquiry_events, inquiry_status_counts, inquiry_status_deltas',
  );
  await keyring.query('VACUUM ANALYZE data_keys, subject_lookup');
  return round((performance.now() - t0) / 1000, 0);
}

const dataDir = await tempDir('inbox');
const pgPort = await freePort();
const env = {
  SOGLASIE_EMBEDDED_PG_PORT: String(pgPort),
  SOGLASIE_JOBS: 'false',
  SOGLASIE_LOG_LEVEL: 'warn',
};
let serve: ServeProcess | undefined;
let rt: Runtime | undefined;
const clients: pg.Client[] = [];
const result: Record<string, unknown> = {
  subjects: SUBJECTS,
  inquiries: INQUIRIES,
  eventsPerInquiry: EVENTS_PER_INQUIRY,
};
try {
  serve = await startServe({ dataDir, env, args: ['--demo'] });
  const password = (await readFile(path.join(dataDir, 'pg.password'), 'utf8')).trim();
  const url = (db: string): string =>
    `postgresql://postgres:${encodeURIComponent(password)}@127.0.0.1:${pgPort}/${db}`;
  const data = new pg.Client({ connectionString: url('soglasie') });
  const keyring = new pg.Client({ connectionString: url('soglasie_keyring') });
  clients.push(data, keyring);
  await data.connect();
  await keyring.connect();
  rt = await openRuntime(
    loadConfig({
      SOGLASIE_DATA_DIR: dataDir,
      DATABASE_URL: url('soglasie'),
      SOGLASIE_KEYRING_URL: url('soglasie_keyring'),
      SOGLASIE_JOBS: 'false',
      SOGLASIE_LOG_LEVEL: 'warn',
      // The outbox queues e-mail only where SMTP is configured; the bench's own sender (below)
      // delivers to its local server, the runtime never sends (its jobs are off).
      SMTP_HOST: '127.0.0.1',
      SMTP_FROM: 'clinic@example.ru',
    }),
    createLogger('warn'),
  );
  const { ctx } = rt;
  const { rows: op } = await data.query<{ id: string; site: string }>(
    `SELECT o.id, s.id AS site FROM operators o JOIN sites s ON s.operator_id = o.id
     WHERE o.slug = 'lux-demo' ORDER BY s.created_at LIMIT 1`,
  );
  const operatorId = op[0]!.id;
  result.seedSeconds = await seed(rt, data, keyring, operatorId, op[0]!.site);
  console.log(`seeded in ${String(result.seedSeconds)} s`);

  // The demo clinic's agent, as the console would act for them.
  const { rows: agent } = await data.query<{ staff_id: string }>(
    `SELECT staff_id FROM staff_roles WHERE operator_id = $1 AND role = 'agent' LIMIT 1`,
    [operatorId],
  );
  const principal: Principal = {
    kind: 'staff',
    staffId: agent[0]!.staff_id,
    roles: new Map([[operatorId, new Set(['agent'] as const)]]),
    installationAdmin: false,
    source: '127.0.0.1',
  };
  const inquiries = ctx.services.inquiries;

  // --- The inbox, in-process, beside the bare SQL --------------------------------------------
  const deepCursors: string[] = [];
  {
    let cursor: string | undefined;
    for (let i = 0; i < 40; i++) {
      const page = await inquiries.list(principal, { operatorId, limit: 50, ...(cursor ? { cursor } : {}) });
      if (!page.nextCursor) break;
      cursor = page.nextCursor;
      deepCursors.push(cursor);
    }
  }
  const inbox: Record<string, string | number>[] = [];
  const cases: [string, (i: number) => Promise<unknown>, (i: number) => Promise<unknown>][] = [
    [
      'new, by due time (first page)',
      () => inquiries.list(principal, { operatorId, status: 'new', limit: 50 }),
      () =>
        data.query(
          `SELECT * FROM inquiries WHERE operator_id = $1 AND status = 'new'
           ORDER BY created_at DESC, id DESC LIMIT 51`,
          [operatorId],
        ),
    ],
    [
      'all, pages 1-40 (keyset)',
      (i) =>
        inquiries.list(principal, {
          operatorId,
          limit: 50,
          ...(i % 41 === 0 ? {} : { cursor: deepCursors[(i % 41) - 1]! }),
        }),
      (i) =>
        data.query(
          `SELECT * FROM inquiries WHERE operator_id = $1 ORDER BY created_at DESC, id DESC
           OFFSET $2 LIMIT 51`,
          [operatorId, (i % 41) * 50],
        ),
    ],
    [
      'overdue only',
      () => inquiries.list(principal, { operatorId, overdue: true, limit: 50 }),
      () =>
        data.query(
          `SELECT * FROM inquiries WHERE operator_id = $1 AND status = 'new' AND first_contact_due_at < now()
           ORDER BY created_at DESC, id DESC LIMIT 51`,
          [operatorId],
        ),
    ],
    [
      'status done',
      () => inquiries.list(principal, { operatorId, status: 'done', limit: 50 }),
      () =>
        data.query(
          `SELECT * FROM inquiries WHERE operator_id = $1 AND status = 'done'
           ORDER BY created_at DESC, id DESC LIMIT 51`,
          [operatorId],
        ),
    ],
    [
      'counts per status',
      () => inquiries.countsByStatus(principal, { operatorId }),
      () =>
        data.query('SELECT status, count(*) FROM inquiries WHERE operator_id = $1 GROUP BY status', [
          operatorId,
        ]),
    ],
  ];
  for (const [name, app, bare] of cases) {
    await timed(50, app);
    await timed(50, bare);
    const a = percentiles(await timed(SAMPLES, app));
    const b = percentiles(await timed(SAMPLES, bare));
    inbox.push({
      case: name,
      p50: a.p50,
      p95: a.p95,
      p99: a.p99,
      bareP95: b.p95,
      ratioP95: round(a.p95 / b.p95, 1),
    });
  }
  printTable('inbox in-process (ms, sequential)', inbox);
  result.inboxInProcess = inbox;

  // --- Search by phone among the subjects -----------------------------------------------------
  const pick = (i: number): number => (i * 7919) % SUBJECTS;
  const searchApp = (i: number) =>
    inquiries.search(principal, operatorId, { phone: phoneOf(pick(i)).replace('+7', '8 ') }, { limit: 50 });
  const bidxKey = await ctx.services.keyring.namedKey(`blind-index:${operatorId}`);
  const searchBare = async (i: number) => {
    const { rows } = await keyring.query<{ subject_id: string }>(
      `SELECT subject_id FROM subject_lookup WHERE operator_id = $1 AND field = 'phone' AND bidx = $2`,
      [operatorId, blindIndex(bidxKey, 'phone', phoneOf(pick(i)))],
    );
    return data.query(
      `SELECT * FROM inquiries WHERE operator_id = $1 AND subject_id = ANY($2::uuid[])
       ORDER BY created_at DESC, id DESC LIMIT 51`,
      [operatorId, rows.map((r) => r.subject_id)],
    );
  };
  await timed(100, searchApp);
  await timed(100, searchBare);
  const s = percentiles(await timed(SAMPLES * 2, (i) => searchApp(i + 100)));
  const sb = percentiles(await timed(SAMPLES * 2, (i) => searchBare(i + 100)));
  const search = [
    { target: 'InquiriesService.search (phone)', ...s },
    { target: 'bare: keyring lookup + inquiries', ...sb },
  ];
  printTable(`search by phone among ${SUBJECTS} subjects (ms, sequential)`, search);
  result.search = { app: s, bare: sb, ratioP99: round(s.p99 / sb.p99, 1) };

  // --- Over HTTP: the JSON API and the console's inbox page -----------------------------------
  const { stdout } = await run(
    process.execPath,
    [
      path.join(ROOT, 'bin/soglasie.mjs'),
      'apikey',
      'create',
      '--operator',
      'lux-demo',
      '--name',
      'bench',
      '--scope',
      'inquiries:read',
    ],
    { cwd: ROOT, env: childEnv({ SOGLASIE_DATA_DIR: dataDir, DATABASE_URL: url('soglasie'), ...env }) },
  ).catch((e: { stdout?: string; stderr?: string }) => ({ stdout: e.stdout ?? '', stderr: e.stderr ?? '' }));
  const apiKey = /(sgl_[A-Za-z0-9_-]+)/.exec(stdout)?.[1];
  const http: Record<string, string | number>[] = [];
  const load = async (name: string, target: string, headers: Record<string, string>): Promise<void> => {
    const r = await autocannon({ url: target, connections: 10, duration: 10, headers });
    const codes = r.statusCodeStats as unknown as Record<string, { count: number }>;
    http.push({
      target: name,
      rps: round(r.requests.average, 0),
      p50: r.latency.p50,
      p90: r.latency.p90,
      'p97.5': r.latency.p97_5,
      p99: r.latency.p99,
      ok: codes['200']?.count ?? 0,
      other: Object.entries(codes).reduce((n, [k, c]) => (k === '200' ? n : n + c.count), 0),
    });
  };
  if (apiKey) {
    await load('GET /api/v1/inquiries?status=new', `${serve.url}/api/v1/inquiries?status=new&limit=50`, {
      authorization: `Bearer ${apiKey}`,
    });
    await load('GET /api/v1/inquiries', `${serve.url}/api/v1/inquiries?limit=50`, {
      authorization: `Bearer ${apiKey}`,
    });
  } else {
    console.log('no API key with inquiries:read; the API load is skipped');
  }
  const demoPassword = (await readFile(path.join(dataDir, 'demo-login.txt'), 'utf8').catch(() => '')).trim();
  const cookie = await consoleSession(serve.url, demoPassword);
  if (cookie) {
    await load('GET /console (inbox page)', `${serve.url}/console`, { cookie });
    await load('GET /console?status=new', `${serve.url}/console?status=new`, { cookie });
  } else {
    console.log('could not sign in to the console; the page load is skipped');
  }
  await load('GET /healthz (baseline)', `${serve.url}/healthz`, {});
  printTable('over HTTP (autocannon -c 10 -d 10; ms)', http);
  result.http = http;

  // --- Outbox throughput to a local SMTP server ----------------------------------------------
  result.outbox = await outboxThroughput(rt, operatorId);
} finally {
  await rt?.close();
  for (const c of clients) await c.end().catch(() => undefined);
  await serve?.stop();
  await removeDir(dataDir);
}
console.log(`results: ${await writeResult('inbox', result)}`);

/** Signs the demo staff in; the session cookie, or undefined. */
async function consoleSession(base: string, password: string): Promise<string | undefined> {
  if (!password) return undefined;
  const page = await fetch(`${base}/console/login`);
  const setCookie = page.headers.getSetCookie().map((c) => c.split(';')[0]!);
  const html = await page.text();
  const csrf = /name="_csrf" value="([^"]+)"/.exec(html)?.[1];
  const body = new URLSearchParams({
    email: 'admin@lux-demo.example',
    password,
    ...(csrf ? { _csrf: csrf } : {}),
  });
  const res = await fetch(`${base}/console/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      cookie: setCookie.join('; '),
      origin: base,
    },
    body,
  });
  const session = res.headers.getSetCookie().map((c) => c.split(';')[0]!);
  if (res.status !== 303 || session.length === 0) return undefined;
  return [...setCookie, ...session].join('; ');
}

async function outboxThroughput(runtime: Runtime, operatorId: string): Promise<Record<string, unknown>> {
  const { ctx } = runtime;
  let received = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, _session, callback) {
      stream.on('data', () => undefined);
      stream.on('end', () => {
        received++;
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  try {
    // Real subjects with real keys, a message each, sealed as the app seals them.
    const subjects: string[] = [];
    for (let i = 0; i < 50; i++) {
      const ref = await ctx.services.subjects.create(systemPrincipal('bench'), operatorId, {
        name: 'Нагрузочный Тест',
        email: `bench${i}@example.ru`,
      });
      subjects.push(ref.id);
    }
    const t0 = performance.now();
    for (let from = 0; from < MAILS; from += 100) {
      await ctx.db.scoped([operatorId], async (tx) => {
        for (let i = from; i < Math.min(MAILS, from + 100); i++) {
          await ctx.services.outbox.add(tx, {
            operatorId,
            subjectId: subjects[i % subjects.length]!,
            channel: 'email',
            template: 'bench',
            payload: {
              to: `bench${i % 50}@example.ru`,
              subject: 'Статус заявки',
              text: 'Ваша заявка в работе.',
            },
          });
        }
      });
    }
    const queueMs = performance.now() - t0;
    const smtp = {
      host: '127.0.0.1',
      port,
      secure: false,
      user: undefined,
      password: undefined,
      from: 'clinic@example.ru',
    };
    const sender = createEmailSender(smtp);
    const runners = [0, 1].map(
      () =>
        new JobRunner({
          db: ctx.db,
          clock: ctx.clock,
          log: ctx.log,
          handlers: [
            outboxDispatchJob({
              keyring: ctx.services.keyring,
              audit: ctx.services.audit,
              jobs: ctx.services.jobs,
              clock: ctx.clock,
              senders: [sender],
            }),
          ],
        }),
    );
    const t1 = performance.now();
    // Two runners, as two instances would: each enqueues a dispatch and runs it until all went out.
    await Promise.all(
      runners.map(async (r) => {
        while (received < MAILS) {
          await ctx.db.transaction((tx) => ctx.services.jobs.enqueue(tx, { kind: OUTBOX_DISPATCH }));
          const out = await r.runOnce();
          if (!out.ran) await new Promise((res) => setTimeout(res, 5));
        }
      }),
    );
    const dispatchMs = performance.now() - t1;
    sender.close();

    received = 0;
    const direct = nodemailer.createTransport({ host: '127.0.0.1', port, secure: false });
    const t2 = performance.now();
    for (let i = 0; i < MAILS; i += 20) {
      await Promise.all(
        Array.from({ length: Math.min(20, MAILS - i) }, (_, j) =>
          direct.sendMail({
            from: 'clinic@example.ru',
            to: `bench${(i + j) % 50}@example.ru`,
            subject: 'Статус заявки',
            text: 'Ваша заявка в работе.',
          }),
        ),
      );
    }
    const directMs = performance.now() - t2;
    direct.close();
    const rows = [
      {
        target: 'outbox: queue (sealed, 100 a transaction)',
        messages: MAILS,
        perSecond: round((MAILS / queueMs) * 1000, 0),
      },
      {
        target: 'outbox: dispatch job, 2 runners',
        messages: MAILS,
        perSecond: round((MAILS / dispatchMs) * 1000, 0),
      },
      {
        target: 'bare: nodemailer, 20 at a time',
        messages: MAILS,
        perSecond: round((MAILS / directMs) * 1000, 0),
      },
    ];
    printTable('outbox to a local SMTP server', rows);
    return { rows, ratio: round(directMs / dispatchMs, 2) };
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
