/**
 * Working inquiries: the inbox across the operators a staff member may read (ids and codes, nothing
 * decrypted), one inquiry decrypted with its consents and history (audited as `inquiry.read`),
 * status changes, notes and assignment, each an event in the inquiry's history and an audit entry
 * in the same transaction.
 *
 * Access: the inbox is scoped to the operators where the principal holds `inquiry.read`; asking
 * for another operator is Forbidden. For one inquiry, a principal without any role at the operator
 * gets NotFound, as for an unknown id or another operator's inquiry, so an id never tells whether
 * it exists; one with a role there but without the permission for the action gets Forbidden.
 *
 * Notes are free text that may describe the patient's health: they are sealed under the subject's
 * data key (AAD `inquiry_event:<id>:note`) and shredded with the subject. Logs and errors carry ids
 * and codes only.
 *
 * @example
 *   const page = await inquiries.list(principal, { status: 'new', limit: 50 });
 *   const more = await inquiries.list(principal, { status: 'new', cursor: page.nextCursor! });
 *   const hers = await inquiries.search(principal, operatorId, { phone: '8 912 345-67-89' }); // blind index
 *   const view = await inquiries.get(principal, operatorId, inquiryId); // audited
 *   await inquiries.changeStatus(principal, operatorId, inquiryId, { to: 'rejected', reason: 'duplicate' });
 *   await inquiries.addNote(principal, operatorId, inquiryId, 'Перезвонить после 18:00');
 *   await inquiries.assign(principal, operatorId, inquiryId, staffId);
 */
import type { Clock } from '../../platform/clock.ts';
import { openString, sealString } from '../../platform/crypto/aead.ts';
import { normalizeEmail, normalizePhone } from '../../platform/crypto/blind-index.ts';
import type { Database, Tx } from '../../platform/db/database.ts';
import { AppError, ErrorCode } from '../../platform/errors.ts';
import { isUuid, type Ids } from '../../platform/ids.ts';
import type { Logger } from '../../platform/logger.ts';
import { parseInput } from '../../platform/validation.ts';
import type { AuditService } from '../audit/index.ts';
import { consentRepresentativeAad, consentsOfInquiry, type ConsentEntry } from '../consent/index.ts';
import type { KeyringService } from '../keyring/index.ts';
import type { FormId } from '../policy/index.ts';
import {
  actorOf,
  auditEntryBy,
  can,
  operatorsWith,
  requirePermission,
  roleGrants,
  ROLES,
  type Permission,
  type Principal,
  type Role,
} from '../staff/index.ts';
import { decryptSubjectRow, type SubjectsService } from '../subjects/index.ts';
import type { InquiryEvents } from './inquiries.ports.ts';
import { inquiryFieldsAad, inquiryNoteAad } from './open-inquiry.ts';
import type { IntakeChannel, ReviewShow } from './inquiries.schemas.ts';
import {
  workflowRepository as repo,
  type EventRow,
  type InboxQuery,
  type InboxRow,
  type InquiryDetailRow,
} from './workflow.repository.ts';
import {
  ChangeStatusInput,
  INQUIRY_STATUSES,
  InboxFilter,
  InboxPageInput,
  InboxSearch,
  InboxSearchPage,
  INBOX_EXPORT_MAX_ROWS,
  NoteText,
  STATUSES_WITH_REASON,
  type AssigneeOption,
  type AssignResult,
  type DeliveryView,
  type InboxExportRow,
  type InboxSort,
  type InboxItem,
  type InboxPage,
  type InquiryStatus,
  type InquiryView,
  type StatusChangeResult,
  type StatusCounts,
  type StatusReason,
} from './workflow.schemas.ts';

export interface InquiriesDeps {
  db: Database;
  keyring: Pick<KeyringService, 'getDataKey' | 'getDataKeys'>;
  /** Blind-index lookups for the inbox search (audited there as `subject.search`). */
  subjects: Pick<SubjectsService, 'lookup' | 'confirmLookup'>;
  audit: AuditService;
  clock: Clock;
  ids: Ids;
  log?: Logger;
  /** Outgoing webhooks: queues `inquiry.status_changed` inside the change's transaction. */
  events?: InquiryEvents;
  /** Patient notifications: queues the status notices inside the change's transaction. */
  notifier?: {
    statusChanged(
      tx: Tx,
      e: { operatorId: string; inquiryId: string; subjectId: string; from: string; to: string; at: Date },
    ): Promise<void>;
  };
}

