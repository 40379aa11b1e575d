/**
 * Test support for the inbox and the inquiry page (imported by tests only): a console app with
 * two clinics, their published test policies and an intake that submits to them.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { PublishedPolicy } from '../../modules/policy/index.ts';
import {
  callback,
  insertOperatorWithSite,
  policySource,
  testIntake,
  testPolicy,
  type TestOperator,
} from '../../modules/inquiries/intake.testing.ts';
import type { IntakeInput, IntakeService } from '../../modules/inquiries/index.ts';
import { sealString } from '../../platform/crypto/aead.ts';
import { inquiryNoteAad } from '../../modules/inquiries/index.ts';
import { createConsoleEnv, type ConsoleEnv } from '../shared/console.testing.ts';

export interface InboxEnv extends ConsoleEnv {
  a: TestOperator & { site2: string };
  b: TestOperator;
  intake: IntakeService;
  /** Submits through the intake; returns the new inquiry's id. */
  submit(op: TestOperator, over?: Partial<IntakeInput>): Promise<string>;
  /** A history event as the channels module writes one, its text sealed under the subject's key. */
  addEvent(o: {
    operatorId: string;
    inquiryId: string;
    kind: 'message' | 'call' | 'consent' | 'notification' | 'merge';
    text?: string;
    refId?: string;
  }): Promise<string>;
  /** Runs SQL as the superuser. */
  q<R extends object>(sql: string, params?: unknown[]): Promise<R[]>;
}

export async function createInboxEnv(): Promise<InboxEnv> {
  const c = await createConsoleEnv();
  const env = c.env;
  const a0 = await insertOperatorWithSite(env, 'inbox-a');
  const b = await insertOperatorWithSite(env, 'inbox-b');
  const admin = await env.admin();
  const q = async <R extends object>(sql: string, params: unknown[] = []): Promise<R[]> =>
    (await admin.query<R>(sql, params)).rows;
  await q(`UPDATE operators SET short_name = 'Клиника «Альфа»' WHERE id = $1`, [a0.operatorId]);
  await q(`UPDATE operators SET short_name = 'Клиника «Бета»' WHERE id = $1`, [b.operatorId]);
  const site2 = randomUUID();
  await q('INSERT INTO sites (id, operator_id, domain, title, created_at) VALUES ($1, $2, $3, $4, $5)', [
    site2,
    a0.operatorId,
    'second-a.example',
    'Второй сайт «Альфы»',
    env.clock.now(),
  ]);
  const policies: Record<string, PublishedPolicy> = {
    [a0.operatorId]: await testPolicy(env, a0.operatorId),
    [b.operatorId]: await testPolicy(env, b.operatorId),
  };
  const intake = testIntake(env, policySource(policies));
  return {
    ...c,
    a: { ...a0, site2 },
    b,
    intake,
    q,
    submit: async (op, over = {}) => {
      const r = await intake.submit(callback(op, over));
      assert.equal(r.kind, 'created', JSON.stringify(r));
      return (r as { inquiryId: string }).inquiryId;
    },
    addEvent: async (o) => {
      const id = randomUUID();
      const [row] = await q<{ subject_id: string }>('SELECT subject_id FROM inquiries WHERE id = $1', [
        o.inquiryId,
      ]);
      const key = await env.ctx.services.keyring.getDataKey(row!.subject_id);
      const sealed = o.text === undefined ? null : sealString(key!, o.text, inquiryNoteAad(id));
      await q(
        `INSERT INTO inquiry_events (id, operator_id, inquiry_id, at, kind, note_enc, actor_type, actor_id, ref_id)
         VALUES ($1, $2, $3, $4, $5, $6, 'subject', NULL, $7)`,
        [id, o.operatorId, o.inquiryId, env.clock.now(), o.kind, sealed, o.refId ?? null],
      );
      return id;
    },
  };
}
