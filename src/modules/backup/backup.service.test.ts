// Backup under load and restore into a fresh pair of databases: every patient decrypts to the same
// fields, the audit chain and status counts survive, and patients shredded before the backup or
// between its two snapshots stay unreadable. Bad backups and bad targets are refused with nothing
// written.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { createTestEnv, dropDatabases, testAdminUrl, type TestEnv } from '../../../test/harness.ts';
import { loadConfig } from '../../config/config.ts';
import type { AppContext } from '../../composition/context.ts';
import { masterKeysOf, parseMasterKey } from '../../platform/crypto/master-key.ts';
import { isEmptyDatabase } from '../../platform/db/backup/snapshot.ts';
import { withDatabase } from '../../platform/db/database.ts';
import { createLogger } from '../../platform/logger.ts';
import { openRuntime, type Runtime } from '../../runtime.ts';
import { AppError, ErrorCode } from '../../platform/errors.ts';
import {
  insertOperatorWithSite,
  submitCallback,
  testIntakeFor,
  type TestOperator,
} from '../inquiries/intake.testing.ts';
import type { IntakeService } from '../inquiries/index.ts';
import { systemPrincipal } from '../staff/index.ts';
import { decryptSubjectRow, type SubjectDto } from '../subjects/index.ts';
import {
  BackupError,
  checkBackup,
  restoreBackup,
  takeBackup,
  verifyRestored,
  type Manifest,
} from './index.ts';

const system = systemPrincipal('test');
let phoneSeq = 0;
const nextPhone = () => `+7 912 ${String(10_000_000 + (phoneSeq += 1)).slice(1)}`;

async function client(url: string): Promise<pg.Client> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  return c;
}

/** Every subject of the database, decrypted with the keyring of `ctx` (undefined: no key). */
async function decryptAll(url: string, ctx: AppContext): Promise<Map<string, SubjectDto | undefined>> {
  const c = await client(url);
  try {
    const { rows } = await c.query<Parameters<typeof decryptSubjectRow>[1]>('SELECT * FROM subjects');
    const keys = await ctx.services.keyring.getDataKeys(rows.map((r) => r.id));
    return new Map(
      rows.map((r) => [r.id, keys.has(r.id) ? decryptSubjectRow(keys.get(r.id)!, r) : undefined]),
    );
  } finally {
    await c.end();
  }
}

/** A fresh, empty pair of databases on the test server. */
async function freshPair(): Promise<{ names: string[]; urls: { data: string; keyring: string } }> {
  const name = `${process.env.SOGLASIE_TEST_TEMPLATE}_t${randomBytes(5).toString('hex')}`;
  const admin = await client(testAdminUrl());
  try {
    await admin.query(`CREATE DATABASE ${name} TEMPLATE template0`);
    await admin.query(`CREATE DATABASE ${name}_keyring TEMPLATE template0`);
  } finally {
    await admin.end();
  }
  return {
    names: [name, `${name}_keyring`],
    urls: {
      data: withDatabase(testAdminUrl(), name),
      keyring: withDatabase(testAdminUrl(), `${name}_keyring`),
    },
  };
}

async function statusCounts(url: string): Promise<{ folded: string; actual: string }> {
  const c = await client(url);
  try {
    const folded = await c.query<{ k: string }>(
      `SELECT string_agg(operator_id || ':' || status || '=' || n, ',' ORDER BY operator_id, status) AS k FROM (
         SELECT operator_id, status, sum(n)::int AS n FROM (
           SELECT operator_id, status, n FROM inquiry_status_counts
           UNION ALL SELECT operator_id, status, d FROM inquiry_status_deltas) x
         GROUP BY 1, 2 HAVING sum(n) <> 0) y`,
    );
    const actual = await c.query<{ k: string }>(
      `SELECT string_agg(operator_id || ':' || status || '=' || n, ',' ORDER BY operator_id, status) AS k FROM (
         SELECT operator_id, status, count(*)::int AS n FROM inquiries GROUP BY 1, 2) y`,
    );
    return { folded: folded.rows[0]!.k, actual: actual.rows[0]!.k };
  } finally {
    await c.end();
  }
}