const CURSOR_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

/** Keyset positions of the two orders; a cursor of one order is refused by the other. */
type After =
  { sort: 'newest'; createdKey: string; id: string } | { sort: 'due'; dueKey: string | null; id: string };

// Audit entries staged per statement in an export (ten parameters each, well under PostgreSQL's 65535).
const EXPORT_AUDIT_CHUNK = 500;

export class InquiriesService {
  constructor(private readonly deps: InquiriesDeps) {}

  /**
   * One page of the inbox: the inquiries of every operator where the principal may read them (or
   * of `filter.operatorId`, Forbidden if not one of those), newest first. Nothing is decrypted.
   */
  async list(principal: Principal, input: InboxPageInput = {}): Promise<InboxPage> {
    const f = parseInput(InboxPageInput, input);
    const after = f.cursor === undefined ? undefined : decodeCursor(f.cursor, f.sort);
    return this.page(this.inboxQuery(principal, f), f.limit, f.sort, after);
  }

  /**
   * The inbox of one patient at one operator: the inquiries of the subjects whose phone (any usual
   * spelling) or e-mail (any case) is exactly this one, found by blind index in the keyring, so
   * nothing is decrypted or scanned. Paged and filtered like `list`, with the same items.
   *
   * Forbidden like `list` for an operator where the principal may not read inquiries, and without
   * `subject.search` there. ValidationFailed for a malformed phone or e-mail; the error never
   * repeats it. The lookup is audited by the subjects module (`subject.search`: one entry per
   * subject found, one without a subject when none is); the page shows ids and codes only, as the
   * inbox does, so it adds no entry of its own. Every page asks again, so every page is on record.
   */
  async search(
    principal: Principal,
    operatorId: string,
    by: InboxSearch,
    input: InboxSearchPage = {},
  ): Promise<InboxPage> {
    const f = parseInput(InboxSearchPage, input);
    const q = this.inboxQuery(principal, { ...f, operatorId });
    requirePermission(principal, 'subject.search', operatorId);
    const key = searchKey(by);
    // Before the lookup, so a bad cursor does not leave a search on record.
    const after = f.cursor === undefined ? undefined : decodeCursor(f.cursor, f.sort);
    // The keyring first, so no data connection waits on it; then one transaction confirms the
    // subjects, puts the search on record and reads the page.
    const { subjects } = this.deps;
    const lookup = await subjects.lookup(principal, operatorId, key);
    const now = this.deps.clock.now();
    const rows = await this.deps.db.scoped([operatorId], async (tx) => {
      const found = await subjects.confirmLookup(tx, principal, lookup);
      if (found.length === 0) return [];
      return this.pageRows(tx, { ...q, subjectIds: found.map((s) => s.id) }, f.limit, f.sort, after);
    });
    return this.pageOf(rows, f.limit, f.sort, now);
  }

  /** One keyset page of the query in its order. */
  private async page(
    q: InboxQuery,
    limit: number,
    sort: InboxSort,
    after: After | undefined,
  ): Promise<InboxPage> {
    const now = this.deps.clock.now();
    const rows = await this.deps.db.scoped(q.operatorIds, (tx) => this.pageRows(tx, q, limit, sort, after));
    return this.pageOf(rows, limit, sort, now);
  }

  /** The rows of a page, one more than `limit` when a page follows. */
  private pageRows(
    tx: Tx,
    q: InboxQuery,
    limit: number,
    sort: InboxSort,
    after: After | undefined,
  ): Promise<InboxRow[]> {
    return sort === 'due'
      ? repo.listPageByDue(tx, q, limit + 1, after?.sort === 'due' ? after : undefined)
      : repo.listPage(tx, q, limit + 1, after?.sort === 'newest' ? after : undefined);
  }

  private pageOf(rows: InboxRow[], limit: number, sort: InboxSort, now: Date): InboxPage {
    const items = rows.slice(0, limit);
    const last = items[items.length - 1];
    return {
      items: items.map((r) => inboxItemOf(r, now)),
      nextCursor: rows.length > limit && last ? encodeCursor(last, sort) : null,
    };
  }

