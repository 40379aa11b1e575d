// Crypto-shredding against a real backup: a pg_dump of the data database taken before a subject is
// destroyed, restored afterwards, yields nothing of that subject with the current keyring and
// master key, while the other subjects still decrypt. Nor does it hold the subject's blind indexes,
// which would let whoever has it and the keyring confirm a guessed phone: they live in the keyring
// and go with the data key.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import pg from 'pg';
import { createTestEnv, dropDatabases, testAdminUrl, type TestEnv } from '../../../test/harness.ts';
import { open } from '../../platform/crypto/aead.ts';
import { blindIndex } from '../../platform/crypto/blind-index.ts';
import { withDatabase } from '../../platform/db/database.ts';
import { systemPrincipal } from '../staff/index.ts';
import { decryptSubjectRow, SUBJECT_FIELDS, type SubjectInput } from './index.ts';

const run = promisify(execFile);
// Debian's client tools match the server major version both in the embedded and the CI setup.
const PG_BIN = '/usr/bin';

const people: Record<string, SubjectInput> = {
  anna: { name: 'Анна Сергеевна Петрова', phone: '8 (912) 345-67-89', email: 'anna.petrova@example.ru' },
  boris: { name: 'Борис Игоревич Смирнов', phone: '+7 903 111 22 33', email: 'b.smirnov@example.ru' },
  vera: { name: 'Вера Николаевна Кузнецова', phone: '89264445566', email: 'vera.k@example.ru' },
};
// Every way the plaintext could show up in a dump.
const plaintexts = [
  ...Object.values(people).flatMap((p) => [p.name!, p.email!, ...p.name!.split(' ')]),
  '79123456789',
  '9123456789',
  '79031112233',
  '9264445566',
];

async function keyringSubjectIds(url: string): Promise<string[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const { rows } = await c.query<{ subject_id: string }>('SELECT subject_id FROM data_keys');
    return rows.map((r) => r.subject_id);
  } finally {
    await c.end();
  }
}

/** How a blind index appears in a dump: COPY writes a bytea as a backslash, `x`, then hex. */
function hexOf(b: Buffer): string {
  return b.toString('hex');
}

async function dump(url: string, file: string): Promise<string> {
  await run(path.join(PG_BIN, 'pg_dump'), ['--no-owner', '--no-privileges', '--file', file, '--dbname', url]);
  return readFile(file, 'utf8');
}

