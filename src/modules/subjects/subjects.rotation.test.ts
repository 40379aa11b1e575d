// `rotate-master-key` at the service level: KeyringService.rewrapAll under a new active master key
// re-wraps the data keys and named keys without touching the data; afterwards subjects decrypt
// with only the new master key and no longer with only the old one.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { createTestEnv, type TestEnv } from '../../../test/harness.ts';
import { masterKeyId, masterKeysOf, type MasterKey } from '../../platform/crypto/master-key.ts';
import { KeyringService } from '../keyring/index.ts';
import { systemPrincipal } from '../staff/index.ts';
import { SubjectsService } from './index.ts';

const system = systemPrincipal('test');

describe('master key rotation', () => {
  let env: TestEnv;
  let operatorId: string;
  const ids: string[] = [];

  before(async () => {
    env = await createTestEnv();
    operatorId = (
      await env.ctx.services.operators.create(system, {
        slug: 'rotation-test',
        name: 'ООО «Тест»',
        inn: '6234000127',
        ogrn: '1256200001232',
        postalAddress: 'г. Рязань',
        responsiblePerson: 'Ответственный',
        requestsEmail: 'pd@example.ru',
        requestsPostalAddress: 'г. Рязань',
      })
    ).id;
    for (const phone of ['+7 912 000 00 01', '+7 912 000 00 02', '+7 912 000 00 03']) {
      ids.push((await env.ctx.services.subjects.create(system, operatorId, { name: 'Пациент', phone })).id);
    }
  });
  after(() => env.close());

  const subjectsWith = (keys: ReturnType<typeof masterKeysOf>): SubjectsService =>
    new SubjectsService({
      db: env.ctx.db,
      audit: env.ctx.services.audit,
      registry: env.ctx.services.subjectData,
      clock: env.clock,
      ids: env.ctx.ids,
      keyring: new KeyringService(env.ctx.keyringDb, keys, env.clock),
    });

  const keyringRows = async (): Promise<{ ids: string[]; named: number; ciphertext: Buffer[] }> => {
    const k = new pg.Client({ connectionString: env.adminUrls.keyring });
    await k.connect();
    const admin = await env.admin();
    try {
      const { rows } = await k.query<{ master_key_id: string; named: boolean }>(
        'SELECT master_key_id, false AS named FROM data_keys UNION ALL SELECT master_key_id, true FROM named_keys',
      );
      const data = await admin.query<{ name_enc: Buffer; phone_enc: Buffer }>(
        'SELECT name_enc, phone_enc FROM subjects ORDER BY id',
      );
      return {
        ids: rows.map((r) => r.master_key_id),
        named: rows.filter((r) => r.named).length,
        ciphertext: data.rows.flatMap((r) => [r.name_enc, r.phone_enc]),
      };
    } finally {
      await k.end();
    }
  };

  it('re-wraps every key with the new master key and leaves the data alone', async () => {
    const oldKey = env.ctx.masterKeys.active;
    const raw = randomBytes(32);
    const newKey: MasterKey = { id: masterKeyId(raw), key: raw };
    const before = await keyringRows();
    assert.deepEqual(new Set(before.ids), new Set([oldKey.id]));
    // Three data keys, the blind-index key, and whatever named keys other modules made.
    assert.equal(before.ids.length - before.named, 3);
    assert.ok(before.named >= 1);

    // What the CLI command builds: the new key active, the current one retired.
    const rotating = new KeyringService(env.ctx.keyringDb, masterKeysOf(newKey, [oldKey]), env.clock);
    assert.deepEqual(await rotating.rewrapAll(2), { dataKeys: 3, namedKeys: before.named });
    assert.deepEqual(await rotating.rewrapAll(2), { dataKeys: 0, namedKeys: 0 });

    const after = await keyringRows();
    assert.deepEqual(new Set(after.ids), new Set([newKey.id]));
    assert.deepEqual(after.ciphertext, before.ciphertext);

    // Only the new master key: everything reads, and blind-index search still finds.
    const withNew = subjectsWith(masterKeysOf(newKey, []));
    for (const id of ids) assert.equal((await withNew.read(system, operatorId, id)).name, 'Пациент');
    assert.deepEqual(
      (await withNew.findByPhone(system, operatorId, '89120000002')).map((r) => r.id),
      [ids[1]],
    );
    // A new subject under the new key is found by the index of the old ones' operator.
    const fresh = await withNew.findOrCreate(system, operatorId, { phone: '89120000003' });
    assert.deepEqual(fresh, { id: ids[2], created: false });

    // Only the old master key: nothing unwraps any more.
    const withOld = subjectsWith(masterKeysOf(oldKey, []));
    await assert.rejects(withOld.read(system, operatorId, ids[0]!), /not configured/);
    await assert.rejects(withOld.findByPhone(system, operatorId, '89120000001'), /not configured/);
  });
});
