export { ReviewsService, reviewAad, REVIEWS_CACHE_TTL_MS, type ReviewsDeps } from './reviews.service.ts';
export { reviewSignature } from './review-signature.ts';
export {
  MAX_PAGE,
  NameOrder,
  PUBLIC_PAGE_SIZE,
  PublishInput,
  REVIEW_PAGE_SIZE,
  REVIEW_STATES,
  ReviewQueueInput,
  ReviewShow,
  ReviewState,
  type ModerationResult,
  type PublicReview,
  type PublicReviewPage,
  type ReviewConsentState,
  type ReviewCounts,
  type ReviewItem,
  type ReviewQueuePage,
} from './reviews.schemas.ts';
export { reviewsDataPart } from './reviews.data-part.ts';
