/**
 * Reviews: the moderation queue and the published reviews on the clinic's public pages.
 *
 * A review arrives as an inquiry of form 'review' (name, text, rating) with, usually, a
 * `review_publication` consent that says how the author may be named (`review_show`). A moderator
 * (`review.moderate`) publishes or rejects it, and may take a published one down. Only a review
 * with a live publication consent (given with the review and not withdrawn) can be published, and
 * what is published is a copy of exactly what that consent allows: the signature («Вера С.»,
 * «Вера», or none), the text as written, the rating. The copy is sealed under the subject's data
 * key (AAD `review:<id>:author`, `review:<id>:text`), so destroying the patient removes it too.
 * When the author withdraws the consent, the consent module's withdrawal calls `consentWithdrawn`
 * (registered for `review_publication` withdrawals), which takes every review of the subject down
 * for good.
 *
 * Access mirrors the inquiries: a principal without any role at the operator gets NotFound for a
 * review id, as for an unknown one; one with a role but without `review.moderate` gets Forbidden.
 * The queue decrypts each review it shows and writes one `review.read` entry per review.
 *
 * The public page reads published reviews through a short cache (REVIEWS_CACHE_TTL_MS). Every
 * change made through this service clears this process's cache at once; other app instances show
 * the change within the cache's time to live, and so does a destruction of the subject (its rows
 * go by cascade, outside this service).
 *
 * @example
 *   const q = await reviews.queue(moderator, operatorId); // pending first, audited per review
 *   await reviews.publish(moderator, operatorId, q.items[0].id); // «Вера С.», as the consent allows
 *   await reviews.unpublish(moderator, operatorId, q.items[0].id);
 *   const page = await reviews.published(operatorId, 1); // for the public /reviews page
 *   await db.scoped([operatorId], (tx) => reviews.consentWithdrawn(tx, subjectId));
 */
import type { Clock } from '../../platform/clock.ts';
import { openString, sealString } from '../../platform/crypto/aead.ts';
import type { Database, Tx } from '../../platform/db/database.ts';
import { AppError, ErrorCode } from '../../platform/errors.ts';
import { isUuid } from '../../platform/ids.ts';
import type { Logger } from '../../platform/logger.ts';
import { TtlCache } from '../../platform/ttl-cache.ts';
import { parseInput } from '../../platform/validation.ts';
import type { AuditEntry, AuditService } from '../audit/index.ts';
import { latestConsentsOfInquiries } from '../consent/index.ts';
import { inquiryFieldsAad, type ReviewShow } from '../inquiries/index.ts';
import type { KeyringService } from '../keyring/index.ts';
import { actorOf, auditEntryBy, requirePermission, systemPrincipal, type Principal } from '../staff/index.ts';
import { reviewSignature } from './review-signature.ts';
import {
  reviewsRepository as repo,
  type Decision,
  type ReviewBaseRow,
  type ReviewRow,
} from './reviews.repository.ts';
import {
  MAX_PAGE,
  PUBLIC_PAGE_SIZE,
  PublishInput,
  REVIEW_PAGE_SIZE,
  REVIEW_STATES,
  ReviewQueueInput,
  type ModerationResult,
  type PublicReviewPage,
  type ReviewConsentState,
  type ReviewCounts,
  type ReviewItem,
  type ReviewQueuePage,
  type ReviewState,
} from './reviews.schemas.ts';

/**
 * How long the public page may show a list it read before: unpublishing on another app instance,
 * or destroying the subject, takes effect on the public page within this time.
 */
export const REVIEWS_CACHE_TTL_MS = 30_000;

export interface ReviewsDeps {
  db: Database;
  keyring: Pick<KeyringService, 'getDataKey' | 'getDataKeys'>;
  audit: AuditService;
  clock: Clock;
  log?: Logger;
}

/** The associated data of a published review's parts: bound to the review, under the subject's key. */
export function reviewAad(reviewId: string, part: 'author' | 'text'): string {
  return `review:${reviewId}:${part}`;
}

/** Who a withdrawal coming from the rights desk is recorded as, when the caller names nobody. */
const WITHDRAWAL = systemPrincipal('consent-withdrawal');

export class ReviewsService {
  private readonly publicCache: TtlCache<PublicReviewPage>;

  constructor(private readonly deps: ReviewsDeps) {
    this.publicCache = new TtlCache(deps.clock, REVIEWS_CACHE_TTL_MS);
  }

