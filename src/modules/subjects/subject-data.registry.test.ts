import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { createTestEnv, type TestEnv } from '../../../test/harness.ts';
import { openString } from '../../platform/crypto/aead.ts';
import type { InboundConnection } from '../channels/index.ts';
import type { IntakeService } from '../inquiries/index.ts';
import { insertOperatorWithSite, testIntakeFor, type TestOperator } from '../inquiries/intake.testing.ts';
import { systemPrincipal } from '../staff/index.ts';
import { NOT_SUBJECT_KEYED } from './subject-data.registry.ts';
import {
  connectWhatsApp,
  publishDemoPolicy,
  subjectInEveryPart,
  type EveryPart,
} from './subject-data.testing.ts';

/**
 * Binary columns that hold no ciphertext: digests and HMACs, compared, never opened. A new bytea
 * column must be declared by a part, listed as sealed under a key that is not a patient's, or named
 * here, so that a sealed column nobody re-seals or destroys cannot slip in.
 */
const DIGESTS: readonly string[] = [
  'api_keys.secret_sha256',
  'audit_head.last_hash',
  'audit_log.hash',
  'audit_log.prev_hash',
  'intake_idempotency.request_hash',
  'intake_rate.address_hmac',
  'sessions.id_hash',
  'staff_invitations.token_hash',
  'staff_recovery_codes.code_hash',
  'unsubscribe_tokens.token_sha256',
];

/** Where each sealed table's rows name their subject, and the id their values are bound to. */
const ROW_OF: Record<string, { id: string; subject: string }> = {
  subjects: { id: 'id', subject: 'id' },
  inquiries: { id: 'id', subject: 'subject_id' },
  inquiry_events: { id: 'id', subject: '(SELECT subject_id FROM inquiries i WHERE i.id = inquiry_id)' },
  consent_records: { id: 'id', subject: 'subject_id' },
  outbox: { id: 'id', subject: 'subject_id' },
  reviews: { id: 'inquiry_id', subject: 'subject_id' },
};

