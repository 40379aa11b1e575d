/**
 * The outbox's part of a patient's data: messages queued for or sent to the patient, whose recipient
 * and content are sealed under the subject's key (AAD `outbox:<id>`).
 *
 * @example
 *   new SubjectDataRegistry([..., outboxDataPart], subjectRowPart);
 */
import { openString } from '../../platform/crypto/aead.ts';
import type { SubjectDataPart } from '../subjects/index.ts';
import { outboxAad } from './outbox.service.ts';

export const outboxDataPart: SubjectDataPart = {
  name: 'outbox',
  tables: ['outbox'],
  sealed: [{ table: 'outbox', column: 'payload_enc', aad: outboxAad }],

  async merge({ tx, operatorId, mergedId, keptId, reseal }) {
    // Locked: a dispatcher skips them until the merge commits.
    const { rows } = await tx.query<{ id: string; payload_enc: Buffer | null }>(
      'SELECT id, payload_enc FROM outbox WHERE operator_id = $1 AND subject_id = $2 FOR UPDATE',
      [operatorId, mergedId],
    );
    if (rows.length === 0) return { outbox: 0 };
    await tx.query(
      `UPDATE outbox o SET subject_id = $2, payload_enc = v.payload
       FROM unnest($3::uuid[], $4::bytea[]) AS v (id, payload)
       WHERE o.id = v.id AND o.operator_id = $1`,
      [operatorId, keptId, rows.map((r) => r.id), rows.map((r) => reseal(r.payload_enc, outboxAad(r.id)))],
    );
    return { outbox: rows.length };
  },

  async export({ tx, operatorId, subjectId, key }) {
    const { rows } = await tx.query<{
      id: string;
      channel: string;
      template: string;
      state: string;
      payload_enc: Buffer | null;
      created_at: Date;
      sent_at: Date | null;
    }>(
      `SELECT id, channel, template, state, payload_enc, created_at, sent_at FROM outbox
       WHERE operator_id = $1 AND subject_id = $2 ORDER BY created_at, id`,
      [operatorId, subjectId],
    );
    return {
      outbox: rows.map((r) => ({
        id: r.id,
        channel: r.channel,
        template: r.template,
        state: r.state,
        createdAt: r.created_at.toISOString(),
        sentAt: r.sent_at?.toISOString() ?? null,
        payload:
          r.payload_enc === null
            ? null
            : (JSON.parse(openString(key, r.payload_enc, outboxAad(r.id))) as unknown),
      })),
    };
  },

  async count({ tx, operatorId, subjectId }) {
    const { rows } = await tx.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM outbox WHERE operator_id = $1 AND subject_id = $2',
      [operatorId, subjectId],
    );
    return { outbox: rows[0]!.n };
  },

  async destroy({ tx, operatorId, subjectId }) {
    await tx.query('DELETE FROM outbox WHERE operator_id = $1 AND subject_id = $2', [operatorId, subjectId]);
  },
};
