/**
 * The inquiries module's part of a patient's data: the inquiries (their fields and, for messenger
 * and SMS ones, the reply address) and their history (notes, messages, call and consent details),
 * each sealed under the subject's key and bound to its row's id. The history is evidence the app may
 * not UPDATE or DELETE: a merge re-seals it through `inquiry_events_merge` (migration 0024) and a
 * destruction removes it with its inquiries (the foreign key's cascade).
 *
 * @example
 *   new SubjectDataRegistry([..., inquiriesDataPart], subjectRowPart);
 */
import { openString } from '../../platform/crypto/aead.ts';
import type { Tx } from '../../platform/db/database.ts';
import type { SubjectDataPart, SubjectInquiryIndex } from '../subjects/index.ts';
import { inquiryFieldsAad, inquiryNoteAad, inquiryReplyToAad } from './open-inquiry.ts';

interface InquirySealed {
  id: string;
  fields_enc: Buffer;
  reply_to_enc: Buffer | null;
}

interface EventSealed {
  id: string;
  note_enc: Buffer;
}

const rows = {
  /** The subject's inquiries, locked: no note or message can be added to them meanwhile. */
  async lockOfSubject(tx: Tx, operatorId: string, subjectId: string): Promise<InquirySealed[]> {
    const { rows } = await tx.query<InquirySealed>(
      `SELECT id, fields_enc, reply_to_enc FROM inquiries
       WHERE operator_id = $1 AND subject_id = $2 ORDER BY created_at, id FOR UPDATE`,
      [operatorId, subjectId],
    );
    return rows;
  },

  /** History events of the subject's inquiries that carry sealed text or details. */
  async sealedEventsOfSubject(tx: Tx, operatorId: string, subjectId: string): Promise<EventSealed[]> {
    const { rows } = await tx.query<EventSealed>(
      `SELECT e.id, e.note_enc FROM inquiry_events e JOIN inquiries i ON i.id = e.inquiry_id
       WHERE e.operator_id = $1 AND i.subject_id = $2 AND e.note_enc IS NOT NULL`,
      [operatorId, subjectId],
    );
    return rows;
  },
};

