/**
 * The consent module's types: what a consent is given to, what a caller records, what it reads
 * back, and how a withdrawal is described. Values, never rows: a database row stays in the module.
 */
import { z } from 'zod';
import type { Actor } from '../audit/index.ts';
import type { Principal } from '../staff/index.ts';

export const CONSENT_KINDS = ['processing', 'marketing', 'review_publication'] as const;
export const ConsentKind = z.enum(CONSENT_KINDS);
export type ConsentKind = z.infer<typeof ConsentKind>;

/**
 * Where a patient withdrew a consent. `unsubscribe_link` is the one-click link in a marketing
 * e-mail; the others are what staff record when the patient told the clinic.
 */
export const WITHDRAWAL_CHANNELS = [
  'unsubscribe_link',
  'phone',
  'email',
  'letter',
  'in_person',
  'messenger',
] as const;
export type WithdrawalChannel = (typeof WITHDRAWAL_CHANNELS)[number];

/** The form of the patient's statement: the link itself, said aloud, on paper, or in a message. */
export const WITHDRAWAL_METHODS = ['link', 'oral', 'written', 'electronic'] as const;
export type WithdrawalMethod = (typeof WITHDRAWAL_METHODS)[number];

/** A withdrawal the patient made to the clinic and a staff member records (not the link's). */
export const RecordWithdrawalInput = z.strictObject({
  subjectId: z.uuid('Неизвестный пациент / Unknown patient'),
  kind: ConsentKind,
  channel: z.enum(WITHDRAWAL_CHANNELS).exclude(['unsubscribe_link']),
  method: z.enum(WITHDRAWAL_METHODS).exclude(['link']),
});
export type RecordWithdrawalInput = z.input<typeof RecordWithdrawalInput>;

/** A consent being recorded: the document it cites must be the operator's published one. */
export interface NewConsent {
  id: string;
  operatorId: string;
  subjectId: string;
  inquiryId: string | null;
  kind: ConsentKind;
  document: { id: string; version: number; sha256: string };
  policyVersion: number;
  givenAt: Date;
  channel: string;
  formId: string | null;
  ip: string | null;
  userAgent: string | null;
  /** The representative (name, relation) as JSON, sealed with `consentRepresentativeAad`. */
  representativeEnc: Buffer | null;
  /** The recording's reference of a verbal consent, sealed with `consentEvidenceAad`. */
  evidenceEnc: Buffer | null;
  reviewShow: string | null;
}

/** A recorded consent as its inquiry's card shows it. */
export interface ConsentEntry {
  id: string;
  kind: ConsentKind;
  documentId: string;
  documentVersion: number;
  documentSha256: string;
  policyVersion: number;
  givenAt: Date;
  channel: string;
  formId: string | null;
  reviewShow: string | null;
  representativeEnc: Buffer | null;
}

/** The latest consent of a kind given with an inquiry (a repeated form supersedes the first). */
export interface InquiryConsent {
  id: string;
  reviewShow: string | null;
  withdrawnAt: Date | null;
}

/** A withdrawal as the consent module records it (in the caller's transaction). */
export interface Withdrawal {
  operatorId: string;
  subjectId: string;
  kind: ConsentKind;
  channel: WithdrawalChannel;
  method: WithdrawalMethod;
  /** Who recorded it: the staff member, or the subject itself when the patient used a link. */
  by: Actor;
  /** The audit entries' source (a staff member's address, or the channel); never the patient's IP. */
  source: string | null;
  /** The principal that recorded it, when a person or key did (listeners act in its name). */
  principal?: Principal;
}

/** What listeners are told: the withdrawal and the records it withdrew (at least one). */
export interface ConsentWithdrawn extends Withdrawal {
  consentIds: string[];
  at: Date;
}

/** An SQL statement (or fragment) with its parameters numbered after an offset. */
export interface InlineStatement {
  sql: string;
  params: unknown[];
}
