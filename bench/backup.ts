/**
 * Backup and restore at size: 1,000,000 data subjects, each with its own data key wrapped by the
 * master key, a phone blind index in the keyring and three encrypted fields, and 100,000
 * inquiries, on an embedded PostgreSQL. Measured: `takeBackup` (both snapshots, COPY, gzip),
 * `checkBackup --deep` (every file hashed, decompressed and counted), `restoreBackup` into a fresh
 * pair of databases on the same server, and `verifyRestored` (the audit chain, and every
 * patient's key unwrapped with the master key); the backup's size on disk per part.
 *
 *   npx tsx bench/backup.ts [subjects=1000000] [inquiries=100000]
 */
import { randomBytes, randomUUID } from 'node:crypto';
import pg from 'pg';
import { ensureDemoOperator } from '../src/cli/demo-data.ts';
import { loadConfig } from '../src/config/config.ts';
import { checkBackup, restoreBackup, takeBackup, verifyRestored } from '../src/modules/backup/index.ts';
import { seal, sealString } from '../src/platform/crypto/aead.ts';
import { blindIndex } from '../src/platform/crypto/blind-index.ts';
import { withDatabase } from '../src/platform/db/database.ts';
import { createLogger } from '../src/platform/logger.ts';
import { openRuntime, type Runtime } from '../src/runtime.ts';
import { benchRuntime, printTable, round, writeResult } from './lib.ts';

const SUBJECTS = Number(process.argv[2] ?? 1_000_000);
const INQUIRIES = Number(process.argv[3] ?? 100_000);
const BATCH = 10_000;

const phoneOf = (i: number): string => `+7910${String(i).padStart(7, '0')}`;

async function connect(url: string): Promise<pg.Client> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  return c;
}

/** Seeds subjects as intake would store them: real keys, real ciphertext, real blind indexes. */
async function seed(rt: Runtime, data: pg.Client, keyring: pg.Client): Promise<number> {
  const t0 = performance.now();
  const { operatorId } = await ensureDemoOperator(rt.ctx);
  const bidxKey = await rt.ctx.services.keyring.namedKey(`blind-index:${operatorId}`);
  const mk = rt.ctx.masterKeys.active;
  let siteId = (
    await data.query<{ id: string }>('SELECT id FROM sites WHERE operator_id = $1 LIMIT 1', [operatorId])
  ).rows[0]?.id;
  if (!siteId) {
    siteId = randomUUID();
    await data.query(
      'INSERT INTO sites (id, operator_id, domain, title, created_at) VALUES ($1, $2, $3, $3, now())',
      [siteId, operatorId, 'bench.example'],
    );
  }
  for (let from = 0; from < SUBJECTS; from += BATCH) {
    const n = Math.min(BATCH, SUBJECTS - from);
    const ids: string[] = [];
    const wrapped: Buffer[] = [];
    const bidx: Buffer[] = [];
    const names: Buffer[] = [];
    const phones: Buffer[] = [];
    for (let i = 0; i < n; i++) {
      const id = randomUUID();
      const key = randomBytes(32);
      const phone = phoneOf(from + i);
      ids.push(id);
      // The keyring's wrapping of a data key (KeyringService: AAD `soglasie/data-key/<id>`).
      wrapped.push(seal(mk.key, key, `soglasie/data-key/${id}`));
      bidx.push(blindIndex(bidxKey, 'phone', phone));
      names.push(sealString(key, `Пациент Номер ${from + i}`, `subject:${id}:name`));
      phones.push(sealString(key, phone, `subject:${id}:phone`));
    }
    await keyring.query(
      `INSERT INTO data_keys (subject_id, operator_id, wrapped, master_key_id, created_at)
       SELECT s, $2, w, $4, now() FROM unnest($1::uuid[], $3::bytea[]) AS t(s, w)`,
      [ids, operatorId, wrapped, mk.id],
    );
    await keyring.query(
      `INSERT INTO subject_lookup (operator_id, field, bidx, subject_id)
       SELECT $1, 'phone', b, s FROM unnest($2::uuid[], $3::bytea[]) AS t(s, b)`,
      [operatorId, ids, bidx],
    );
    await data.query(
      `INSERT INTO subjects (id, operator_id, name_enc, phone_enc, created_at, updated_at)
       SELECT s, $2, nm, ph, now(), now() FROM unnest($1::uuid[], $3::bytea[], $4::bytea[]) AS t(s, nm, ph)`,
      [ids, operatorId, names, phones],
    );
    const withInquiry = Math.max(0, Math.min(n, INQUIRIES - from));
    if (withInquiry > 0) {
      await data.query(
        `INSERT INTO inquiries (id, operator_id, site_id, subject_id, form_id, channel, status, fields_enc,
           possible_health_data, on_behalf, created_at, first_contact_due_at)
         SELECT gen_random_uuid(), $2, $3, s, 'callback', 'web_form',
           CASE WHEN k % 10 = 0 THEN 'new' ELSE 'done' END, $4, false, false, now(), now() + interval '15 minutes'
         FROM unnest($1::uuid[]) WITH ORDINALITY AS t(s, k)`,
        [ids.slice(0, withInquiry), operatorId, siteId, randomBytes(120)],
      );
    }
    process.stdout.write(`\rseeded ${from + n} subjects`);
  }
  process.stdout.write('\n');
  await data.query('SELECT inquiry_status_fold()');
  return round((performance.now() - t0) / 1000, 0);
}