  /**
   * The filter's inquiries with their patients' names, phones and e-mails decrypted, newest first,
   * for a CSV export: needs `inquiry.export` at every operator it covers (without an operator in
   * the filter, those where the principal holds it). Every inquiry exported is an `inquiry.export`
   * audit entry (ids only) in the transaction that read it, so each patient's record shows who
   * took their contacts out. More than `maxRows` inquiries are refused (ValidationFailed), nothing
   * read or written: the export is bounded, never silently cut short.
   */
  async export(
    principal: Principal,
    input: InboxFilter = {},
    opts: { maxRows?: number } = {},
  ): Promise<InboxExportRow[]> {
    const f = parseInput(InboxFilter, input);
    const q = this.inboxQuery(principal, f);
    const allowed = q.operatorIds.filter((op) => can(principal, 'inquiry.export', op));
    if (f.operatorId !== undefined) requirePermission(principal, 'inquiry.export', f.operatorId);
    if (allowed.length === 0) {
      throw new AppError(ErrorCode.Forbidden, 'Нет права на выгрузку обращений / No export permission');
    }
    const scoped: InboxQuery = { ...q, operatorIds: allowed };
    const maxRows = opts.maxRows ?? INBOX_EXPORT_MAX_ROWS;
    const { db, keyring, audit, clock } = this.deps;
    const now = clock.now();
    const result = await db.scoped(allowed, async (tx) => {
      const rows = await repo.exportRows(tx, scoped, maxRows + 1);
      if (rows.length > maxRows) throw tooManyToExport(maxRows);
      const keys = await keyring.getDataKeys([...new Set(rows.map((r) => r.subject_id))]);
      const out = rows.map((r): InboxExportRow => {
        const key = keys.get(r.subject_id);
        const subject = key
          ? decryptSubjectRow(key, {
              id: r.subject_id,
              operator_id: r.operator_id,
              name_enc: r.subject_name_enc,
              phone_enc: r.subject_phone_enc,
              email_enc: r.subject_email_enc,
              created_at: r.subject_created_at,
              updated_at: r.subject_updated_at,
            })
          : { name: null, phone: null, email: null };
        return {
          ...inboxItemOf(r, now),
          subjectId: r.subject_id,
          name: subject.name,
          phone: subject.phone,
          email: subject.email,
        };
      });
      for (let i = 0; i < rows.length; i += EXPORT_AUDIT_CHUNK) {
        const entries = rows
          .slice(i, i + EXPORT_AUDIT_CHUNK)
          .map((r) => this.entry(principal, 'inquiry.export', r.operator_id, r.id, r.subject_id));
        await audit.recordAll(tx, entries);
      }
      return out;
    });
    this.deps.log?.info({ operatorIds: allowed, count: result.length }, 'inquiries exported');
    return result;
  }

  /**
   * The staff an inquiry of these operators may be assigned to (enabled accounts whose role there
   * reads inquiries), by name; the operators default to those where the principal reads inquiries.
   * Forbidden for an operator where the principal may not.
   */
  async assignees(principal: Principal, operatorIds?: readonly string[]): Promise<AssigneeOption[]> {
    const ids = operatorIds ?? operatorsWith(principal, 'inquiry.read');
    for (const op of ids) requirePermission(principal, 'inquiry.read', op);
    if (ids.length === 0) return [];
    const roles = ROLES.filter((r) => roleGrants(r, 'inquiry.read'));
    const rows = await this.deps.db.scoped(ids, (tx) => repo.assignableStaff(tx, ids, roles));
    return rows.map((r) => ({ staffId: r.staff_id, operatorId: r.operator_id, displayName: r.display_name }));
  }

