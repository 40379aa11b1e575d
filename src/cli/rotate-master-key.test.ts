import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { createTestEnv, type TestEnv } from '../../test/harness.ts';
import { KeyringService } from '../modules/keyring/index.ts';
import { systemPrincipal } from '../modules/staff/index.ts';
import { masterKeysOf, parseMasterKey } from '../platform/crypto/master-key.ts';

const run = promisify(execFile);

describe('soglasie rotate-master-key --generate (key file)', () => {
  let env: TestEnv;
  let dir: string;
  let keyFile: string;
  let oldKeyText: string;
  let operatorId: string;
  let subjectId: string;

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'soglasie-rotate-'));
    keyFile = path.join(dir, 'master.key');
    oldKeyText = randomBytes(32).toString('base64');
    await writeFile(keyFile, oldKeyText + '\n', { mode: 0o600 });
    env = await createTestEnv({ env: { SOGLASIE_MASTER_KEY: '', SOGLASIE_MASTER_KEY_FILE: keyFile } });
    const system = systemPrincipal('test');
    ({ operatorId } = await import('./demo-data.ts').then((m) => m.ensureDemoOperator(env.ctx)));
    ({ id: subjectId } = await env.ctx.services.subjects.create(system, operatorId, {
      name: 'Пациент Ротации',
      phone: '+7 912 000-11-22',
    }));
  });
  after(async () => {
    await env.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('swaps the key file, keeps the old one retired, and re-wraps every key', async () => {
    const before = await env.ctx.services.keyring.getDataKey(subjectId);
    assert.ok(before);
    const { stdout } = await run(process.execPath, ['bin/soglasie.mjs', 'rotate-master-key', '--generate'], {
      env: {
        ...process.env,
        DATABASE_URL: env.adminUrls.data,
        SOGLASIE_KEYRING_URL: env.adminUrls.keyring,
        SOGLASIE_MASTER_KEY_FILE: keyFile,
        SOGLASIE_MASTER_KEY: '',
        SOGLASIE_LOG_LEVEL: 'warn',
      },
    });
    assert.match(stdout, /Re-wrapped 1 data keys/);

    const oldKey = parseMasterKey(oldKeyText, 'old');
    const newKey = parseMasterKey(await readFile(keyFile, 'utf8'), 'new');
    assert.notEqual(newKey.id, oldKey.id);
    assert.ok(existsSync(`${keyFile}.retired-${oldKey.id}`), 'the old key is kept beside the file');

    const admin = new (await import('pg')).default.Client({ connectionString: env.adminUrls.keyring });
    await admin.connect();
    try {
      const { rows } = await admin.query<{ id: string }>(
        'SELECT DISTINCT master_key_id AS id FROM data_keys UNION SELECT DISTINCT master_key_id FROM named_keys',
      );
      assert.deepEqual(
        rows.map((r) => r.id),
        [newKey.id],
      );
    } finally {
      await admin.end();
    }

    // Only the new key is needed now; the old one alone opens nothing.
    const onlyNew = new KeyringService(env.ctx.keyringDb, masterKeysOf(newKey, []), env.clock);
    assert.deepEqual(await onlyNew.getDataKey(subjectId), before);
    const onlyOld = new KeyringService(env.ctx.keyringDb, masterKeysOf(oldKey, []), env.clock);
    await assert.rejects(onlyOld.getDataKey(subjectId), /which is not configured/);

    const audit = await env.ctx.db.query<{ action: string }>(
      "SELECT action FROM audit_log WHERE action = 'keyring.rewrap'",
    );
    assert.equal(audit.rowCount, 1);
  });

  it('refuses to generate a fresh key when the key file is missing but retired keys exist', async () => {
    await rm(keyFile);
    await assert.rejects(
      run(process.execPath, ['bin/soglasie.mjs', 'migrate'], {
        env: {
          ...process.env,
          DATABASE_URL: env.adminUrls.data,
          SOGLASIE_KEYRING_URL: env.adminUrls.keyring,
          SOGLASIE_MASTER_KEY_FILE: '',
          SOGLASIE_MASTER_KEY: '',
          SOGLASIE_DATA_DIR: dir,
          SOGLASIE_LOG_LEVEL: 'warn',
        },
      }),
      (e: { stderr: string; code: number }) => {
        assert.equal(e.code, 2);
        assert.match(e.stderr, /interrupted rotation/);
        return true;
      },
    );
    assert.equal(existsSync(keyFile), false);
  });
});