export const inquiriesDataPart: SubjectDataPart = {
  name: 'inquiries',
  tables: ['inquiries', 'inquiry_events'],
  sealed: [
    { table: 'inquiries', column: 'fields_enc', aad: inquiryFieldsAad },
    { table: 'inquiries', column: 'reply_to_enc', aad: inquiryReplyToAad },
    { table: 'inquiry_events', column: 'note_enc', aad: inquiryNoteAad },
  ],

  async merge({ tx, operatorId, mergedId, keptId, reseal, at, actor, newId }) {
    const inquiries = await rows.lockOfSubject(tx, operatorId, mergedId);
    const events = (await rows.sealedEventsOfSubject(tx, operatorId, mergedId)).map((e) => ({
      id: e.id,
      note: reseal(e.note_enc, inquiryNoteAad(e.id)),
    }));
    // The history is re-sealed while its inquiries are still the merged subject's (the function
    // checks exactly that), then the inquiries move.
    await tx.query('SELECT inquiry_events_merge($1, $2, $3, $4::uuid[], $5::bytea[])', [
      operatorId,
      mergedId,
      keptId,
      events.map((e) => e.id),
      events.map((e) => e.note),
    ]);
    if (inquiries.length > 0) {
      await tx.query(
        `UPDATE inquiries i SET subject_id = $2, fields_enc = v.fields, reply_to_enc = v.reply_to
         FROM unnest($3::uuid[], $4::bytea[], $5::bytea[]) AS v (id, fields, reply_to)
         WHERE i.id = v.id AND i.operator_id = $1`,
        [
          operatorId,
          keptId,
          inquiries.map((r) => r.id),
          inquiries.map((r) => reseal(r.fields_enc, inquiryFieldsAad(r.id))),
          inquiries.map((r) => reseal(r.reply_to_enc, inquiryReplyToAad(r.id))),
        ],
      );
      // One 'merge' event per moved inquiry, pointing at the merged subject.
      await tx.query(
        `INSERT INTO inquiry_events (id, operator_id, inquiry_id, at, kind, ref_id, actor_type, actor_id)
         SELECT v.id, $1, v.inquiry_id, $3, 'merge', $2, $4, $5
         FROM unnest($6::uuid[], $7::uuid[]) AS v (id, inquiry_id)`,
        [
          operatorId,
          mergedId,
          at,
          actor.type,
          actor.id,
          inquiries.map(() => newId()),
          inquiries.map((r) => r.id),
        ],
      );
    }
    return { inquiries: inquiries.length, events: events.length };
  },

  async export({ tx, operatorId, subjectId, key }) {
    const { rows: inquiries } = await tx.query<{
      id: string;
      number: string;
      form_id: string;
      channel: string;
      status: string;
      page: string | null;
      created_at: Date;
      fields_enc: Buffer;
      reply_channel: string | null;
      reply_to_enc: Buffer | null;
    }>(
      `SELECT id, number::text AS number, form_id, channel, status, page, created_at, fields_enc,
         reply_channel, reply_to_enc
       FROM inquiries WHERE operator_id = $1 AND subject_id = $2 ORDER BY created_at, id`,
      [operatorId, subjectId],
    );
    const { rows: events } = await tx.query<{
      id: string;
      inquiry_id: string;
      at: Date;
      kind: string;
      note_enc: Buffer | null;
    }>(
      `SELECT e.id, e.inquiry_id, e.at, e.kind, e.note_enc FROM inquiry_events e
       JOIN inquiries i ON i.id = e.inquiry_id
       WHERE e.operator_id = $1 AND i.subject_id = $2 ORDER BY e.at, e.seq`,
      [operatorId, subjectId],
    );
    return {
      inquiries: inquiries.map((r) => ({
        id: r.id,
        number: r.number,
        formId: r.form_id,
        channel: r.channel,
        status: r.status,
        page: r.page,
        createdAt: r.created_at.toISOString(),
        fields: JSON.parse(openString(key, r.fields_enc, inquiryFieldsAad(r.id))) as Record<string, string>,
        replyChannel: r.reply_channel,
        replyTo: r.reply_to_enc === null ? null : openString(key, r.reply_to_enc, inquiryReplyToAad(r.id)),
      })),
      inquiry_events: events.map((e) => ({
        id: e.id,
        inquiryId: e.inquiry_id,
        at: e.at.toISOString(),
        kind: e.kind,
        note: e.note_enc === null ? null : openString(key, e.note_enc, inquiryNoteAad(e.id)),
      })),
    };
  },

  async count({ tx, operatorId, subjectId }) {
    const { rows: counts } = await tx.query<{ inquiries: number; inquiry_events: number }>(
      `SELECT (SELECT count(*) FROM inquiries WHERE operator_id = $1 AND subject_id = $2)::int AS inquiries,
              (SELECT count(*) FROM inquiry_events e JOIN inquiries i ON i.id = e.inquiry_id
                WHERE e.operator_id = $1 AND i.subject_id = $2)::int AS inquiry_events`,
      [operatorId, subjectId],
    );
    return counts[0]!;
  },

  async destroy({ tx, operatorId, subjectId }) {
    // The history (which the app may not DELETE) goes with its inquiries by the cascade.
    await tx.query('DELETE FROM inquiries WHERE operator_id = $1 AND subject_id = $2', [
      operatorId,
      subjectId,
    ]);
  },
};

/** The inquiry lookups a subject merge's pages make (ids and codes only, nothing decrypted). */
export const subjectInquiryIndex: SubjectInquiryIndex = {
  async subjectOfNumber(tx, operatorId, inquiryNumber) {
    const { rows } = await tx.query<{ subject_id: string }>(
      'SELECT subject_id FROM inquiries WHERE operator_id = $1 AND number = $2::bigint',
      [operatorId, inquiryNumber],
    );
    return rows[0]?.subject_id;
  },

  async listOfSubject(tx, operatorId, subjectId, limit) {
    const { rows } = await tx.query<{
      id: string;
      number: string;
      form_id: string;
      channel: string;
      status: string;
      created_at: Date;
    }>(
      `SELECT id, number::text AS number, form_id, channel, status, created_at FROM inquiries
       WHERE operator_id = $1 AND subject_id = $2 ORDER BY created_at DESC, id DESC LIMIT $3`,
      [operatorId, subjectId, limit],
    );
    return rows.map((i) => ({
      id: i.id,
      number: i.number,
      formId: i.form_id,
      channel: i.channel,
      status: i.status,
      createdAt: i.created_at.toISOString(),
    }));
  },
};