  /**
   * The messages queued to the patient about this inquiry and how their delivery went (channel,
   * template, state, attempts, last error, times), oldest first. Nothing is decrypted, so nothing
   * is audited beyond the inquiry's own read. NotFound as for `get`.
   */
  async deliveries(principal: Principal, operatorId: string, inquiryId: string): Promise<DeliveryView[]> {
    this.requireAccess(principal, 'inquiry.read', operatorId, inquiryId);
    const rows = await this.deps.db.scoped([operatorId], async (tx) => {
      if (!(await repo.subjectOf(tx, operatorId, inquiryId))) throw notFound();
      return repo.deliveriesOf(tx, operatorId, inquiryId);
    });
    return rows.map((r) => ({
      id: r.id,
      channel: r.channel,
      template: r.template,
      state: r.state as DeliveryView['state'],
      attempts: r.attempts,
      lastError: r.last_error,
      createdAt: r.created_at.toISOString(),
      sentAt: r.sent_at?.toISOString() ?? null,
      nextAttemptAt: r.next_attempt_at.toISOString(),
    }));
  }

  /** How many inquiries of the filter have each status (the filter's own status is ignored). */
  async countsByStatus(principal: Principal, input: InboxFilter = {}): Promise<StatusCounts> {
    const f = parseInput(InboxFilter, input);
    const q = this.inboxQuery(principal, f);
    const rows = await this.deps.db.scoped(q.operatorIds, (tx) => repo.countByStatus(tx, q));
    const counts = Object.fromEntries(INQUIRY_STATUSES.map((s) => [s, 0])) as StatusCounts;
    for (const r of rows) counts[r.status as InquiryStatus] = Number(r.n);
    return counts;
  }

  /**
   * The inquiry decrypted: what the patient typed, the subject's name, phone and e-mail, the
   * consents given with it, its history with notes, its assignee. Writes one `inquiry.read` audit
   * entry. NotFound for an unknown id or another operator's inquiry; SubjectDestroyed (410) while
   * the subject is being destroyed (its key is gone; once destroyed, the inquiry is gone too).
   */
  async get(principal: Principal, operatorId: string, inquiryId: string): Promise<InquiryView> {
    this.requireAccess(principal, 'inquiry.read', operatorId, inquiryId);
    const { db, keyring, audit } = this.deps;
    return db.scoped([operatorId], async (tx) => {
      const row = await repo.findDetail(tx, operatorId, inquiryId);
      if (!row) throw notFound();
      const key = await keyring.getDataKey(row.subject_id);
      if (!key) throw destroyed();
      const consents = await consentsOfInquiry(tx, operatorId, inquiryId);
      const events = await repo.eventsOf(tx, operatorId, inquiryId);
      const view = viewOf(key, row, consents, events, this.deps.clock.now());
      await audit.record(tx, this.entry(principal, 'inquiry.read', operatorId, inquiryId, row.subject_id));
      return view;
    });
  }

  /**
   * Moves the inquiry to another status. `reason` (a code) is required for rejected and spam and
   * refused for the others. The same status again changes nothing and writes nothing.
   */
  async changeStatus(
    principal: Principal,
    operatorId: string,
    inquiryId: string,
    input: ChangeStatusInput,
  ): Promise<StatusChangeResult> {
    this.requireAccess(principal, 'inquiry.update', operatorId, inquiryId);
    const { to, reason } = parseInput(ChangeStatusInput, input);
    checkReason(to, reason);
    const { db, clock, ids, audit } = this.deps;
    const result = await db.scoped(
      [operatorId],
      async (tx): Promise<StatusChangeResult & { from?: string }> => {
        const row = await repo.lock(tx, operatorId, inquiryId);
        if (!row) throw notFound();
        if (row.status === to) return { status: to, changed: false };
        const at = clock.now();
        await repo.insertEvent(tx, {
          ...this.event(principal, operatorId, inquiryId, ids.uuid(), at),
          kind: 'status',
          from_status: row.status,
          to_status: to,
          reason: reason ?? null,
        });
        await repo.updateStatus(tx, operatorId, inquiryId, to, at);
        await audit.record(
          tx,
          this.entry(principal, 'inquiry.status', operatorId, inquiryId, row.subject_id),
        );
        await this.deps.events?.emit(tx, {
          operatorId,
          type: 'inquiry.status_changed',
          inquiryId,
          data: { from: row.status, to, reason: reason ?? null, at: at.toISOString() },
        });
        await this.deps.notifier?.statusChanged(tx, {
          operatorId,
          inquiryId,
          subjectId: row.subject_id,
          from: row.status,
          to,
          at,
        });
        return { status: to, changed: true, from: row.status };
      },
    );
    if (result.changed) {
      this.deps.log?.info({ operatorId, inquiryId, from: result.from, to, reason }, 'inquiry status changed');
    }
    return { status: result.status, changed: result.changed };
  }

