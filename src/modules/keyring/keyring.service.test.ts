// The keyring's subject lookups: written with the data key in one transaction, found by operator,
// field and blind index, and deleted with the key in one transaction.
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { createTestEnv, type TestEnv } from '../../../test/harness.ts';
import type { KeyringService } from './index.ts';

describe('keyring subject lookups', () => {
  let env: TestEnv;
  let keyring: KeyringService;
  let k: pg.Client;
  const opA = randomUUID();
  const opB = randomUUID();
  const phone = randomBytes(32);
  const email = randomBytes(32);

  before(async () => {
    env = await createTestEnv();
    keyring = env.ctx.services.keyring;
    k = new pg.Client({ connectionString: env.adminUrls.keyring });
    await k.connect();
  });
  after(async () => {
    await k.end();
    await env.close();
  });

  const rowsOf = async (subjectId: string): Promise<{ keys: number; lookups: number }> => {
    const { rows } = await k.query<{ keys: number; lookups: number }>(
      `SELECT (SELECT count(*)::int FROM data_keys WHERE subject_id = $1) AS keys,
              (SELECT count(*)::int FROM subject_lookup WHERE subject_id = $1) AS lookups`,
      [subjectId],
    );
    return rows[0]!;
  };

  it('stores a key with its lookups and finds subjects by operator, field and index, oldest first', async () => {
    const first = randomUUID();
    const second = randomUUID();
    const key = await keyring.createSubjectKey(first, opA, { phone, email });
    assert.deepEqual(await keyring.getDataKey(first), key);
    assert.deepEqual(await rowsOf(first), { keys: 1, lookups: 2 });
    env.clock.advance(1000);
    // Same phone, no e-mail (null is no lookup): a second subject under the same index.
    await keyring.createSubjectKey(second, opA, { phone, email: null });
    assert.deepEqual(await rowsOf(second), { keys: 1, lookups: 1 });

    assert.deepEqual(await keyring.findSubjectIds(opA, 'phone', phone), [first, second]);
    assert.deepEqual(await keyring.findSubjectIds(opA, 'email', email), [first]);
    // The field is part of the match, and so is the operator.
    assert.deepEqual(await keyring.findSubjectIds(opA, 'email', phone), []);
    assert.deepEqual(await keyring.findSubjectIds(opB, 'phone', phone), []);
    assert.deepEqual(await keyring.findSubjectIds(opA, 'phone', randomBytes(32)), []);
    // A key made without lookups (createDataKey) is found by nothing.
    const bare = randomUUID();
    await keyring.createDataKey(bare, opA);
    assert.deepEqual(await rowsOf(bare), { keys: 1, lookups: 0 });
  });

  it('stores neither the key nor any lookup when one lookup is refused', async () => {
    const id = randomUUID();
    // 31 bytes breaks the table's length check after the key row is already inserted.
    await assert.rejects(
      keyring.createSubjectKey(id, opA, { phone: randomBytes(32), email: randomBytes(31) }),
      /subject_lookup_bidx_check/,
    );
    assert.deepEqual(await rowsOf(id), { keys: 0, lookups: 0 });
    assert.equal(await keyring.getDataKey(id), undefined);
    // The same call with a good index then succeeds: nothing half-written was left in the way.
    await keyring.createSubjectKey(id, opA, { phone: randomBytes(32), email: randomBytes(32) });
    assert.deepEqual(await rowsOf(id), { keys: 1, lookups: 2 });
  });

  it('destroys the key and its lookups together, and only that subject’s', async () => {
    const doomed = randomUUID();
    const kept = randomUUID();
    const shared = randomBytes(32);
    await keyring.createSubjectKey(doomed, opB, { phone: shared, email: randomBytes(32) });
    await keyring.createSubjectKey(kept, opB, { phone: shared });
    assert.deepEqual((await keyring.findSubjectIds(opB, 'phone', shared)).sort(), [doomed, kept].sort());

    assert.equal(await keyring.destroyDataKey(doomed), true);
    assert.deepEqual(await rowsOf(doomed), { keys: 0, lookups: 0 });
    assert.deepEqual(await keyring.findSubjectIds(opB, 'phone', shared), [kept]);
    assert.deepEqual(await rowsOf(kept), { keys: 1, lookups: 1 });
    // Repeating it is harmless.
    assert.equal(await keyring.destroyDataKey(doomed), false);
  });

  it('holds no lookup without its data key, and only phone and e-mail lookups', async () => {
    // Even a superuser cannot leave a lookup behind a key: the foreign key refuses the row, and
    // deleting a key by hand takes its lookups with it.
    const insert = (field: string, subjectId: string) =>
      k.query('INSERT INTO subject_lookup (operator_id, field, bidx, subject_id) VALUES ($1, $2, $3, $4)', [
        opA,
        field,
        randomBytes(32),
        subjectId,
      ]);
    await assert.rejects(insert('phone', randomUUID()), /subject_lookup_subject_id_fkey/);
    const id = randomUUID();
    await keyring.createSubjectKey(id, opA, { email: randomBytes(32) });
    await assert.rejects(insert('passport', id), /subject_lookup_field_check/);
    await k.query('DELETE FROM data_keys WHERE subject_id = $1', [id]);
    assert.deepEqual(await rowsOf(id), { keys: 0, lookups: 0 });
  });
});
