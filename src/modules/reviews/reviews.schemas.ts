/**
 * Reviews: the states of a review, the moderation queue's items, and what the public page shows.
 * A review's id is the id of its inquiry (form 'review').
 */
import { z } from 'zod';
import { ReviewShow } from '../inquiries/index.ts';

export { ReviewShow };

/** Pending until a moderator decides; unpublished after being taken down (by staff or withdrawal). */
export const REVIEW_STATES = ['pending', 'published', 'unpublished', 'rejected'] as const;
export const ReviewState = z.enum(REVIEW_STATES);
export type ReviewState = z.infer<typeof ReviewState>;

/**
 * How the author's name is read when the signature is made from it: given name first ("Вера
 * Смирнова", the default) or surname first ("Смирнова Вера"). The moderator picks the reading
 * that matches the name, so that only the first name and the surname's initial are shown.
 */
export const NameOrder = z.enum(['given_first', 'surname_first']);
export type NameOrder = z.infer<typeof NameOrder>;

export const REVIEW_PAGE_SIZE = 20;
export const PUBLIC_PAGE_SIZE = 10;
/** Pages beyond this are not served (nobody reads that far; it bounds the cache's keys). */
export const MAX_PAGE = 1000;

export const ReviewQueueInput = z.strictObject({
  state: ReviewState.default('pending'),
  page: z.number().int().min(1).max(MAX_PAGE).default(1),
});
export type ReviewQueueInput = z.input<typeof ReviewQueueInput>;

export const PublishInput = z.strictObject({ order: NameOrder.default('given_first') });
export type PublishInput = z.input<typeof PublishInput>;

/** The publication consent of a review: live, withdrawn, or never given. */
export type ReviewConsentState = 'live' | 'withdrawn' | 'none';

/** One review in the moderation queue, decrypted (the read is audited as `review.read`). */
export interface ReviewItem {
  id: string;
  /** The inquiry's number. */
  number: string;
  createdAt: string;
  state: ReviewState;
  /** The text as written (trimmed at intake); null when the form had none. */
  text: string | null;
  rating: number | null;
  consent: ReviewConsentState;
  /** What the author allowed to be shown (null without a consent). */
  show: ReviewShow | null;
  /**
   * The signature the public page would show, per reading of the name (null: anonymous). Only
   * what the consent allows; the full name is never shown to the moderator.
   */
  signatures: Record<NameOrder, string | null>;
  publishedAt: string | null;
  decidedAt: string | null;
  unpublishReason: 'staff' | 'consent_withdrawn' | null;
  /** Who decided last: a staff id or a job name. */
  decidedBy: string | null;
}

export type ReviewCounts = Record<ReviewState, number>;

export interface ReviewQueuePage {
  state: ReviewState;
  page: number;
  items: ReviewItem[];
  counts: ReviewCounts;
  hasNext: boolean;
}

/** One published review as the clinic's public page shows it. */
export interface PublicReview {
  id: string;
  /** The signature exactly as the consent allowed; null for an anonymous review. */
  author: string | null;
  text: string;
  rating: number | null;
  publishedAt: string;
}

export interface PublicReviewPage {
  items: PublicReview[];
  page: number;
  pages: number;
  total: number;
}

export interface ModerationResult {
  id: string;
  state: ReviewState;
  /** False when the review already was in that state (nothing written). */
  changed: boolean;
}