  /** Adds a note (1..5000 characters, line breaks allowed) to the inquiry's history, encrypted. */
  async addNote(
    principal: Principal,
    operatorId: string,
    inquiryId: string,
    text: string,
  ): Promise<{ eventId: string }> {
    this.requireAccess(principal, 'inquiry.update', operatorId, inquiryId);
    const note = parseInput(NoteText, text, 'Заметка не прошла проверку / The note is not valid');
    const { db, clock, ids, audit, keyring } = this.deps;
    const eventId = ids.uuid();
    await db.scoped([operatorId], async (tx) => {
      // Share-locked: a destruction of the subject waits until this note is written, then removes it.
      const subjectId = await repo.subjectOf(tx, operatorId, inquiryId);
      if (!subjectId) throw notFound();
      const key = await keyring.getDataKey(subjectId);
      if (!key) throw destroyed();
      await repo.insertEvent(tx, {
        ...this.event(principal, operatorId, inquiryId, eventId, clock.now()),
        kind: 'note',
        note_enc: sealString(key, note, inquiryNoteAad(eventId)),
      });
      await audit.record(tx, this.entry(principal, 'inquiry.note', operatorId, inquiryId, subjectId));
    });
    this.deps.log?.info({ operatorId, inquiryId, eventId }, 'inquiry note added');
    return { eventId };
  }

  /**
   * Assigns the inquiry to a staff member who may work the operator's inquiries (an enabled account
   * with a role there that reads them), or unassigns it with null. ValidationFailed for anyone
   * else. The same assignee again changes nothing.
   */
  async assign(
    principal: Principal,
    operatorId: string,
    inquiryId: string,
    staffId: string | null,
  ): Promise<AssignResult> {
    this.requireAccess(principal, 'inquiry.update', operatorId, inquiryId);
    if (staffId !== null && !isUuid(staffId)) throw notAssignable();
    const { db, clock, ids, audit } = this.deps;
    const result = await db.scoped([operatorId], async (tx): Promise<AssignResult> => {
      const row = await repo.lock(tx, operatorId, inquiryId);
      if (!row) throw notFound();
      if (staffId !== null) {
        const roles = await repo.activeRolesAt(tx, staffId, operatorId);
        if (!roles.some((r) => roleGrants(r as Role, 'inquiry.read'))) throw notAssignable();
      }
      if (row.assignee_staff_id === staffId) return { assigneeStaffId: staffId, changed: false };
      await repo.insertEvent(tx, {
        ...this.event(principal, operatorId, inquiryId, ids.uuid(), clock.now()),
        kind: 'assign',
        assignee_staff_id: staffId,
      });
      await repo.updateAssignee(tx, operatorId, inquiryId, staffId);
      await audit.record(tx, this.entry(principal, 'inquiry.assign', operatorId, inquiryId, row.subject_id));
      return { assigneeStaffId: staffId, changed: true };
    });
    if (result.changed) {
      this.deps.log?.info({ operatorId, inquiryId, assigneeStaffId: staffId }, 'inquiry assigned');
    }
    return result;
  }

  /**
   * No role at all at the operator reads as NotFound, like an unknown id, so that nothing about the
   * inquiry is confirmed to someone outside the operator; a role without this permission (a
   * moderator, a privacy officer updating) is Forbidden.
   */
  private requireAccess(
    principal: Principal,
    permission: Permission,
    operatorId: string,
    inquiryId: string,
  ): void {
    if (!isUuid(operatorId) || !isUuid(inquiryId) || !hasAnyRole(principal, operatorId)) throw notFound();
    requirePermission(principal, permission, operatorId);
  }

  /** The operators of the inbox: those the principal may read, or the one asked for. */
  private inboxQuery(principal: Principal, f: ReturnType<typeof InboxFilter.parse>): InboxQuery {
    const allowed = operatorsWith(principal, 'inquiry.read');
    if (f.operatorId !== undefined && !allowed.includes(f.operatorId)) {
      throw new AppError(ErrorCode.Forbidden, 'Нет доступа к обращениям этого оператора / No access');
    }
    const operatorIds = f.operatorId !== undefined ? [f.operatorId] : allowed;
    if (operatorIds.length === 0) {
      throw new AppError(ErrorCode.Forbidden, 'Нет доступа к обращениям / No access to inquiries');
    }
    return {
      operatorIds,
      siteId: f.siteId,
      formId: f.formId,
      channel: f.channel,
      status: f.status,
      assignee: f.assignee,
      dueBefore: f.overdue ? this.deps.clock.now() : undefined,
    };
  }

