/**
 * The inbox's URL parameters and forms, and the inquiry page's forms. The filter travels in the
 * query string (ids and codes only); the search's phone or e-mail only ever in a POST body, never
 * in a URL. Empty values from a form's "any" choice count as absent. Bodies are strict: an unknown
 * field is a 400. `_csrf` is checked before these run (requireCsrf is a preValidation hook).
 */
import { z } from 'zod';
import {
  InboxSort,
  InquiryChannel,
  InquiryKind,
  InquiryStatus,
  NOTE_MAX_CHARS,
  StatusReason,
} from '../../modules/inquiries/index.ts';

const csrf = z.string().max(200);
const blank = (v: unknown): unknown => (v === '' ? undefined : v);
const optional = <T extends z.ZodType>(schema: T) => z.preprocess(blank, schema.optional());

/** The inbox's filter as a form sends it (query string of GET /console, hidden fields of exports). */
const filterFields = {
  operator: optional(z.uuid()),
  site: optional(z.uuid()),
  kind: optional(InquiryKind),
  channel: optional(InquiryChannel),
  /** Absent: the new ones (the agents' work queue); `all`: every status. */
  status: optional(z.union([InquiryStatus, z.literal('all')])),
  assignee: optional(z.enum(['me', 'none'])),
  overdue: optional(z.literal('1')),
  /** Absent: by due time for new inquiries, newest first otherwise. */
  sort: optional(InboxSort),
};

export const InboxQuery = z.object({
  ...filterFields,
  cursor: optional(z.string().max(200)),
  /** A notice after a redirect, by key (never free text). */
  m: z.string().max(40).optional(),
});
export type InboxQuery = z.output<typeof InboxQuery>;

export const ExportForm = z.strictObject({ _csrf: csrf, ...filterFields });

/** The search: one phone or e-mail, and which operator to search when the person has several. */
export const SearchForm = z.strictObject({
  _csrf: csrf,
  q: z.string().max(320),
  operator: optional(z.uuid()),
  cursor: optional(z.string().max(200)),
});

/** Ids are checked by the service, so a malformed one is a 404 like an unknown one. */
export const InquiryParams = z.object({
  operatorId: z.string().max(64),
  inquiryId: z.string().max(64),
});

export const InquiryNoticeQuery = z.object({ m: z.string().max(40).optional() });

export const StatusForm = z.strictObject({
  _csrf: csrf,
  to: InquiryStatus,
  reason: optional(StatusReason),
});

export const NoteForm = z.strictObject({
  _csrf: csrf,
  // Above the service's limit, so that a long note comes back as a field error, not a bare 400.
  text: z.string().max(NOTE_MAX_CHARS * 4),
});

/** `me`, `none` (unassign) or a staff id; the service checks the staff member may be assigned. */
export const AssignForm = z.strictObject({
  _csrf: csrf,
  assignee: z.union([z.enum(['me', 'none']), z.uuid()]),
});
