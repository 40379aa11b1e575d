/**
 * The integrators' API under /api/v1: query strings, bodies and answers as zod schemas. They are
 * the routes' validation, the handlers' types and the OpenAPI document's description at once.
 * Query strings and bodies are strict: an unknown parameter or field is a 400.
 *
 * @example
 *   const q = InquiryListQuery.parse({ status: 'new', limit: '20' }); // limit: 20
 */
import { z } from 'zod';
import {
  InboxItem,
  InboxSort,
  INBOX_MAX_LIMIT,
  InquiryChannel,
  InquiryKind,
  InquiryStatus,
  InquiryView,
  StatusReason,
} from '../modules/inquiries/index.ts';
import { SubjectDto } from '../modules/subjects/index.ts';

export const IdParams = z.strictObject({
  id: z.uuid().describe('Идентификатор / The id'),
});

/** `GET /api/v1/inquiries`: the inbox's filters and page, as query parameters. */
export const InquiryListQuery = z.strictObject({
  status: InquiryStatus.optional().describe('Статус / Status'),
  channel: InquiryChannel.optional().describe('Канал / Channel'),
  formId: InquiryKind.optional().describe('Форма или вид обращения / Form or kind'),
  siteId: z.uuid().optional().describe('Сайт / Site'),
  assignee: z
    .union([z.uuid(), z.literal('none')])
    .optional()
    .describe('Ответственный сотрудник, или none — без ответственного / Assignee, or none'),
  overdue: z
    .enum(['true', 'false'])
    .optional()
    .describe(
      'true — только новые, у которых истёк срок первого контакта / true: only new ones past their first-contact due time',
    ),
  sort: InboxSort.optional().describe(
    'newest — новые первыми (по умолчанию); due — по сроку первого контакта, просроченные первыми / ' +
      'newest first (default), or due: by first-contact due time, overdue first',
  ),
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(INBOX_MAX_LIMIT)
    .optional()
    .describe(`Размер страницы, 1–${INBOX_MAX_LIMIT}, по умолчанию 50 / Page size, default 50`),
  cursor: z
    .string()
    .max(200)
    .optional()
    .describe('nextCursor предыдущей страницы того же sort / The previous page’s nextCursor, same sort'),
});
export type InquiryListQuery = z.infer<typeof InquiryListQuery>;

export const InquiryPage = z.object({
  items: z.array(InboxItem),
  nextCursor: z
    .string()
    .nullable()
    .describe(
      'Передайте как cursor для следующей страницы; null на последней / Pass as cursor; null on the last page',
    ),
});

/** `POST /api/v1/inquiries/:id/status`. */
export const StatusChangeBody = z.strictObject({
  status: InquiryStatus,
  reason: StatusReason.optional().describe(
    'Обязателен для rejected и spam, недопустим для остальных / Required for rejected and spam, refused otherwise',
  ),
});
export type StatusChangeBody = z.infer<typeof StatusChangeBody>;

export const StatusChangeResult = z.object({
  status: InquiryStatus,
  changed: z
    .boolean()
    .describe('false — у обращения уже был этот статус / false: the inquiry already had this status'),
});

export { InquiryView, SubjectDto };

/** Every error answer: a code, a message (Russian / English), field problems, a correlation id. */
export const ApiError = z.object({
  error: z.object({
    code: z.string().describe('Код ошибки / Error code'),
    message: z.string(),
    fields: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
    correlationId: z.string().describe('Сообщите его в поддержку / Quote it to support'),
  }),
});
