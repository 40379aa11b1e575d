import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { createTestEnv, type TestEnv } from '../../../test/harness.ts';
import { assertNoPersonalDataInLogs } from '../../../test/log-check.ts';
import { blindIndex } from '../../platform/crypto/blind-index.ts';
import { AppError, ErrorCode } from '../../platform/errors.ts';
import { systemPrincipal, type Principal, type Role } from '../staff/index.ts';
import { SubjectsService, type SubjectInput } from './index.ts';

const system = systemPrincipal('intake');

function staff(roles: Record<string, Role[]>): Principal {
  return {
    kind: 'staff',
    staffId: '5f0c1e9a-0000-4000-8000-0000000000aa',
    roles: new Map(Object.entries(roles).map(([op, r]) => [op, new Set(r)])),
    installationAdmin: false,
    source: '198.51.100.4',
  };
}

async function rejectsWith(p: Promise<unknown>, code: ErrorCode, field?: string): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof AppError, `expected AppError, got ${String(e)}`);
    assert.equal(e.code, code);
    if (field !== undefined) assert.equal(e.details?.fields?.[0]?.path, field);
    return true;
  });
}

const anna: SubjectInput = {
  name: 'Анна Петрова',
  phone: '8 (912) 345-67-89',
  email: 'Anna.Petrova@Example.RU',
};

