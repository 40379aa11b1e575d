/**
 * Verbal consent (contract 2 of issue 4): on a recorded call, the patient agrees aloud, and the
 * operator records it. Each kind agreed to becomes a consent record citing the operator's current
 * published document of that kind and the policy version, given over the phone at the clock's
 * time, with the telephony system's reference to the recording as its evidence (sealed under the
 * subject's data key, AAD `consent:<id>:evidence`, so it goes with the subject); a `consent`
 * event on the inquiry points at it (`ref_id`), and an audit entry names it, all in one
 * transaction.
 *
 * Access: as for the inquiry's other changes, `inquiry.update` at the operator; someone with no
 * role there gets NotFound, like an unknown inquiry.
 *
 * @example
 *   await verbalConsent.recordVerbalConsent(agent, operatorId, inquiryId,
 *     { kinds: ['processing'], recordingRef: 'rec-2026-03-02-5531' });
 */
import { z } from 'zod';
import type { Clock } from '../../platform/clock.ts';
import { sealString } from '../../platform/crypto/aead.ts';
import type { Database } from '../../platform/db/database.ts';
import { AppError, ErrorCode } from '../../platform/errors.ts';
import { isUuid, type Ids } from '../../platform/ids.ts';
import type { Logger } from '../../platform/logger.ts';
import { parseInput } from '../../platform/validation.ts';
import type { AuditService } from '../audit/index.ts';
import { consentEvidenceAad, recordConsents } from '../consent/index.ts';
import { addInquiryEvent, type PolicySource } from '../inquiries/index.ts';
import type { KeyringService } from '../keyring/index.ts';
import { CONSENT_DOCUMENT_KIND } from '../policy/index.ts';
import { actorOf, requirePermission, sourceOf, type Principal } from '../staff/index.ts';
import { inboundRepository as repo } from './inbound.repository.ts';

export const VERBAL_CONSENT_KINDS = ['processing', 'marketing'] as const;

export const VerbalConsentInput = z.strictObject({
  kinds: z
    .array(z.enum(VERBAL_CONSENT_KINDS))
    .min(1, 'Отметьте, на что пациент согласился / Choose what the patient agreed to')
    // A repeated form field may name a kind twice: counted once.
    .max(10)
    .transform((k) => [...new Set(k)]),
  recordingRef: z
    .string()
    .trim()
    .min(1, 'Укажите запись разговора / Give the call recording’s reference')
    .max(2000, 'Не длиннее 2000 символов / At most 2000 characters')
    .refine((s) => !/\p{Cc}/u.test(s), 'Недопустимые символы / Control characters are not allowed'),
});
export type VerbalConsentInput = z.input<typeof VerbalConsentInput>;

export interface VerbalConsentDeps {
  db: Database;
  keyring: Pick<KeyringService, 'getDataKey'>;
  policy: PolicySource;
  audit: AuditService;
  clock: Clock;
  ids: Ids;
  log?: Logger;
}

export class VerbalConsentService {
  constructor(private readonly deps: VerbalConsentDeps) {}

  /**
   * Records the consents. ValidationFailed without a kind or a recording reference; Conflict when
   * the operator has no published policy (there is no text to consent to); NotFound for an
   * unknown inquiry; SubjectDestroyed while its patient is being destroyed.
   */
  async recordVerbalConsent(
    principal: Principal,
    operatorId: string,
    inquiryId: string,
    input: VerbalConsentInput,
  ): Promise<{ consentIds: string[] }> {
    if (!isUuid(operatorId) || !isUuid(inquiryId) || !hasAnyRole(principal, operatorId)) throw notFound();
    requirePermission(principal, 'inquiry.update', operatorId);
    const i = parseInput(
      VerbalConsentInput,
      input,
      'Согласие не записано: проверьте поля / Check the fields',
    );
    const { db, keyring, policy, audit, clock, ids } = this.deps;
    const consentIds = await db.scoped([operatorId], async (tx) => {
      const subjectId = await repo.subjectOf(tx, operatorId, inquiryId);
      if (!subjectId) throw notFound();
      const current = await policy.current(operatorId);
      if (!current) {
        throw new AppError(
          ErrorCode.Conflict,
          'Оператор не опубликовал тексты согласий: записать согласие не на что / ' +
            'The operator has published no consent documents',
        );
      }
      const key = await keyring.getDataKey(subjectId);
      if (!key) {
        throw new AppError(
          ErrorCode.SubjectDestroyed,
          'Данные пациента уничтожены / The patient’s data was destroyed',
        );
      }
      const at = clock.now();
      const actor = actorOf(principal);
      const made: string[] = [];
      for (const kind of i.kinds) {
        const doc = current.documents[CONSENT_DOCUMENT_KIND[kind]];
        const id = ids.uuid();
        await recordConsents(tx, [
          {
            id,
            operatorId,
            subjectId,
            inquiryId,
            kind,
            document: { id: doc.id, version: doc.version, sha256: doc.sha256 },
            policyVersion: current.declarationVersion,
            givenAt: at,
            channel: 'phone',
            formId: null,
            ip: null,
            userAgent: null,
            representativeEnc: null,
            evidenceEnc: sealString(key, i.recordingRef, consentEvidenceAad(id)),
            reviewShow: null,
          },
        ]);
        const details = {
          kind,
          channel: 'phone',
          documentId: doc.id,
          documentVersion: doc.version,
          recordingRef: i.recordingRef,
        };
        await addInquiryEvent(tx, {
          id: ids.uuid(),
          operatorId,
          inquiryId,
          at,
          kind: 'consent',
          note: { key, text: JSON.stringify(details) },
          refId: id,
          actor,
        });
        await audit.record(tx, {
          actor,
          action: 'consent.record',
          objectType: 'consent',
          objectId: id,
          subjectId,
          operatorId,
          source: sourceOf(principal),
          result: 'success',
        });
        made.push(id);
      }
      return made;
    });
    this.deps.log?.info({ operatorId, inquiryId, kinds: i.kinds, consentIds }, 'verbal consent recorded');
    return { consentIds };
  }
}

function hasAnyRole(principal: Principal, operatorId: string): boolean {
  switch (principal.kind) {
    case 'staff':
      return (principal.roles.get(operatorId)?.size ?? 0) > 0;
    case 'api_key':
      return principal.operatorId === operatorId;
    case 'system':
      return true;
  }
}

function notFound(): AppError {
  return new AppError(ErrorCode.NotFound, 'Обращение не найдено / Inquiry not found');
}
