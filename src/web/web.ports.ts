/**
 * What the public site needs from the policy and intake modules: the few methods it calls (the
 * shared contract of issue 3), which PolicyService and IntakeService implement.
 */
import type {
  Cookie,
  DocumentKind,
  DocumentLang,
  FieldName,
  FormDecl,
  FormId,
  PublishedDocument,
  PublishedPolicy,
} from '../modules/policy/index.ts';
import type { FormToken, IntakeInput, IntakeResult, ReviewShow } from '../modules/inquiries/index.ts';
import type { OperatorsService } from '../modules/operators/index.ts';
import type { PublicReview, PublicReviewPage } from '../modules/reviews/index.ts';
import type { SafeHtml } from '../platform/http/html.ts';

export {
  DOCUMENT_KINDS,
  DOCUMENT_TITLES,
  documentPath,
  FIELD_NAMES,
  FORM_IDS,
} from '../modules/policy/index.ts';
export type {
  Cookie,
  DocumentKind,
  DocumentLang,
  FieldName,
  FormDecl,
  FormId,
  PublishedDocument,
  PublishedPolicy,
};
export type { IntakeInput, IntakeResult, ReviewShow, PublicReview, PublicReviewPage };
export { MAX_PAGE as MAX_REVIEWS_PAGE } from '../modules/reviews/index.ts';

export interface SitePolicy {
  current(operatorId: string): Promise<PublishedPolicy | undefined>;
  /** The version in force without `version`; NotFound (AppError) when there is no such version. */
  renderDocument(
    operatorId: string,
    kind: DocumentKind,
    version: number | undefined,
    lang: DocumentLang,
  ): Promise<{ doc: PublishedDocument; html: SafeHtml }>;
  versions(operatorId: string, kind: DocumentKind, lang: DocumentLang): Promise<readonly PublishedDocument[]>;
  diff(
    operatorId: string,
    kind: DocumentKind,
    fromVersion: number,
    toVersion: number,
    lang: DocumentLang,
  ): Promise<SafeHtml>;
}

export interface SiteIntake {
  submit(input: IntakeInput): Promise<IntakeResult>;
  issueFormToken(operatorId: string, formId: FormId): Promise<string>;
  readFormToken(token: string): Promise<FormToken | undefined>;
}

/** The operator's published reviews, newest first (ReviewsService implements it, cached briefly). */
export interface SiteReviews {
  published(operatorId: string, page: number): Promise<PublicReviewPage>;
}

export interface WebDeps {
  /** The clinic a request's Host names (the operators module remembers answers briefly). */
  sites: Pick<OperatorsService, 'findByHost'>;
  policy: SitePolicy;
  intake: SiteIntake;
  reviews: SiteReviews;
  /** Whether e-mail goes out (SMTP configured): only then does the thank-you page promise one. */
  sendsEmail: boolean;
}
