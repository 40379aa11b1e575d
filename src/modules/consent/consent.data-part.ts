/**
 * The consent log's part of a patient's data: who consented to what text, when, where and how, with
 * the representative who gave it (sealed, AAD `consent:<id>:representative`) and the reference to a
 * call's recording for a verbal consent (sealed, AAD `consent:<id>:evidence`). The log is evidence
 * the app may not UPDATE or DELETE: a merge moves and re-seals it through `consent_records_merge`,
 * and a destruction goes through `consent_records_destroy` (migration 0024), which keeps the proof of
 * each consent without personal data (`consent_proofs`, linked to the destruction record) and only
 * then deletes the records. It must run before the inquiries' part, whose cascade would otherwise
 * take the records of an inquiry without their proof.
 *
 * @example
 *   new SubjectDataRegistry([consentDataPart, inquiriesDataPart, ...], subjectRowPart);
 */
import { openString } from '../../platform/crypto/aead.ts';
import type { SubjectDataPart } from '../subjects/index.ts';
import { consentEvidenceAad, consentRepresentativeAad } from './consent.service.ts';

interface ConsentRow {
  id: string;
  inquiry_id: string | null;
  kind: string;
  document_id: string;
  document_version: number;
  document_sha256: string;
  policy_version: number;
  given_at: Date;
  channel: string;
  form_id: string | null;
  ip: string | null;
  user_agent: string | null;
  representative_enc: Buffer | null;
  evidence_enc: Buffer | null;
  review_show: string | null;
  withdrawn_at: Date | null;
  withdrawn_channel: string | null;
}

export const consentDataPart: SubjectDataPart = {
  name: 'consent',
  tables: ['consent_records'],
  sealed: [
    { table: 'consent_records', column: 'representative_enc', aad: consentRepresentativeAad },
    { table: 'consent_records', column: 'evidence_enc', aad: consentEvidenceAad },
  ],

  async merge({ tx, operatorId, mergedId, keptId, reseal }) {
    const { rows } = await tx.query<Pick<ConsentRow, 'id' | 'representative_enc' | 'evidence_enc'>>(
      `SELECT id, representative_enc, evidence_enc FROM consent_records
       WHERE operator_id = $1 AND subject_id = $2`,
      [operatorId, mergedId],
    );
    // All of them or none: the function refuses a list that leaves one behind.
    await tx.query('SELECT consent_records_merge($1, $2, $3, $4::uuid[], $5::bytea[], $6::bytea[])', [
      operatorId,
      mergedId,
      keptId,
      rows.map((r) => r.id),
      rows.map((r) => reseal(r.representative_enc, consentRepresentativeAad(r.id))),
      rows.map((r) => reseal(r.evidence_enc, consentEvidenceAad(r.id))),
    ]);
    return { consents: rows.length };
  },

  async export({ tx, operatorId, subjectId, key }) {
    const { rows } = await tx.query<ConsentRow>(
      `SELECT id, inquiry_id, kind, document_id, document_version, document_sha256, policy_version, given_at,
         channel, form_id, ip, user_agent, representative_enc, evidence_enc, review_show, withdrawn_at,
         withdrawn_channel
       FROM consent_records WHERE operator_id = $1 AND subject_id = $2 ORDER BY given_at, id`,
      [operatorId, subjectId],
    );
    return {
      consent_records: rows.map((r) => ({
        id: r.id,
        inquiryId: r.inquiry_id,
        kind: r.kind,
        documentId: r.document_id,
        documentVersion: r.document_version,
        documentSha256: r.document_sha256,
        policyVersion: r.policy_version,
        givenAt: r.given_at.toISOString(),
        channel: r.channel,
        formId: r.form_id,
        ip: r.ip,
        userAgent: r.user_agent,
        representative:
          r.representative_enc === null
            ? null
            : (JSON.parse(openString(key, r.representative_enc, consentRepresentativeAad(r.id))) as unknown),
        evidence: r.evidence_enc === null ? null : openString(key, r.evidence_enc, consentEvidenceAad(r.id)),
        reviewShow: r.review_show,
        withdrawnAt: r.withdrawn_at?.toISOString() ?? null,
        withdrawnChannel: r.withdrawn_channel,
      })),
    };
  },

  async count({ tx, operatorId, subjectId }) {
    const { rows } = await tx.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM consent_records WHERE operator_id = $1 AND subject_id = $2',
      [operatorId, subjectId],
    );
    return { consent_records: rows[0]!.n };
  },

  async destroy({ tx, operatorId, subjectId }) {
    await tx.query('SELECT consent_records_destroy($1, $2)', [operatorId, subjectId]);
  },
};
