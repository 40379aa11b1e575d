/**
 * What the public site needs from the policy and intake modules, as interfaces that the real
 * services satisfy structurally (the shared contract of issue 3). `webDepsOf(ctx)` picks them from
 * the context; tests may hand in others.
 */
import type {
  Cookie,
  DocumentKind,
  FieldName,
  FormDecl,
  FormId,
  PublishedDocument,
  PublishedPolicy,
} from '../modules/policy/index.ts';
import type { SafeHtml } from '../platform/http/html.ts';

export {
  DOCUMENT_KINDS,
  DOCUMENT_TITLES,
  documentPath,
  FIELD_NAMES,
  FORM_IDS,
} from '../modules/policy/index.ts';
export type { Cookie, DocumentKind, FieldName, FormDecl, FormId, PublishedDocument, PublishedPolicy };

export type ReviewShow = 'first_name_initial' | 'first_name' | 'anonymous';

/** IntakeService.submit's input (the contract); the intake module's own schema validates it. */
export interface IntakeInput {
  operatorId: string;
  siteId: string;
  formId: FormId;
  fields: Record<string, string>;
  consents: {
    processing: boolean;
    marketing: boolean;
    reviewPublication?: { allowed: boolean; show: ReviewShow };
  };
  onBehalf?: { representativeName: string; relation?: string };
  channel: 'web_form' | 'widget' | 'api';
  page: string;
  ip: string;
  userAgent: string;
  idempotencyKey: string;
  startedAt?: Date;
  honeypot?: string;
}

export type IntakeResult =
  | { kind: 'created'; inquiryId: string }
  | { kind: 'duplicate'; inquiryId: string }
  | { kind: 'invalid'; errors: Record<string, string> }
  | { kind: 'spam' }
  | { kind: 'rate_limited'; retryAfterSeconds: number };

export interface SitePolicy {
  current(operatorId: string): Promise<PublishedPolicy | undefined>;
  renderDocument(
    operatorId: string,
    kind: DocumentKind,
    version?: number,
  ): Promise<{ doc: PublishedDocument; html: SafeHtml } | undefined>;
  versions(operatorId: string, kind: DocumentKind): Promise<readonly PublishedDocument[]>;
  diff(operatorId: string, kind: DocumentKind, fromVersion: number, toVersion: number): Promise<SafeHtml>;
}

export interface SiteFormToken {
  operatorId: string;
  formId: FormId;
  issuedAt: Date;
  idempotencyKey: string;
}

export interface SiteIntake {
  submit(input: IntakeInput): Promise<IntakeResult>;
  issueFormToken(operatorId: string, formId: FormId): Promise<string>;
  readFormToken(token: string): Promise<SiteFormToken | undefined>;
}

export interface WebDeps {
  policy: SitePolicy;
  intake: SiteIntake;
}
