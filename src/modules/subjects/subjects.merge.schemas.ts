/**
 * Merging two subjects of one operator: which one is kept, which one is merged into it, and what a
 * privacy officer sees before confirming.
 */
import { z } from 'zod';
import type { SubjectField } from './subjects.schemas.ts';

export const MergeInput = z
  .strictObject({ keep: z.uuid(), merge: z.uuid() })
  .refine((m) => m.keep !== m.merge, {
    message: 'Нельзя объединить субъекта с самим собой / A subject cannot be merged with itself',
    path: ['merge'],
  });
export type MergeInput = z.input<typeof MergeInput>;

/**
 * How the console names a subject: its id, or the number of one of its inquiries («123», «№ 123»).
 */
export const SubjectRefText = z
  .string()
  .trim()
  .min(1)
  .max(100)
  .regex(
    /^(?:(?:№|#)?\s*\d{1,15}|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})$/u,
    'Укажите номер обращения или идентификатор субъекта / Give an inquiry number or a subject id',
  );

/** One side of the comparison: the subject decrypted, and what it has (ids and codes). */
export interface MergeSide {
  id: string;
  name: string | null;
  phone: string | null;
  email: string | null;
  createdAt: string;
  inquiries: {
    id: string;
    number: string;
    formId: string;
    channel: string;
    status: string;
    createdAt: string;
  }[];
  consents: number;
  publishedReviews: number;
}

export interface MergePreview {
  keep: MergeSide;
  merge: MergeSide;
}

export interface MergeResult {
  keptId: string;
  mergedId: string;
  mergedAt: string;
  moved: {
    inquiries: number;
    consents: number;
    events: number;
    outbox: number;
    reviews: number;
    /** Rows of other tables that only pointed at the subject (no sealed data). */
    other: number;
  };
  /** Fields the kept subject lacked and took from the merged one. */
  filled: SubjectField[];
}