  /**
   * One page of the operator's reviews in a state (pending by default), newest first, with the
   * counts per state. Each review shown is decrypted and audited (`review.read`). NotFound without
   * any role at the operator, Forbidden without the permission. NotFound without
   * any role at the operator, Forbidden without the permission.
   */
  async queue(
    principal: Principal,
    operatorId: string,
    input: ReviewQueueInput = {},
  ): Promise<ReviewQueuePage> {
    if (!isUuid(operatorId) || !hasAnyRole(principal, operatorId)) throw notFound();
    requirePermission(principal, 'review.moderate', operatorId);
    const { state, page } = parseInput(ReviewQueueInput, input);
    const { db, keyring, audit } = this.deps;
    return db.scoped([operatorId], async (tx) => {
      const counts = await this.countsIn(tx, operatorId);
      const rows = await repo.listPage(
        tx,
        operatorId,
        state,
        REVIEW_PAGE_SIZE + 1,
        (page - 1) * REVIEW_PAGE_SIZE,
      );
      const shown = await withConsents(tx, rows.slice(0, REVIEW_PAGE_SIZE));
      const keys = await keyring.getDataKeys([...new Set(shown.map((r) => r.subject_id))]);
      const items: ReviewItem[] = [];
      for (const r of shown) {
        const key = keys.get(r.subject_id);
        // A subject whose key is gone is being destroyed: its review goes with it.
        if (!key) continue;
        items.push(itemOf(r, fieldsOf(key, r)));
        await audit.record(tx, this.entry(principal, 'review.read', operatorId, r));
      }
      return { state, page, items, counts, hasNext: rows.length > REVIEW_PAGE_SIZE };
    });
  }

  /** How many of the operator's reviews are in each state (nothing decrypted). */
  async counts(principal: Principal, operatorId: string): Promise<ReviewCounts> {
    if (!isUuid(operatorId) || !hasAnyRole(principal, operatorId)) throw notFound();
    requirePermission(principal, 'review.moderate', operatorId);
    return this.deps.db.scoped([operatorId], (tx) => this.countsIn(tx, operatorId));
  }

  private async countsIn(tx: Tx, operatorId: string): Promise<ReviewCounts> {
    const counts = Object.fromEntries(REVIEW_STATES.map((s) => [s, 0])) as ReviewCounts;
    for (const r of await repo.countByState(tx, operatorId)) counts[r.state as ReviewState] = Number(r.n);
    return counts;
  }

  /**
   * Publishes the review as its publication consent allows. Conflict when the consent is missing
   * or withdrawn, when the review has no text, or when it is already published (changed: false
   * then, nothing written). `order` says how to read the author's name (see NameOrder).
   */
  async publish(
    principal: Principal,
    operatorId: string,
    reviewId: string,
    input: PublishInput = {},
  ): Promise<ModerationResult> {
    this.requireAccess(principal, operatorId, reviewId);
    const { order } = parseInput(PublishInput, input);
    const { db, keyring, audit } = this.deps;
    const result = await db.scoped([operatorId], async (tx): Promise<ModerationResult> => {
      const r = await lockReview(tx, operatorId, reviewId);
      if (!r) throw notFound();
      if (r.state === 'published') return { id: r.id, state: 'published', changed: false };
      if (consentOf(r) !== 'live' || r.consent_id === null || r.consent_show === null) {
        throw new AppError(
          ErrorCode.Conflict,
          'Автор не дал согласия на публикацию отзыва или отозвал его / ' +
            'The author has not consented to publishing the review, or withdrew the consent',
        );
      }
      const key = await keyring.getDataKey(r.subject_id);
      if (!key) throw destroyed();
      const fields = fieldsOf(key, r);
      const text = fields.message?.trim() ?? '';
      if (text === '') {
        throw new AppError(ErrorCode.Conflict, 'В отзыве нет текста / The review has no text');
      }
      const show = r.consent_show as ReviewShow;
      const author = reviewSignature(fields.name, show, order);
      await repo.upsertPublished(tx, this.decision(principal, r), {
        consentId: r.consent_id,
        show,
        authorEnc: author === null ? null : sealString(key, author, reviewAad(r.id, 'author')),
        textEnc: sealString(key, text, reviewAad(r.id, 'text')),
        rating: ratingOf(fields),
      });
      await audit.record(tx, this.entry(principal, 'review.publish', operatorId, r));
      return { id: r.id, state: 'published', changed: true };
    });
    this.changed(operatorId, reviewId, result);
    return result;
  }

