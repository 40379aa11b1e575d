export {
  IntakeService,
  requestHashOf,
  type IntakeDeps,
  type IntakeLimits,
  type PolicySource,
} from './intake.service.ts';
export {
  IntakeInput,
  IntakeChannel,
  IntakeConsents,
  OnBehalf,
  INQUIRY_CONFIRMATION_TEMPLATE,
  ReviewShow,
  type IntakeResult,
  type SpamReason,
} from './inquiries.schemas.ts';
export { validateFields, type FieldValues, type FieldErrors } from './fields.ts';
export { FORM_TOKEN_TTL_MS, type FormToken } from './form-token.ts';
export {
  embedWidget,
  type EmbedPorts,
  resolveEmbedSite,
  frameAncestorsOf,
  EMBED_SCRIPT_PATH,
  EMBED_FRAME_SCRIPT_PATH,
  EMBED_FORMS_PREFIX,
} from './embed.routes.ts';
export { PURGE_INTAKE_RATE, purgeIntakeRateJob } from './purge-intake-rate.job.ts';
export { FOLD_STATUS_COUNTS, foldStatusCountsJob } from './fold-status-counts.job.ts';
export { InquiriesService, type InquiriesDeps } from './inquiries.service.ts';
export {
  openInquiry,
  findOpenInquiry,
  addInquiryEvent,
  inquiryFieldsAad,
  inquiryNoteAad,
  inquiryReplyToAad,
  type OpenInquiryDeps,
  type NewInquiry,
  type NewInquiryEvent,
  type OpenedInquiry,
  type OpenInquiry,
} from './open-inquiry.ts';
export {
  INQUIRY_EVENT_TYPES,
  type InquiryEvent,
  type InquiryEvents,
  type InquiryEventType,
} from './inquiries.ports.ts';
export {
  InquiryStatus,
  INQUIRY_STATUSES,
  INQUIRY_STATUS_TITLES,
  StatusReason,
  STATUS_REASONS,
  STATUS_REASON_TITLES,
  STATUSES_WITH_REASON,
  ChangeStatusInput,
  NoteText,
  NOTE_MAX_CHARS,
  InboxFilter,
  InboxPageInput,
  InboxSearch,
  InboxSearchPage,
  INBOX_MAX_LIMIT,
  InboxItem,
  InquiryView,
  ConsentView,
  InquiryEventView,
  InquiryChannel,
  INQUIRY_CHANNELS,
  MessagingChannel,
  MESSAGING_CHANNELS,
  InquiryKind,
  INQUIRY_KINDS,
  InboxSort,
  INBOX_SORTS,
  INBOX_EXPORT_MAX_ROWS,
  DeliveryView,
  AssigneeOption,
  type InboxExportRow,
  type InboxPage,
  type StatusCounts,
  type StatusChangeResult,
  type AssignResult,
} from './workflow.schemas.ts';
export { inquiriesDataPart, subjectInquiryIndex } from './inquiries.data-part.ts';