describe('backup under load, restore into a fresh pair', () => {
  let env: TestEnv;
  let op: TestOperator;
  let intake: IntakeService;
  let dir: string;
  let manifest: Manifest;
  let restored: Runtime;
  let restoredUrls: { data: string; keyring: string };
  const dbs: string[] = [];
  const seeded: string[] = [];
  let shreddedBefore: string;
  let shreddedBetween: string;
  const createdBetween: string[] = [];
  let loadCount = 0;

  const subjectOf = async (inquiryId: string): Promise<string> => {
    const admin = await env.admin();
    const { rows } = await admin.query<{ subject_id: string }>(
      'SELECT subject_id FROM inquiries WHERE id = $1',
      [inquiryId],
    );
    return rows[0]!.subject_id;
  };
  const intakeOne = async () =>
    subjectOf(
      await submitCallback(intake, op, { fields: { name: `Пациент ${phoneSeq}`, phone: nextPhone() } }),
    );

  before(async () => {
    env = await createTestEnv({ logLevel: 'warn' });
    dir = path.join(await mkdtemp(path.join(tmpdir(), 'soglasie-backup-')), 'b');
    op = await insertOperatorWithSite(env, 'backup-clinic');
    intake = testIntakeFor(env, [op], { limits: { rateLimit: 1_000_000 } });
    for (let i = 0; i < 40; i += 1) seeded.push(await intakeOne());
    shreddedBefore = seeded[3]!;
    shreddedBetween = seeded[7]!;
    await env.ctx.services.subjects.destroy(system, op.operatorId, shreddedBefore, 'subject_request');

    // Intakes run all through the backup.
    let stop = false;
    const load = (async () => {
      while (!stop) {
        await intakeOne();
        loadCount += 1;
      }
    })();
    manifest = await takeBackup({
      urls: env.adminUrls,
      masterKeys: env.ctx.masterKeys,
      dir,
      afterDataSnapshot: async () => {
        await env.ctx.services.subjects.destroy(system, op.operatorId, shreddedBetween, 'consent_withdrawn');
        for (let i = 0; i < 3; i += 1) createdBetween.push(await intakeOne());
      },
    });
    stop = true;
    await load;

    const pair = await freshPair();
    dbs.push(...pair.names);
    restoredUrls = pair.urls;
    await restoreBackup({ dir, urls: restoredUrls, masterKeys: env.ctx.masterKeys });
    const mk = env.config.masterKey;
    assert.equal(mk.source, 'env');
    const config = loadConfig({
      SOGLASIE_MASTER_KEY: mk.source === 'env' ? mk.value : '',
      DATABASE_URL: restoredUrls.data,
      SOGLASIE_KEYRING_URL: restoredUrls.keyring,
      SOGLASIE_LOG_LEVEL: 'warn',
      SOGLASIE_DB_POOL_SIZE: '2',
      SOGLASIE_JOBS: 'false',
    });
    restored = await openRuntime(config, createLogger('silent'), { migrate: false });
  });
  after(async () => {
    await restored?.close();
    await env.close();
    await dropDatabases(dbs);
    await rm(path.dirname(dir), { recursive: true, force: true });
  });

  it('restores every patient of the data snapshot with the same fields', async () => {
    assert.ok(loadCount > 0 || createdBetween.length === 3, 'intakes ran during the backup');
    const now = await decryptAll(env.adminUrls.data, env.ctx);
    const back = await decryptAll(restoredUrls.data, restored.ctx);
    assert.equal(back.size, manifest.databases.data.tables.find((t) => t.name === 'subjects')!.rows);
    for (const id of seeded) {
      if (id === shreddedBefore) continue;
      assert.ok(back.has(id), 'a patient seeded before the backup is missing');
    }
    let compared = 0;
    for (const [id, dto] of back) {
      if (id === shreddedBetween) continue;
      assert.ok(dto, 'a restored patient without a key');
      assert.deepEqual(dto, now.get(id));
      compared += 1;
    }
    assert.ok(compared >= seeded.length - 2);
    // Created after the data snapshot: not in the data part (their keys are orphans in the keyring part).
    for (const id of createdBetween) assert.equal(back.has(id), false);
  });

  it('keeps patients shredded before the backup, and between its two snapshots, unreadable', async () => {
    const read = (id: string) => restored.ctx.services.subjects.read(system, op.operatorId, id);
    for (const id of [shreddedBefore, shreddedBetween]) {
      await assert.rejects(
        read(id),
        (e: unknown) => e instanceof AppError && e.code === ErrorCode.SubjectDestroyed,
      );
      assert.equal(await restored.ctx.services.keyring.getDataKey(id), undefined);
    }
    // The one shredded between: its ciphertext is in the data part, its key is in no part.
    const c = await client(restoredUrls.data);
    try {
      const { rowCount } = await c.query('SELECT 1 FROM subjects WHERE id = $1', [shreddedBetween]);
      assert.equal(rowCount, 1);
    } finally {
      await c.end();
    }
    const report = await verifyRestored({
      dataUrl: restoredUrls.data,
      keyring: restored.ctx.services.keyring,
      audit: restored.ctx.services.audit,
    });
    assert.equal(report.auditOk, true, report.auditProblem);
    assert.ok(report.auditChecked > seeded.length);
    assert.equal(report.withoutKey, 1);
    assert.equal(report.readable, report.subjects - 1);
  });

  it('restores the status counts and the sequences as they were', async () => {
    const counts = await statusCounts(restoredUrls.data);
    assert.equal(counts.folded, counts.actual);
    const c = await client(restoredUrls.data);
    try {
      const { rows } = await c.query<{ max: string; last: string }>(
        `SELECT (SELECT max(number)::text FROM inquiries) AS max,
                (SELECT last_value::text FROM pg_sequences WHERE sequencename = 'inquiries_number_seq') AS last`,
      );
      assert.ok(BigInt(rows[0]!.last) >= BigInt(rows[0]!.max));
    } finally {
      await c.end();
    }
  });

  it('records the order, the versions, the counts and the key id, never the key', async () => {
    const text = await readFile(path.join(dir, 'manifest.json'), 'utf8');
    assert.deepEqual(manifest.order, ['data', 'keyring']);
    assert.equal(manifest.masterKeyId, env.ctx.masterKeys.active.id);
    assert.ok(
      Date.parse(manifest.databases.data.snapshotAt) <= Date.parse(manifest.databases.keyring.snapshotAt),
    );
    assert.ok(manifest.databases.data.migrations.some((m) => m.name === '0019_inquiry_status_counts.sql'));
    const key = env.ctx.masterKeys.active.key;
    assert.equal(text.includes(key.toString('base64')), false);
    assert.equal(text.includes(key.toString('hex')), false);
    const report = await checkBackup({ dir, masterKeys: env.ctx.masterKeys, deep: true });
    assert.deepEqual(report.problems, []);
  });

  it('refuses a target that is not empty, and changes nothing in it', async () => {
    const before = await statusCounts(env.adminUrls.data);
    await assert.rejects(
      restoreBackup({ dir, urls: env.adminUrls, masterKeys: env.ctx.masterKeys }),
      (e: unknown) => e instanceof BackupError && /not empty/.test(e.message),
    );
    assert.deepEqual(await statusCounts(env.adminUrls.data), before);
  });

  describe('a bad backup is refused with nothing written', () => {
    const variant = async (name: string, spoil: (d: string) => Promise<void>): Promise<string> => {
      const d = path.join(path.dirname(dir), name);
      await cp(dir, d, { recursive: true });
      await spoil(d);
      return d;
    };
    const editManifest = (d: string, edit: (m: Manifest) => void) =>
      readFile(path.join(d, 'manifest.json'), 'utf8').then(async (t) => {
        const m = JSON.parse(t) as Manifest;
        edit(m);
        await writeFile(path.join(d, 'manifest.json'), JSON.stringify(m));
      });

    const refusedAndEmpty = async (d: string, masterKeys = env.ctx.masterKeys, pattern?: RegExp) => {
      const pair = await freshPair();
      dbs.push(...pair.names);
      await assert.rejects(restoreBackup({ dir: d, urls: pair.urls, masterKeys }), (e: unknown) => {
        assert.ok(e instanceof BackupError, String(e));
        if (pattern) assert.match(e.message, pattern);
        return true;
      });
      for (const url of [pair.urls.data, pair.urls.keyring]) {
        const c = await client(url);
        try {
          assert.equal(await isEmptyDatabase(c), true, 'the refused restore left something behind');
        } finally {
          await c.end();
        }
      }
      return pair;
    };

    it('a file changed after the backup', async () => {
      const d = await variant('tampered', async (x) => {
        const f = path.join(x, 'data', 'subjects.copy.gz');
        const b = await readFile(f);
        const i = b.length - 10;
        b[i] = b[i]! ^ 0xff;
        await writeFile(f, b);
      });
      const report = await checkBackup({ dir: d, masterKeys: env.ctx.masterKeys });
      assert.deepEqual(report.problems, [
        'data/subjects.copy.gz does not match its SHA-256 in the manifest.',
      ]);
      await refusedAndEmpty(d, env.ctx.masterKeys, /SHA-256/);
    });

    it('another master key', async () => {
      const other = masterKeysOf(parseMasterKey(randomBytes(32).toString('base64'), 'other'), []);
      const report = await checkBackup({ dir, masterKeys: other });
      assert.equal(report.problems.length, 1);
      await refusedAndEmpty(dir, other, /needs master key/);
      // The backup's key among the retired ones is enough.
      const retired = masterKeysOf(other.active, [env.ctx.masterKeys.active]);
      assert.deepEqual((await checkBackup({ dir, masterKeys: retired })).problems, []);
    });

    it('migrations newer than this build', async () => {
      const d = await variant('newer', (x) =>
        editManifest(x, (m) => m.databases.data.migrations.push({ name: '9999_future.sql', checksum: '0' })),
      );
      await refusedAndEmpty(d, env.ctx.masterKeys, /9999_future\.sql is newer than this build/);
    });

    it('row counts that do not match the files: refused after loading began, and rolled back', async () => {
      const d = await variant('miscounted', (x) =>
        editManifest(x, (m) => {
          m.databases.keyring.tables.find((t) => t.name === 'data_keys')!.rows += 1;
        }),
      );
      const deep = await checkBackup({ dir: d, masterKeys: env.ctx.masterKeys, deep: true });
      assert.equal(deep.problems.length, 1);
      assert.match(deep.problems[0]!, /^keyring\/data_keys\.copy\.gz holds \d+ rows, not \d+\.$/);
      const pair = await refusedAndEmpty(d, env.ctx.masterKeys, /data_keys loaded/);
      // Left empty, the same databases take the sound backup.
      await restoreBackup({ dir, urls: pair.urls, masterKeys: env.ctx.masterKeys });
    });

    it('a folder that is not a backup, and a target folder already in use', async () => {
      await assert.rejects(checkBackup({ dir: path.dirname(dir) }), BackupError);
      await assert.rejects(
        takeBackup({ urls: env.adminUrls, masterKeys: env.ctx.masterKeys, dir }),
        (e: unknown) => e instanceof BackupError && /not empty/.test(e.message),
      );
    });
  });
});