  /** Takes a published review down (on the author's demand, or the clinic's decision). */
  async unpublish(principal: Principal, operatorId: string, reviewId: string): Promise<ModerationResult> {
    this.requireAccess(principal, operatorId, reviewId);
    const result = await this.deps.db.scoped([operatorId], async (tx): Promise<ModerationResult> => {
      const r = await lockReview(tx, operatorId, reviewId);
      if (!r) throw notFound();
      if (r.state === 'unpublished') return { id: r.id, state: 'unpublished', changed: false };
      if (r.state !== 'published') {
        throw new AppError(ErrorCode.Conflict, 'Отзыв не опубликован / The review is not published');
      }
      await repo.upsertTakenDown(tx, this.decision(principal, r), 'unpublished', { reason: 'staff' });
      await this.deps.audit.record(tx, this.entry(principal, 'review.unpublish', operatorId, r));
      return { id: r.id, state: 'unpublished', changed: true };
    });
    this.changed(operatorId, reviewId, result);
    return result;
  }

  /** Rejects a pending (or taken down) review; a published one must be taken down first. */
  async reject(principal: Principal, operatorId: string, reviewId: string): Promise<ModerationResult> {
    this.requireAccess(principal, operatorId, reviewId);
    const result = await this.deps.db.scoped([operatorId], async (tx): Promise<ModerationResult> => {
      const r = await lockReview(tx, operatorId, reviewId);
      if (!r) throw notFound();
      if (r.state === 'rejected') return { id: r.id, state: 'rejected', changed: false };
      if (r.state === 'published') {
        throw new AppError(
          ErrorCode.Conflict,
          'Сначала снимите отзыв с публикации / Unpublish the review first',
        );
      }
      await repo.upsertTakenDown(tx, this.decision(principal, r), 'rejected');
      await this.deps.audit.record(tx, this.entry(principal, 'review.reject', operatorId, r));
      return { id: r.id, state: 'rejected', changed: true };
    });
    this.changed(operatorId, reviewId, result);
    return result;
  }

  /**
   * The author withdrew the consent to publish: every review of the subject is taken down (audited
   * as `review.unpublish`) and none can be published again. Runs in the caller's transaction,
   * which must be scoped to the subject's operator (the consent module's withdrawal, whose
   * listener this is); like `OutboxService.add` it checks no permission of its own: the caller's
   * method has checked its principal, and withdrawing is the author's right whoever records it.
   * Returns how many reviews were taken down. The public cache is cleared now; a page read between this call and
   * the caller's commit can show the review for at most the cache's time to live.
   */
  async consentWithdrawn(tx: Tx, subjectId: string, principal: Principal = WITHDRAWAL): Promise<number> {
    if (!isUuid(subjectId)) return 0;
    let unpublished = 0;
    const operators = new Set<string>();
    for (const r of await withConsents(tx, await repo.lockOfSubject(tx, subjectId))) {
      operators.add(r.operator_id);
      const d = this.decision(principal, r);
      if (r.state === 'published') {
        await repo.upsertTakenDown(tx, d, 'unpublished', { reason: 'consent_withdrawn', withdrawn: true });
        await this.deps.audit.record(tx, this.entry(principal, 'review.unpublish', r.operator_id, r));
        unpublished += 1;
      } else {
        await repo.markWithdrawn(tx, d);
      }
    }
    if (unpublished > 0) this.publicCache.clear();
    if (operators.size > 0) {
      this.deps.log?.info({ subjectId, unpublished }, 'review publication consent withdrawn');
    }
    return unpublished;
  }

  /**
   * A page of the operator's published reviews, newest first, for its public pages (no principal:
   * they are public by the authors' consent). Pages past the last one are empty.
   */
  published(operatorId: string, page = 1): Promise<PublicReviewPage> {
    if (!isUuid(operatorId) || !Number.isInteger(page) || page < 1 || page > MAX_PAGE) {
      return Promise.resolve({ items: [], page: 1, pages: 0, total: 0 });
    }
    return this.publicCache.get(`${operatorId}:${page}`, () => this.loadPublished(operatorId, page));
  }

  private async loadPublished(operatorId: string, page: number): Promise<PublicReviewPage> {
    const { db, keyring } = this.deps;
    return db.scoped([operatorId], async (tx) => {
      const total = await repo.countPublished(tx, operatorId);
      const rows =
        total > (page - 1) * PUBLIC_PAGE_SIZE
          ? await repo.publishedPage(tx, operatorId, PUBLIC_PAGE_SIZE, (page - 1) * PUBLIC_PAGE_SIZE)
          : [];
      const keys = await keyring.getDataKeys([...new Set(rows.map((r) => r.subject_id))]);
      const items = rows.flatMap((r) => {
        const key = keys.get(r.subject_id);
        if (!key) return [];
        return [
          {
            id: r.inquiry_id,
            author:
              r.author_enc === null ? null : openString(key, r.author_enc, reviewAad(r.inquiry_id, 'author')),
            text: openString(key, r.text_enc, reviewAad(r.inquiry_id, 'text')),
            rating: r.rating,
            publishedAt: r.published_at.toISOString(),
          },
        ];
      });
      return { items, page, pages: Math.ceil(total / PUBLIC_PAGE_SIZE), total };
    });
  }