describe('subjects', () => {
  let env: TestEnv;
  let subjects: SubjectsService;
  let opA: string;
  let opB: string;
  let annaId: string;

  before(async () => {
    env = await createTestEnv();
    subjects = env.ctx.services.subjects;
    const card = {
      inn: '6234000127',
      ogrn: '1256200001232',
      postalAddress: 'г. Рязань',
      responsiblePerson: 'Петрова М. И.',
      requestsEmail: 'pd@example.ru',
      requestsPostalAddress: 'г. Рязань',
    };
    opA = (await env.ctx.services.operators.create(system, { slug: 'subj-a', name: 'А', ...card })).id;
    opB = (await env.ctx.services.operators.create(system, { slug: 'subj-b', name: 'Б', ...card })).id;
  });
  after(() => env.close());

  const audit = async (action: string): Promise<{ subject_id: string | null; actor_id: string | null }[]> => {
    const admin = await env.admin();
    const { rows } = await admin.query<{ subject_id: string | null; actor_id: string | null }>(
      'SELECT subject_id, actor_id FROM audit_log WHERE action = $1 ORDER BY id',
      [action],
    );
    return rows;
  };

  /** The blind-index lookups the keyring holds for a subject, by field. */
  const lookups = async (subjectId: string): Promise<Record<string, Buffer>> => {
    const k = new pg.Client({ connectionString: env.adminUrls.keyring });
    await k.connect();
    try {
      const { rows } = await k.query<{ field: string; bidx: Buffer; operator_id: string }>(
        'SELECT field, bidx, operator_id FROM subject_lookup WHERE subject_id = $1',
        [subjectId],
      );
      for (const r of rows) assert.equal(r.operator_id, opA);
      return Object.fromEntries(rows.map((r) => [r.field, r.bidx]));
    } finally {
      await k.end();
    }
  };

  it('stores only ciphertext in the data, blind indexes in the keyring, and reads back the normalised values', async () => {
    const ref = await subjects.create(system, opA, anna);
    annaId = ref.id;
    assert.equal(ref.operatorId, opA);
    const admin = await env.admin();
    const { rows } = await admin.query<Record<string, unknown>>('SELECT * FROM subjects WHERE id = $1', [
      annaId,
    ]);
    const row = rows[0]!;
    assert.deepEqual(Object.keys(row).sort(), [
      'created_at',
      'email_enc',
      'id',
      'name_enc',
      'operator_id',
      'phone_enc',
      'updated_at',
    ]);
    const bidxKey = await env.ctx.services.keyring.namedKey(`blind-index:${opA}`);
    const indexes = await lookups(annaId);
    assert.deepEqual(indexes, {
      phone: blindIndex(bidxKey, 'phone', '+79123456789'),
      email: blindIndex(bidxKey, 'email', 'anna.petrova@example.ru'),
    });
    const stored = { ...indexes, name_enc: row.name_enc, phone_enc: row.phone_enc, email_enc: row.email_enc };
    for (const [col, value] of Object.entries(stored)) {
      assert.ok(Buffer.isBuffer(value), col);
      for (const plain of ['Анна', '9123456789', 'anna.petrova']) {
        assert.equal(value.includes(Buffer.from(plain)), false, `${col} holds ${plain}`);
      }
    }
    const agent = staff({ [opA]: ['agent'] });
    const s = await subjects.read(agent, opA, annaId);
    assert.deepEqual(
      { name: s.name, phone: s.phone, email: s.email, createdAt: s.createdAt },
      {
        name: 'Анна Петрова',
        phone: '+79123456789',
        email: 'anna.petrova@example.ru',
        createdAt: '2026-03-02T09:00:00.000Z',
      },
    );
    assert.deepEqual(await audit('subject.create'), [{ subject_id: annaId, actor_id: 'intake' }]);
    assert.deepEqual(await audit('subject.read'), [
      { subject_id: annaId, actor_id: '5f0c1e9a-0000-4000-8000-0000000000aa' },
    ]);
  });

  it('binds each ciphertext to its subject and field', async () => {
    const other = await subjects.create(system, opA, { name: 'Другой Человек', phone: '+7 912 000 00 01' });
    const admin = await env.admin();
    // Copy Anna's name ciphertext into the other subject's row: it must not decrypt there.
    await admin.query(
      'UPDATE subjects SET name_enc = (SELECT name_enc FROM subjects WHERE id = $1) WHERE id = $2',
      [annaId, other.id],
    );
    await assert.rejects(subjects.read(system, opA, other.id), { name: 'DecryptError' });
    // Nor does a subject's own phone ciphertext moved into its e-mail column.
    await admin.query('UPDATE subjects SET name_enc = NULL, email_enc = phone_enc WHERE id = $1', [other.id]);
    await assert.rejects(subjects.read(system, opA, other.id), { name: 'DecryptError' });
    await admin.query('UPDATE subjects SET email_enc = NULL WHERE id = $1', [other.id]);
    assert.equal((await subjects.read(system, opA, other.id)).phone, '+79120000001');
    await subjects.destroy(system, opA, other.id, 'subject_request');
  });

  it('finds one subject for the usual spellings of a phone, then by e-mail', async () => {
    for (const phone of ['+7 912 345 67 89', '89123456789', '8 (912) 345-67-89']) {
      assert.deepEqual(await subjects.findOrCreate(system, opA, { phone, name: 'Аня' }), {
        id: annaId,
        created: false,
      });
    }
    // A new phone but a known e-mail (any case) is the same person.
    assert.deepEqual(
      await subjects.findOrCreate(system, opA, {
        phone: '+7 912 111 22 33',
        email: 'ANNA.PETROVA@example.ru',
      }),
      {
        id: annaId,
        created: false,
      },
    );
    // The match changes nothing: the found subject keeps its own data.
    assert.equal((await subjects.read(system, opA, annaId)).name, 'Анна Петрова');
    assert.equal((await audit('subject.match')).length, 4);
    // The same phone at another operator is another subject.
    const atB = await subjects.findOrCreate(system, opB, { phone: '89123456789' });
    assert.equal(atB.created, true);
    assert.notEqual(atB.id, annaId);
  });

  it('creates one subject when intakes of one phone race', async () => {
    const results = await Promise.all(
      ['+7 922 000 11 22', '89220001122', '8 (922) 000-11-22', '+79220001122'].map((phone) =>
        subjects.findOrCreate(system, opA, { phone }),
      ),
    );
    assert.equal(new Set(results.map((r) => r.id)).size, 1);
    assert.equal(results.filter((r) => r.created).length, 1);
  });

  it('creates one subject when intake transactions overlap, by phone or by e-mail', async () => {
    // Each intake's transaction is open before any of them looks the subject up, so they really
    // overlap (above, connection set-up alone can put them one after another). The second and third
    // share only the e-mail with the first.
    const inputs: SubjectInput[] = [
      { phone: '+7 922 000 33 44', email: 'race@example.ru' },
      { phone: '+7 922 000 33 45', email: 'RACE@example.ru' },
      { email: 'race@example.ru' },
    ];
    let arrived = 0;
    let open!: () => void;
    const allOpen = new Promise<void>((resolve) => (open = resolve));
    const results = await Promise.all(
      inputs.map((input) =>
        env.ctx.db.scoped([opA], async (tx) => {
          if (++arrived === inputs.length) open();
          await allOpen;
          return subjects.findOrCreateInTx(tx, system, opA, input);
        }),
      ),
    );
    assert.equal(new Set(results.map((r) => r.id)).size, 1);
    assert.equal(results.filter((r) => r.created).length, 1);
  });

  it('searches by phone and e-mail through the blind index, and audits the search', async () => {
    const agent = staff({ [opA]: ['agent'] });
    const byPhone = await subjects.findByPhone(agent, opA, '+7 (912) 345-67-89');
    assert.deepEqual(
      byPhone.map((r) => r.id),
      [annaId],
    );
    assert.deepEqual(
      (await subjects.findByEmail(agent, opA, ' anna.petrova@EXAMPLE.ru')).map((r) => r.id),
      [annaId],
    );
    assert.deepEqual(await subjects.findByPhone(agent, opA, '+7 912 345 67 80'), []);
    assert.deepEqual(
      (await audit('subject.search')).map((r) => r.subject_id),
      [annaId, annaId, null],
    );
    await rejectsWith(
      subjects.findByPhone(staff({ [opA]: ['moderator'] }), opA, '89123456789'),
      ErrorCode.Forbidden,
    );
  });

  it('refuses bad input without echoing it', async () => {
    await rejectsWith(subjects.create(system, opA, { phone: '12345' }), ErrorCode.ValidationFailed, 'phone');
    await rejectsWith(subjects.create(system, opA, { email: 'anna@' }), ErrorCode.ValidationFailed, 'email');
    await rejectsWith(subjects.create(system, opA, { name: '  ', phone: '' }), ErrorCode.ValidationFailed);
    await rejectsWith(
      subjects.create(system, opA, { name: 'x', passport: '4510 123456' } as SubjectInput),
      ErrorCode.ValidationFailed,
    );
    await assert.rejects(subjects.findOrCreate(system, opA, { phone: '+7 000 secret 42' }), (e: unknown) => {
      assert.ok(e instanceof AppError);
      assert.equal(JSON.stringify({ m: e.message, d: e.details }).includes('secret'), false);
      return true;
    });
  });

  it('keeps tenants apart: scope, unscoped queries and roles', async () => {
    // Operator B's scope does not see A's subject, even by its id.
    const seen = await env.ctx.db.scoped([opB], (tx) =>
      tx.query('SELECT id FROM subjects WHERE id = $1', [annaId]),
    );
    assert.equal(seen.rowCount, 0);
    await rejectsWith(subjects.read(system, opB, annaId), ErrorCode.NotFound);
    // B's scope cannot write a row for A either.
    await assert.rejects(
      env.ctx.db.scoped([opB], (tx) =>
        tx.query(
          `INSERT INTO subjects (id, operator_id, created_at, updated_at) VALUES (gen_random_uuid(), $1, now(), now())`,
          [opA],
        ),
      ),
      /row-level security/,
    );
    // Without a scope the query fails loudly instead of returning rows.
    await assert.rejects(env.ctx.db.query('SELECT id FROM subjects'), /unscoped access/);
    await assert.rejects(
      env.ctx.db.transaction((tx) => tx.query('SELECT count(*) FROM subjects')),
      /unscoped access/,
    );
    // Staff with a role only at A is refused at B, before any query.
    const agentA = staff({ [opA]: ['agent'] });
    await rejectsWith(subjects.read(agentA, opB, annaId), ErrorCode.Forbidden);
    await rejectsWith(subjects.create(agentA, opB, { name: 'x' }), ErrorCode.Forbidden);
    await rejectsWith(subjects.findByPhone(agentA, opB, '89123456789'), ErrorCode.Forbidden);
    await rejectsWith(subjects.destroy(agentA, opB, annaId, 'subject_request'), ErrorCode.Forbidden);
  });

  it('destroys a subject: key, rows and outbox rows go; a record without personal data stays', async () => {
    const s = await subjects.create(system, opA, { name: 'Борис', phone: '+7 933 000 00 07' });
    const admin = await env.admin();
    await admin.query(
      `INSERT INTO outbox (id, operator_id, subject_id, channel, template, next_attempt_at, created_at)
       VALUES (gen_random_uuid(), $1, $2, 'sms', 'status', now(), now())`,
      [opA, s.id],
    );
    // Agents may not destroy; privacy officers may.
    await rejectsWith(
      subjects.destroy(staff({ [opA]: ['agent'] }), opA, s.id, 'subject_request'),
      ErrorCode.Forbidden,
    );
    env.clock.advance(5_000);
    const officer = staff({ [opA]: ['privacy_officer'] });
    const res = await subjects.destroy(officer, opA, s.id, 'consent_withdrawn');
    assert.deepEqual(res, {
      subjectId: s.id,
      destroyedAt: '2026-03-02T09:00:05.000Z',
      alreadyDestroyed: false,
    });

    const left = await admin.query(
      'SELECT 1 FROM subjects WHERE id = $1 UNION ALL SELECT 1 FROM outbox WHERE subject_id = $1',
      [s.id],
    );
    assert.equal(left.rowCount, 0);
    assert.equal(await env.ctx.services.keyring.getDataKey(s.id), undefined);
    // Its blind index went with the key: nothing in either database links the phone to it.
    assert.deepEqual(await lookups(s.id), {});
    const { rows } = await admin.query<{ reason: string; categories: string[]; actor_type: string }>(
      'SELECT reason, categories, actor_type FROM subject_destructions WHERE subject_id = $1',
      [s.id],
    );
    assert.deepEqual(rows, [
      { reason: 'consent_withdrawn', categories: ['name', 'phone'], actor_type: 'staff' },
    ]);
    assert.ok((await audit('subject.destroy')).some((r) => r.subject_id === s.id));

    await rejectsWith(subjects.read(officer, opA, s.id), ErrorCode.SubjectDestroyed);
    assert.deepEqual(await subjects.findByPhone(officer, opA, '+7 933 000 00 07'), []);
    const again = await subjects.destroy(officer, opA, s.id, 'consent_withdrawn');
    assert.deepEqual(again, { ...res, alreadyDestroyed: true });
    await rejectsWith(
      subjects.read(officer, opA, '00000000-0000-4000-8000-000000000000'),
      ErrorCode.NotFound,
    );
    await rejectsWith(subjects.destroy(officer, opA, 'nope', 'consent_withdrawn'), ErrorCode.NotFound);
    await rejectsWith(
      subjects.destroy(officer, opA, annaId, 'because' as 'consent_withdrawn'),
      ErrorCode.ValidationFailed,
    );
    // The record is evidence: the app may not rewrite it.
    await assert.rejects(
      env.ctx.db.scoped([opA], (tx) =>
        tx.query("UPDATE subject_destructions SET reason = 'subject_request'"),
      ),
      /permission denied/,
    );
  });

  it('changes nothing when the keyring refuses to delete the key', async () => {
    const s = await subjects.create(system, opA, { phone: '+7 933 000 00 08' });
    const keyring = env.ctx.services.keyring;
    const failing = new SubjectsService({
      db: env.ctx.db,
      audit: env.ctx.services.audit,
      registry: env.ctx.services.subjectData,
      clock: env.clock,
      ids: env.ctx.ids,
      keyring: {
        createSubjectKey: (id, op, l) => keyring.createSubjectKey(id, op, l),
        findSubjectIds: (op, f, b) => keyring.findSubjectIds(op, f, b),
        findOrCreateSubjectKey: (id, op, l) => keyring.findOrCreateSubjectKey(id, op, l),
        getDataKey: (id) => keyring.getDataKey(id),
        namedKey: (n) => keyring.namedKey(n),
        destroyDataKey: async () => {
          throw new Error('keyring unreachable');
        },
      },
    });
    await assert.rejects(failing.destroy(system, opA, s.id, 'subject_request'), /keyring unreachable/);
    assert.equal((await subjects.read(system, opA, s.id)).phone, '+79330000008');
    const admin = await env.admin();
    const rec = await admin.query('SELECT 1 FROM subject_destructions WHERE subject_id = $1', [s.id]);
    assert.equal(rec.rowCount, 0);
    assert.deepEqual(
      (await subjects.findByPhone(system, opA, '89330000008')).map((r) => r.id),
      [s.id],
    );
  });

  it('ignores the keyring orphans of an intake whose data transaction rolled back', async () => {
    // The keyring commits the key and lookups before the subject row; the caller's intake
    // transaction then fails, leaving lookups that point at a subject that does not exist.
    let orphan: string | undefined;
    await assert.rejects(
      env.ctx.db.scoped([opA], async (tx) => {
        orphan = (await subjects.findOrCreateInTx(tx, system, opA, { phone: '+7 933 000 00 10' })).id;
        throw new Error('the inquiry insert failed');
      }),
      /inquiry insert failed/,
    );
    assert.ok(orphan);
    assert.ok(await env.ctx.services.keyring.getDataKey(orphan), 'the orphan key is there');
    assert.deepEqual(Object.keys(await lookups(orphan)), ['phone']);
    // Neither search nor intake takes the orphan for a subject.
    assert.deepEqual(await subjects.findByPhone(system, opA, '89330000010'), []);
    const fresh = await subjects.findOrCreate(system, opA, { phone: '89330000010' });
    assert.equal(fresh.created, true);
    assert.notEqual(fresh.id, orphan);
    assert.deepEqual(
      (await subjects.findByPhone(system, opA, '+7 933 000 00 10')).map((r) => r.id),
      [fresh.id],
    );
    assert.deepEqual(await subjects.findOrCreate(system, opA, { phone: '+79330000010' }), {
      id: fresh.id,
      created: false,
    });
  });

  it('treats a subject whose key is gone as destroyed, and finishes the destruction on retry', async () => {
    // The state a crash between the keyring delete and the data commit leaves behind.
    const s = await subjects.create(system, opA, { name: 'Вера', phone: '+7 933 000 00 09' });
    await env.ctx.services.keyring.destroyDataKey(s.id);
    await rejectsWith(subjects.read(system, opA, s.id), ErrorCode.SubjectDestroyed);
    // Intake does not attach to it: the same phone gets a new subject.
    const fresh = await subjects.findOrCreate(system, opA, { phone: '89330000009' });
    assert.equal(fresh.created, true);
    const res = await subjects.destroy(system, opA, s.id, 'subject_request');
    assert.equal(res.alreadyDestroyed, false);
    const admin = await env.admin();
    assert.equal((await admin.query('SELECT 1 FROM subjects WHERE id = $1', [s.id])).rowCount, 0);
    assert.equal((await subjects.read(system, opA, fresh.id)).phone, '+79330000009');
  });

  it('never writes personal data to the logs', () => {
    assertNoPersonalDataInLogs(
      env.logs,
      ['Анна', 'Petrova', 'petrova', '9123456789', '912 345', 'Борис', '9330000007'],
      { expect: 'subject destroyed' }, // the destruction is logged, by id
    );
  });
});