describe('subject data registry', () => {
  let env: TestEnv;
  let a: TestOperator;
  let intake: IntakeService;
  let whatsapp: InboundConnection;
  let patient: EveryPart;

  const q = async <R extends object>(sql: string, params: unknown[] = []): Promise<R[]> =>
    (await (await env.admin()).query<R>(sql, params)).rows;
  const registry = () => env.ctx.services.subjectData;

  before(async () => {
    env = await createTestEnv();
    a = await insertOperatorWithSite(env, 'reg-a');
    intake = testIntakeFor(env, [a]);
    await publishDemoPolicy(env, a.operatorId);
    whatsapp = await connectWhatsApp(env, a.operatorId);
    patient = await subjectInEveryPart(env, intake, a, whatsapp, '+79991112233');
  });
  after(() => env.close());

  it('declares every sealed column of the schema, or lists it as under a key that is not a patient’s', async () => {
    const columns = await q<{ c: string; enc: boolean }>(
      `SELECT table_name || '.' || column_name AS c, column_name LIKE '%\\_enc' AS enc
       FROM information_schema.columns
       WHERE table_schema = 'public' AND data_type = 'bytea' ORDER BY 1`,
    );
    const declared = registry()
      .sealedColumns()
      .map((c) => `${c.table}.${c.column}`);
    const notSubject = NOT_SUBJECT_KEYED.map((c) => c.column);
    const known = new Set([...declared, ...notSubject, ...DIGESTS]);
    assert.deepEqual(
      columns.filter((c) => !known.has(c.c)).map((c) => c.c),
      [],
      'a binary column nobody declared',
    );
    // A digest is not named like ciphertext, and every declaration names a real column.
    assert.deepEqual(
      columns.filter((c) => c.enc && DIGESTS.includes(c.c)),
      [],
    );
    const all = new Set(columns.map((c) => c.c));
    assert.deepEqual(
      [...declared, ...notSubject].filter((c) => !all.has(c)),
      [],
      'a declared column the schema does not have',
    );
    for (const c of NOT_SUBJECT_KEYED) assert.ok(c.reason.length > 10, c.column);
  });

  it('has a part for every table that references a subject', async () => {
    const referencing = await q<{ t: string }>(
      `SELECT DISTINCT c.conrelid::regclass::text AS t FROM pg_constraint c
       WHERE c.contype = 'f' AND c.confrelid = 'subjects'::regclass ORDER BY 1`,
    );
    const owned = new Set(registry().parts.flatMap((p) => p.tables));
    assert.deepEqual(
      referencing.map((r) => r.t).filter((t) => !owned.has(t)),
      [],
    );
  });

  it('opens every declared column with its part’s AAD, as the owners’ write paths sealed it', async () => {
    const keyring = env.ctx.services.keyring;
    for (const c of registry().sealedColumns()) {
      const row = ROW_OF[c.table];
      assert.ok(row, `no row shape for ${c.table}`);
      const values = await q<{ id: string; subject_id: string; v: Buffer }>(
        `SELECT ${row.id}::text AS id, ${row.subject}::text AS subject_id, ${c.column} AS v FROM ${c.table}
         WHERE operator_id = $1 AND ${c.column} IS NOT NULL`,
        [a.operatorId],
      );
      assert.ok(values.length > 0, `nothing written to ${c.table}.${c.column}`);
      for (const v of values) {
        const key = await keyring.getDataKey(v.subject_id);
        assert.ok(key, `${c.table}.${c.column}: the subject's key`);
        assert.doesNotThrow(() => openString(key, v.v, c.aad(v.id)), `${c.table}.${c.column} of ${v.id}`);
      }
    }
  });

  it('exports and counts everything of a patient with data in every part', async () => {
    const { subjectId } = patient;
    const key = (await env.ctx.services.keyring.getDataKey(subjectId))!;
    const { counts, data } = await env.ctx.db.scoped([a.operatorId], async (tx) => {
      const scope = { tx, operatorId: a.operatorId, subjectId };
      return { counts: await registry().count(scope), data: await registry().export({ ...scope, key }) };
    });
    assert.deepEqual(
      Object.keys(data).sort(),
      registry()
        .parts.map((p) => p.name)
        .sort(),
    );
    for (const part of registry().parts) {
      for (const [kind, rows] of Object.entries(data[part.name]!)) {
        assert.ok(rows.length > 0, `${part.name}.${kind} is empty`);
        assert.equal(rows.length, counts[part.name]![kind], `${part.name}.${kind}`);
      }
    }
    assert.deepEqual(counts.reviews, { reviews: 1, published_reviews: 1 });
    assert.equal(counts.inquiries!.inquiries, 3, 'the form, the WhatsApp message and the merged review');
    assert.equal(counts.unsubscribe!.unsubscribe_tokens, 1);
    const json = JSON.stringify(data);
    for (const plain of [
      'Болит колено',
      'Перезвонить',
      'Когда приём?',
      '79991112233',
      'Иван Иванов',
      'rec-77',
      'Открыт новый кабинет.',
      'Спасибо врачам',
      'anna.2233@example.com',
    ]) {
      assert.ok(json.includes(plain), plain);
    }
    assert.doesNotMatch(json, /token_sha256|_enc/);
  });

  it('keeps the proof of every consent of a destroyed patient, without personal data, with the destruction', async () => {
    const other = await subjectInEveryPart(env, intake, a, whatsapp, '+79991114455');
    const consents = await q<{
      id: string;
      kind: string;
      document_id: string;
      document_version: number;
      document_sha256: string;
      given_at: Date;
      channel: string;
    }>(
      `SELECT id, kind, document_id, document_version, document_sha256, given_at, channel FROM consent_records
       WHERE subject_id = $1 ORDER BY id`,
      [other.subjectId],
    );
    assert.ok(consents.length >= 4, 'intake, verbal and the review’s consents');
    await env.ctx.services.subjects.destroy(
      systemPrincipal('test'),
      a.operatorId,
      other.subjectId,
      'subject_request',
    );

    const [destruction] = await q<{ id: string }>(
      'SELECT id FROM subject_destructions WHERE subject_id = $1',
      [other.subjectId],
    );
    const proofs = await q<Record<string, unknown>>(
      `SELECT id, kind, document_id, document_version, document_sha256, given_at, channel, destruction_id
       FROM consent_proofs WHERE destruction_id = $1 ORDER BY id`,
      [destruction!.id],
    );
    assert.deepEqual(
      proofs,
      consents.map((c) => ({ ...c, destruction_id: destruction!.id })),
    );
    // The proof holds nothing of the patient: no subject, no address, no browser, nothing sealed.
    const columns = await q<{ column_name: string; data_type: string }>(
      `SELECT column_name, data_type FROM information_schema.columns WHERE table_name = 'consent_proofs'`,
    );
    assert.deepEqual(
      columns.filter(
        (c) => c.data_type === 'bytea' || /subject|ip|user_agent|representative|evidence/.test(c.column_name),
      ),
      [],
    );
    // Every part is empty for the patient, the consent log included.
    for (const [table, col] of [
      ['consent_records', 'subject_id'],
      ['inquiries', 'subject_id'],
      ['outbox', 'subject_id'],
      ['reviews', 'subject_id'],
      ['unsubscribe_tokens', 'subject_id'],
      ['subjects', 'id'],
    ] as const) {
      assert.equal((await q(`SELECT 1 FROM ${table} WHERE ${col} = $1`, [other.subjectId])).length, 0, table);
    }
    assert.equal(
      (await q('SELECT 1 FROM inquiry_events WHERE inquiry_id = ANY($1::uuid[])', [[other.formInquiryId]]))
        .length,
      0,
    );
    // The first patient's consents are untouched.
    assert.ok(
      (await q('SELECT 1 FROM consent_records WHERE subject_id = $1', [patient.subjectId])).length > 0,
    );
  });

  it('lets the app neither delete consent records outside a destruction nor write proofs itself', async () => {
    await assert.rejects(
      env.ctx.db.scoped([a.operatorId], (tx) =>
        tx.query('SELECT consent_records_destroy($1, $2)', [a.operatorId, patient.subjectId]),
      ),
      { code: 'P0002' },
    );
    await assert.rejects(
      env.ctx.db.scoped([a.operatorId], (tx) =>
        tx.query('DELETE FROM consent_proofs WHERE operator_id = $1', [a.operatorId]),
      ),
      { code: '42501' },
    );
    await assert.rejects(
      env.ctx.db.scoped([a.operatorId], (tx) =>
        tx.query(
          `INSERT INTO consent_proofs (id, destruction_id, operator_id, kind, document_id, document_version,
             document_sha256, policy_version, given_at, channel)
           VALUES ($1, $1, $2, 'processing', $1, 1, repeat('a', 64), 1, now(), 'web_form')`,
          [randomUUID(), a.operatorId],
        ),
      ),
      { code: '42501' },
    );
    assert.ok(
      (await q('SELECT 1 FROM consent_records WHERE subject_id = $1', [patient.subjectId])).length > 0,
    );
  });
});
