/**
 * Data subjects: the input a subject is created from, the decrypted view, and the reasons a subject
 * may be destroyed for. Phone and e-mail are normalised by the blind-index helpers, not here, so
 * that the stored value and the index are always made from the same normal form.
 */
import { z } from 'zod';

const optionalText = (max: number) =>
  z
    .string()
    .trim()
    .max(max)
    .refine((s) => !/\p{Cc}/u.test(s), 'Недопустимые символы / Control characters are not allowed')
    // An empty field is the same as an absent one (forms send empty strings).
    .transform((s) => (s === '' ? undefined : s))
    .optional();

/** What a subject is created from; at least one of the three. */
export const SubjectInput = z
  .strictObject({
    name: optionalText(300),
    phone: optionalText(60),
    email: optionalText(254),
  })
  .refine(
    (s) => s.name !== undefined || s.phone !== undefined || s.email !== undefined,
    'Укажите имя, телефон или e-mail / Give a name, a phone or an e-mail',
  );
export type SubjectInput = z.input<typeof SubjectInput>;

/** The personal-data fields of a subject, as encrypted columns `<field>_enc`. */
export const SUBJECT_FIELDS = ['name', 'phone', 'email'] as const;
export type SubjectField = (typeof SUBJECT_FIELDS)[number];

/** Why a subject is destroyed (kept as a code: free text could itself carry personal data). */
export const DestroyReason = z.enum([
  'subject_request',
  'consent_withdrawn',
  'purpose_achieved',
  'retention_expired',
  'unlawful_processing',
  'authority_order',
]);
export type DestroyReason = z.infer<typeof DestroyReason>;

/** A subject decrypted for a person or job allowed to read it (the read is audited). */
export const SubjectDto = z.object({
  id: z.uuid(),
  operatorId: z.uuid(),
  name: z.string().nullable(),
  /** E.164, with `;ext=` when an extension was given. */
  phone: z.string().nullable(),
  /** Trimmed, lower-case. */
  email: z.string().nullable(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});
export type SubjectDto = z.infer<typeof SubjectDto>;

/** A subject found or created without reading it: ids only. */
export interface SubjectRef {
  id: string;
  operatorId: string;
  createdAt: string;
}

export interface DestroyResult {
  subjectId: string;
  destroyedAt: string;
  /** True when an earlier call had already finished the destruction. */
  alreadyDestroyed: boolean;
}