  private event(
    principal: Principal,
    operatorId: string,
    inquiryId: string,
    id: string,
    at: Date,
  ): Omit<EventRow, 'kind'> {
    const actor = actorOf(principal);
    return {
      id,
      operator_id: operatorId,
      inquiry_id: inquiryId,
      at,
      from_status: null,
      to_status: null,
      reason: null,
      note_enc: null,
      assignee_staff_id: null,
      actor_type: actor.type,
      actor_id: actor.id,
      ref_id: null,
    };
  }

  private entry(
    principal: Principal,
    action: string,
    operatorId: string,
    inquiryId: string,
    subjectId: string,
  ) {
    return auditEntryBy(principal, action, {
      objectType: 'inquiry',
      objectId: inquiryId,
      subjectId,
      operatorId,
    });
  }
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

/**
 * The search's value normalised for the blind index (E.164, or the e-mail trimmed and lower-cased).
 * The messages name the field, never its value.
 */
function searchKey(by: InboxSearch): { phone: string } | { email: string } {
  const s = parseInput(
    InboxSearch,
    by,
    'Укажите для поиска телефон или адрес электронной почты / Give a phone or an e-mail to search by',
  );
  try {
    return 'phone' in s ? { phone: normalizePhone(s.phone).e164 } : { email: normalizeEmail(s.email) };
  } catch (e) {
    if (!(e instanceof AppError) || e.code !== ErrorCode.ValidationFailed) throw e;
    throw new AppError(
      ErrorCode.ValidationFailed,
      'phone' in s
        ? 'Номер телефона для поиска указан неверно / The phone number to search by is not valid'
        : 'Адрес электронной почты для поиска указан неверно / The e-mail address to search by is not valid',
      e.details,
    );
  }
}

function checkReason(to: InquiryStatus, reason: StatusReason | undefined): void {
  if (STATUSES_WITH_REASON.has(to) && reason === undefined) {
    throw new AppError(
      ErrorCode.ValidationFailed,
      'Укажите причину: она обязательна для статусов «Отклонено» и «Спам» / A reason is required',
      { fields: [{ path: 'reason', message: 'Укажите причину / Give a reason' }] },
    );
  }
  if (!STATUSES_WITH_REASON.has(to) && reason !== undefined) {
    throw new AppError(
      ErrorCode.ValidationFailed,
      'Причина указывается только для статусов «Отклонено» и «Спам» / A reason is only for rejected and spam',
      { fields: [{ path: 'reason', message: 'Причина здесь не нужна / No reason here' }] },
    );
  }
}

function inboxItemOf(r: InboxRow, now: Date): InboxItem {
  return {
    id: r.id,
    number: r.number,
    operatorId: r.operator_id,
    siteId: r.site_id,
    formId: r.form_id as FormId,
    channel: r.channel as IntakeChannel,
    status: r.status as InquiryStatus,
    statusChangedAt: r.status_changed_at?.toISOString() ?? null,
    assigneeStaffId: r.assignee_staff_id,
    possibleHealthData: r.possible_health_data,
    onBehalf: r.on_behalf,
    createdAt: r.created_at.toISOString(),
    firstContactDueAt: r.first_contact_due_at?.toISOString() ?? null,
    overdue:
      r.status === 'new' &&
      r.first_contact_due_at !== null &&
      r.first_contact_due_at.getTime() < now.getTime(),
  };
}

function viewOf(
  key: Buffer,
  row: InquiryDetailRow,
  consents: readonly ConsentEntry[],
  events: Awaited<ReturnType<typeof repo.eventsOf>>,
  now: Date,
): InquiryView {
  const subject = decryptSubjectRow(key, {
    id: row.subject_id,
    operator_id: row.operator_id,
    name_enc: row.subject_name_enc,
    phone_enc: row.subject_phone_enc,
    email_enc: row.subject_email_enc,
    created_at: row.subject_created_at,
    updated_at: row.subject_updated_at,
  });
  return {
    ...inboxItemOf(row, now),
    subjectId: row.subject_id,
    page: row.page,
    fields: JSON.parse(openString(key, row.fields_enc, inquiryFieldsAad(row.id))) as Record<string, string>,
    subject: { name: subject.name, phone: subject.phone, email: subject.email },
    assignee:
      row.assignee_staff_id !== null
        ? { staffId: row.assignee_staff_id, displayName: row.assignee_name ?? '' }
        : null,
    consents: consents.map((c) => ({
      id: c.id,
      kind: c.kind,
      documentId: c.documentId,
      documentVersion: c.documentVersion,
      documentSha256: c.documentSha256,
      policyVersion: c.policyVersion,
      givenAt: c.givenAt.toISOString(),
      channel: c.channel,
      formId: c.formId,
      reviewShow: c.reviewShow as ReviewShow | null,
      representative:
        c.representativeEnc === null
          ? null
          : (JSON.parse(openString(key, c.representativeEnc, consentRepresentativeAad(c.id))) as {
              name: string;
              relation?: string;
            }),
    })),
    events: events.map((e) => ({
      id: e.id,
      at: e.at.toISOString(),
      kind: e.kind,
      fromStatus: e.from_status as InquiryStatus | null,
      toStatus: e.to_status as InquiryStatus | null,
      reason: e.reason as StatusReason | null,
      note: e.note_enc === null ? null : openString(key, e.note_enc, inquiryNoteAad(e.id)),
      assigneeStaffId: e.assignee_staff_id,
      actorType: e.actor_type,
      actorId: e.actor_id,
      actorName: e.actor_name,
      refId: e.ref_id,
    })),
  };
}

/**
 * The keyset of the last row shown, base64url: `<created_at with microseconds>|<id>` newest first,
 * `due|<due time with microseconds, or empty>|<id>` by due time.
 */
function encodeCursor(r: InboxRow, sort: InboxSort): string {
  const text = sort === 'due' ? `due|${r.due_key ?? ''}|${r.id}` : `${r.created_key}|${r.id}`;
  return Buffer.from(text, 'utf8').toString('base64url');
}

function decodeCursor(cursor: string, sort: InboxSort): After {
  const parts = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  if (sort === 'due') {
    const [tag, dueKey, id, ...rest] = parts;
    const validDue = dueKey === '' || (dueKey !== undefined && CURSOR_TIME.test(dueKey));
    if (tag === 'due' && validDue && id && isUuid(id) && rest.length === 0) {
      return { sort, dueKey: dueKey === '' ? null : dueKey, id };
    }
  } else {
    const [createdKey, id, ...rest] = parts;
    if (rest.length === 0 && createdKey && CURSOR_TIME.test(createdKey) && id && isUuid(id)) {
      return { sort, createdKey, id };
    }
  }
  throw new AppError(ErrorCode.ValidationFailed, 'Неверный курсор страницы / Malformed page cursor', {
    fields: [{ path: 'cursor', message: 'Неверный курсор / Malformed cursor' }],
  });
}

function tooManyToExport(max: number): AppError {
  return new AppError(
    ErrorCode.ValidationFailed,
    `Слишком много обращений для выгрузки (больше ${max}): сузьте фильтр / ` +
      `Too many inquiries to export (more than ${max}): narrow the filter`,
    { fields: [{ path: 'filter', message: 'Слишком много обращений / Too many inquiries' }] },
  );
}

function notFound(): AppError {
  return new AppError(ErrorCode.NotFound, 'Обращение не найдено / Inquiry not found');
}

function destroyed(): AppError {
  return new AppError(
    ErrorCode.SubjectDestroyed,
    'Данные пациента уничтожены / The patient’s data was destroyed',
  );
}

function notAssignable(): AppError {
  return new AppError(
    ErrorCode.ValidationFailed,
    'Этому сотруднику нельзя назначить обращение: у него нет доступа к обращениям оператора / ' +
      'This staff member cannot be assigned: no access to the operator’s inquiries',
    { fields: [{ path: 'staffId', message: 'Недоступный сотрудник / Not assignable' }] },
  );
}