  private changed(operatorId: string, reviewId: string, r: ModerationResult): void {
    if (!r.changed) return;
    this.publicCache.clear();
    this.deps.log?.info({ operatorId, reviewId, state: r.state }, 'review moderated');
  }

  /** NotFound without any role at the operator (as for an unknown id); Forbidden without the permission. */
  private requireAccess(principal: Principal, operatorId: string, reviewId: string): void {
    if (!isUuid(operatorId) || !isUuid(reviewId) || !hasAnyRole(principal, operatorId)) throw notFound();
    requirePermission(principal, 'review.moderate', operatorId);
  }

  private decision(principal: Principal, r: ReviewRow): Decision {
    const actor = actorOf(principal);
    return {
      inquiryId: r.id,
      operatorId: r.operator_id,
      subjectId: r.subject_id,
      at: this.deps.clock.now(),
      actorType: actor.type,
      actorId: actor.id,
    };
  }

  private entry(principal: Principal, action: string, operatorId: string, r: ReviewRow): AuditEntry {
    return auditEntryBy(principal, action, {
      objectType: 'review',
      objectId: r.id,
      subjectId: r.subject_id,
      operatorId,
    });
  }
}

/** The review, its inquiry locked, with its publication consent. */
async function lockReview(tx: Tx, operatorId: string, id: string): Promise<ReviewRow | undefined> {
  const r = await repo.lock(tx, operatorId, id);
  return r && (await withConsents(tx, [r]))[0];
}

/** The rows with their inquiries' latest publication consents: a repeated form's supersedes the first. */
async function withConsents(tx: Tx, rows: readonly ReviewBaseRow[]): Promise<ReviewRow[]> {
  const consents = await latestConsentsOfInquiries(
    tx,
    'review_publication',
    rows.map((r) => ({ id: r.id, subjectId: r.subject_id })),
  );
  return rows.map((r) => {
    const c = consents.get(r.id);
    return {
      ...r,
      consent_id: c?.id ?? null,
      consent_show: c?.reviewShow ?? null,
      consent_withdrawn_at: c?.withdrawnAt ?? null,
    };
  });
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

function fieldsOf(key: Buffer, r: ReviewRow): Record<string, string | undefined> {
  return JSON.parse(openString(key, r.fields_enc, inquiryFieldsAad(r.id))) as Record<
    string,
    string | undefined
  >;
}

function ratingOf(fields: Record<string, string | undefined>): number | null {
  const n = Number(fields.rating);
  return Number.isInteger(n) && n >= 1 && n <= 5 ? n : null;
}

function consentOf(r: ReviewRow): ReviewConsentState {
  if (r.consent_id === null) return 'none';
  return r.consent_withdrawn_at !== null || r.review_withdrawn_at !== null ? 'withdrawn' : 'live';
}

function itemOf(r: ReviewRow, fields: Record<string, string | undefined>): ReviewItem {
  const consent = consentOf(r);
  const show = (r.consent_show as ReviewShow | null) ?? null;
  const text = fields.message?.trim();
  return {
    id: r.id,
    number: r.number,
    createdAt: r.created_at.toISOString(),
    state: r.state as ReviewState,
    text: text === undefined || text === '' ? null : text,
    rating: ratingOf(fields),
    consent,
    show,
    signatures: {
      given_first: show === null ? null : reviewSignature(fields.name, show, 'given_first'),
      surname_first: show === null ? null : reviewSignature(fields.name, show, 'surname_first'),
    },
    publishedAt: r.published_at?.toISOString() ?? null,
    decidedAt: r.decided_at?.toISOString() ?? null,
    unpublishReason: r.unpublish_reason,
    decidedBy: r.actor_id,
  };
}

function notFound(): AppError {
  return new AppError(ErrorCode.NotFound, 'Отзыв не найден / Review not found');
}

function destroyed(): AppError {
  return new AppError(
    ErrorCode.SubjectDestroyed,
    'Данные автора отзыва уничтожены / The author’s data was destroyed',
  );
}