describe('crypto-shredding with a real pg_dump', () => {
  let env: TestEnv;
  let dir: string;
  let restoredName: string | undefined;
  const ids: Record<string, string> = {};
  let operatorId: string;

  before(async () => {
    env = await createTestEnv();
    dir = await mkdtemp(path.join(tmpdir(), 'soglasie-dump-'));
    const system = systemPrincipal('test');
    operatorId = (
      await env.ctx.services.operators.create(system, {
        slug: 'backup-test',
        name: 'ООО «Тест»',
        inn: '6234000127',
        ogrn: '1256200001232',
        postalAddress: 'г. Рязань',
        responsiblePerson: 'Ответственный',
        requestsEmail: 'pd@example.ru',
        requestsPostalAddress: 'г. Рязань',
      })
    ).id;
    for (const [k, p] of Object.entries(people)) {
      ids[k] = (await env.ctx.services.subjects.create(system, operatorId, p)).id;
    }
  });
  after(async () => {
    if (restoredName) await dropDatabases([restoredName]);
    await rm(dir, { recursive: true, force: true });
    await env.close();
  });

  it('a backup taken before destruction no longer decrypts the destroyed subject', async () => {
    const before = await dump(env.adminUrls.data, path.join(dir, 'data-before.sql'));
    const keyringBefore = await dump(env.adminUrls.keyring, path.join(dir, 'keyring-before.sql'));
    await env.ctx.services.subjects.destroy(
      systemPrincipal('test'),
      operatorId,
      ids.boris!,
      'subject_request',
    );

    // Restore the old dump into a fresh, empty database on the same server.
    restoredName = `${env.dbNames.data}_restored`;
    const admin = new pg.Client({ connectionString: testAdminUrl() });
    await admin.connect();
    try {
      await admin.query(`CREATE DATABASE ${restoredName} TEMPLATE template0`);
    } finally {
      await admin.end();
    }
    const restoredUrl = withDatabase(testAdminUrl(), restoredName);
    await run(path.join(PG_BIN, 'psql'), [
      '-X',
      '-q',
      '-v',
      'ON_ERROR_STOP=1',
      '-d',
      restoredUrl,
      '-f',
      path.join(dir, 'data-before.sql'),
    ]);
    assert.ok(before.includes('COPY public.subjects'));

    const restored = new pg.Client({ connectionString: restoredUrl });
    await restored.connect();
    try {
      const { rows } = await restored.query<Parameters<typeof decryptSubjectRow>[1]>(
        'SELECT * FROM subjects ORDER BY created_at',
      );
      // The backup does carry the destroyed subject's ciphertext...
      assert.deepEqual(rows.map((r) => r.id).sort(), Object.values(ids).sort());
      const keyring = env.ctx.services.keyring;
      for (const row of rows) {
        const key = await keyring.getDataKey(row.id);
        if (row.id === ids.boris) {
          // ...but the current keyring has no key for it,
          assert.equal(key, undefined);
          // and no key the keyring holds, nor the master key, opens any of its fields.
          const allKeys = await keyring.getDataKeys(await keyringSubjectIds(env.adminUrls.keyring));
          const candidates = [
            ...allKeys.values(),
            await keyring.namedKey(`blind-index:${operatorId}`),
            env.ctx.masterKeys.active.key,
          ];
          assert.ok(candidates.length >= 4);
          for (const field of SUBJECT_FIELDS) {
            const blob = row[`${field}_enc`];
            assert.ok(blob, field);
            for (const k of candidates) {
              assert.throws(() => open(k, blob, `subject:${row.id}:${field}`), { name: 'DecryptError' });
            }
          }
        } else {
          assert.ok(key);
          const s = decryptSubjectRow(key, row);
          const who = row.id === ids.anna ? people.anna! : people.vera!;
          assert.equal(s.name, who.name);
          assert.equal(s.email, who.email);
        }
      }

      // The operator's blind-index key lives on, so whoever holds an old backup and the keyring
      // could confirm a guessed phone (a low-entropy value) by recomputing its HMAC, if the backup
      // held one. The data backup holds no blind index at all (the restored row has no such
      // column, the dump no such value), and the keyring dropped the destroyed subject's with its
      // key; the keyring's own backups from before the destruction keep them until they rotate out.
      const victim = rows.find((r) => r.id === ids.boris)!;
      assert.equal('phone_bidx' in victim || 'email_bidx' in victim, false);
      const bidxKey = await keyring.namedKey(`blind-index:${operatorId}`);
      const borisIndexes = [
        hexOf(blindIndex(bidxKey, 'phone', '+79031112233')),
        hexOf(blindIndex(bidxKey, 'email', 'b.smirnov@example.ru')),
      ];
      const keyringAfter = await dump(env.adminUrls.keyring, path.join(dir, 'keyring-after.sql'));
      assert.ok(keyringAfter.includes('COPY public.subject_lookup'));
      for (const h of borisIndexes) {
        // The search works: the keyring held the index before the destruction.
        assert.ok(keyringBefore.includes(h), 'the index was in the keyring');
        assert.equal(before.includes(h), false, 'a blind index in the old data backup');
        assert.equal(keyringAfter.includes(h), false, 'a blind index left in the keyring');
      }
      // The other subjects' indexes are in the keyring, and they are still found by phone.
      for (const [who, e164] of [
        ['anna', '+79123456789'],
        ['vera', '+79264445566'],
      ] as const) {
        const h = hexOf(blindIndex(bidxKey, 'phone', e164));
        assert.ok(keyringAfter.includes(h), who);
        assert.equal(before.includes(h), false, who);
        const found = await env.ctx.services.subjects.findByPhone(systemPrincipal('test'), operatorId, e164);
        assert.deepEqual(
          found.map((r) => r.id),
          [ids[who]],
        );
      }
      assert.deepEqual(
        await env.ctx.services.subjects.findByPhone(systemPrincipal('test'), operatorId, '+7 903 111 22 33'),
        [],
      );
    } finally {
      await restored.end();
    }
  });

  it('the data database holds no plaintext and no raw keys; the keyring holds neither personal data nor raw keys', async () => {
    const data = await dump(env.adminUrls.data, path.join(dir, 'data.sql'));
    const keyringDump = await dump(env.adminUrls.keyring, path.join(dir, 'keyring.sql'));
    assert.ok(data.includes('COPY public.subjects') && keyringDump.includes('COPY public.data_keys'));
    for (const text of [data, keyringDump]) {
      for (const p of plaintexts) assert.equal(text.includes(p), false, `found "${p}"`);
    }
    const keyring = env.ctx.services.keyring;
    const rawKeys = [
      ...(await keyring.getDataKeys([ids.anna!, ids.vera!])).values(),
      await keyring.namedKey(`blind-index:${operatorId}`),
      env.ctx.masterKeys.active.key,
    ];
    assert.equal(rawKeys.length, 4);
    for (const k of rawKeys) {
      for (const form of [k.toString('hex'), k.toString('base64'), k.toString('hex').slice(0, 24)]) {
        assert.equal(data.includes(form), false, 'a raw key in the data dump');
        assert.equal(keyringDump.includes(form), false, 'a raw key in the keyring dump');
      }
    }
  });
});
