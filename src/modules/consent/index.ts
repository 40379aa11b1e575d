/**
 * Consent: the one owner of `consent_records` (the consent log, COMPLIANCE A5, A6). Other modules
 * record, read and withdraw consents only through what this entry exports; the intake writes its
 * records inside its own one-round-trip statement with `consentInsertInline`. A withdrawal is one
 * operation (`ConsentService.withdraw` for staff recording what a patient said, `withdrawIn` for
 * the one-click link) that tells the modules registered with `onWithdrawn` in the same
 * transaction.
 *
 * @example
 *   const consent = new ConsentService({ db, audit, clock, log });
 *   consent.onWithdrawn('review_publication', (tx, w) => reviews.consentWithdrawn(tx, w.subjectId, w.principal));
 *   await consent.withdraw(officer, operatorId,
 *     { subjectId, kind: 'review_publication', channel: 'phone', method: 'oral' });
 *   const live = await hasConsent(tx, operatorId, subjectId, 'marketing', 'live');
 */
export {
  ConsentService,
  consentEvidenceAad,
  consentInsertInline,
  consentRepresentativeAad,
  consentsOfInquiry,
  hasConsent,
  latestConsentsOfInquiries,
  recordConsents,
  subjectsWithLiveConsent,
  type ConsentDeps,
  type WithdrawalListener,
} from './consent.service.ts';
export {
  CONSENT_KINDS,
  ConsentKind,
  RecordWithdrawalInput,
  WITHDRAWAL_CHANNELS,
  WITHDRAWAL_METHODS,
  type ConsentEntry,
  type ConsentWithdrawn,
  type InlineStatement,
  type InquiryConsent,
  type NewConsent,
  type Withdrawal,
  type WithdrawalChannel,
  type WithdrawalMethod,
} from './consent.schemas.ts';
export { consentDataPart } from './consent.data-part.ts';