async function time<T>(f: () => Promise<T>): Promise<{ value: T; seconds: number }> {
  const t = performance.now();
  const value = await f();
  return { value, seconds: round((performance.now() - t) / 1000, 1) };
}

const bench = await benchRuntime('backup');
let restored: Runtime | undefined;
const clients: pg.Client[] = [];
try {
  const rt = bench.runtime;
  const data = await connect(rt.urls.data);
  const keyring = await connect(rt.urls.keyring);
  clients.push(data, keyring);
  const seedSeconds = await seed(rt, data, keyring);
  console.log(`seeded in ${seedSeconds} s`);
  const dbBytes = async (c: pg.Client): Promise<number> =>
    Number(
      (await c.query<{ n: string }>('SELECT pg_database_size(current_database())::text AS n')).rows[0]!.n,
    );
  const sizes = { data: await dbBytes(data), keyring: await dbBytes(keyring) };

  const dir = `${bench.dir}/backup-1`;
  const backup = await time(() => takeBackup({ urls: rt.urls, masterKeys: rt.ctx.masterKeys, dir }));
  const m = backup.value;
  const partBytes = (p: 'data' | 'keyring') => m.databases[p].tables.reduce((n, t) => n + t.bytes, 0);
  const check = await time(() => checkBackup({ dir, masterKeys: rt.ctx.masterKeys, deep: true }));
  if (check.value.problems.length > 0) throw new Error(check.value.problems.join('\n'));

  await data.query('CREATE DATABASE restored');
  await data.query('CREATE DATABASE restored_keyring');
  const urls = {
    data: withDatabase(rt.urls.data, 'restored'),
    keyring: withDatabase(rt.urls.data, 'restored_keyring'),
  };
  const restore = await time(() => restoreBackup({ dir, urls, masterKeys: rt.ctx.masterKeys }));
  const mk = rt.ctx.config.masterKey;
  restored = await openRuntime(
    loadConfig({
      SOGLASIE_MASTER_KEY: mk.source === 'env' ? mk.value : '',
      DATABASE_URL: urls.data,
      SOGLASIE_KEYRING_URL: urls.keyring,
      SOGLASIE_JOBS: 'false',
      SOGLASIE_LOG_LEVEL: 'warn',
    }),
    createLogger('warn'),
    { migrate: false },
  );
  const verify = await time(() =>
    verifyRestored({
      dataUrl: urls.data,
      keyring: restored!.ctx.services.keyring,
      audit: restored!.ctx.services.audit,
    }),
  );
  if (!verify.value.auditOk || verify.value.readable !== SUBJECTS) {
    throw new Error(`verification failed: ${JSON.stringify(verify.value)}`);
  }

  const mb = (b: number) => round(b / 1_048_576, 0);
  const rows = [
    {
      step: 'backup (both parts)',
      seconds: backup.seconds,
      'MB on disk': mb(partBytes('data') + partBytes('keyring')),
    },
    { step: '  data part', seconds: '', 'MB on disk': mb(partBytes('data')) },
    { step: '  keyring part', seconds: '', 'MB on disk': mb(partBytes('keyring')) },
    { step: 'restore --check (deep)', seconds: check.seconds, 'MB on disk': '' },
    { step: 'restore (load, indexes)', seconds: restore.seconds, 'MB on disk': '' },
    { step: 'verify (audit, 1 unwrap/patient)', seconds: verify.seconds, 'MB on disk': '' },
    { step: 'databases before (data + keyring)', seconds: '', 'MB on disk': mb(sizes.data + sizes.keyring) },
  ];
  printTable(`Backup and restore of ${SUBJECTS} patients, ${INQUIRIES} inquiries`, rows);
  await writeResult('backup', {
    subjects: SUBJECTS,
    inquiries: INQUIRIES,
    seedSeconds,
    backupSeconds: backup.seconds,
    checkSeconds: check.seconds,
    restoreSeconds: restore.seconds,
    verifySeconds: verify.seconds,
    backupBytes: { data: partBytes('data'), keyring: partBytes('keyring') },
    databaseBytes: sizes,
  });
} finally {
  for (const c of clients) await c.end().catch(() => undefined);
  await restored?.close();
  await bench.close();
}
