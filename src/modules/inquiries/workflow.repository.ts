/**
 * Data access for working inquiries: the inbox (keyset pages and counts), one inquiry with its
 * subject's ciphertext, consents and history, status and assignee updates, events. Every function
 * takes a Tx scoped to the operators concerned (inquiries, subjects, consents and events have
 * row-level security); the service owns the transaction.
 */
import type { Tx } from '../../platform/db/database.ts';

export interface InboxRow {
  id: string;
  number: string;
  operator_id: string;
  site_id: string | null;
  form_id: string;
  channel: string;
  status: string;
  status_changed_at: Date | null;
  assignee_staff_id: string | null;
  possible_health_data: boolean;
  on_behalf: boolean;
  created_at: Date;
  first_contact_due_at: Date | null;
  /** created_at in UTC with its microseconds (a Date keeps milliseconds): the keyset's half. */
  created_key: string;
  /** first_contact_due_at likewise (null when the row has none): the due-time keyset's half. */
  due_key: string | null;
}

export interface InquiryDetailRow extends InboxRow {
  subject_id: string;
  page: string | null;
  fields_enc: Buffer;
  subject_name_enc: Buffer | null;
  subject_phone_enc: Buffer | null;
  subject_email_enc: Buffer | null;
  subject_created_at: Date;
  subject_updated_at: Date;
  assignee_name: string | null;
}

export interface LockedInquiry {
  id: string;
  subject_id: string;
  status: string;
  assignee_staff_id: string | null;
}

export interface EventRow {
  id: string;
  operator_id: string;
  inquiry_id: string;
  at: Date;
  kind: 'status' | 'note' | 'assign' | 'message' | 'call' | 'consent' | 'notification' | 'merge';
  from_status: string | null;
  to_status: string | null;
  reason: string | null;
  note_enc: Buffer | null;
  assignee_staff_id: string | null;
  actor_type: string;
  actor_id: string | null;
  /** The row the event is about (a consent record, an outbox message, the merged subject). */
  ref_id: string | null;
}

export interface EventViewRow extends EventRow {
  actor_name: string | null;
}

/** An outgoing message about an inquiry: its delivery state, nothing decrypted. */
export interface DeliveryRow {
  id: string;
  channel: string;
  template: string;
  state: string;
  attempts: number;
  last_error: string | null;
  created_at: Date;
  sent_at: Date | null;
  next_attempt_at: Date;
}

/** A staff member who may be assigned an operator's inquiries. */
export interface AssignableRow {
  staff_id: string;
  operator_id: string;
  display_name: string;
}

/** An inbox row with its subject's ciphertext, for the CSV export. */
export interface ExportRow extends InboxRow {
  subject_id: string;
  subject_name_enc: Buffer | null;
  subject_phone_enc: Buffer | null;
  subject_email_enc: Buffer | null;
  subject_created_at: Date;
  subject_updated_at: Date;
}

/** The inbox's filter after validation; `operatorIds` is never empty. */
export interface InboxQuery {
  operatorIds: readonly string[];
  siteId?: string | undefined;
  formId?: string | undefined;
  channel?: string | undefined;
  status?: string | undefined;
  assignee?: string | undefined;
  /** Only these subjects' inquiries (a search by blind index); never empty when given. */
  subjectIds?: readonly string[] | undefined;
  /** Only new inquiries whose first contact was due before this instant (overdue). */
  dueBefore?: Date | undefined;
}

const createdKey = (col: string) =>
  `to_char(${col} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS created_key`;
const dueKey = (col: string) =>
  `to_char(${col} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS due_key`;

const INBOX_COLUMNS = `id, number, operator_id, site_id, form_id, channel, status, status_changed_at,
  assignee_staff_id, possible_health_data, on_behalf, created_at, first_contact_due_at,
  ${createdKey('created_at')}, ${dueKey('first_contact_due_at')}`;

/** The WHERE clause of a filter, with its parameters numbered from $1. */
function where(q: InboxQuery, withStatus: boolean): { sql: string; params: unknown[] } {
  // One operator (the usual case) as an equality: with `= ANY` PostgreSQL cannot walk the
  // (operator_id, created_at) index in order and sorts every row of the operator for each page.
  const one = q.operatorIds.length === 1;
  const params: unknown[] = [one ? q.operatorIds[0] : q.operatorIds];
  const parts = [one ? 'operator_id = $1::uuid' : 'operator_id = ANY ($1::uuid[])'];
  const add = (cond: (n: string) => string, v: unknown) => {
    params.push(v);
    parts.push(cond(`$${params.length}`));
  };
  if (q.siteId !== undefined) add((n) => `site_id = ${n}`, q.siteId);
  if (q.formId !== undefined) add((n) => `form_id = ${n}`, q.formId);
  if (q.channel !== undefined) add((n) => `channel = ${n}`, q.channel);
  if (withStatus && q.status !== undefined) add((n) => `status = ${n}`, q.status);
  if (q.assignee === 'none') parts.push('assignee_staff_id IS NULL');
  else if (q.assignee !== undefined) add((n) => `assignee_staff_id = ${n}::uuid`, q.assignee);
  if (q.subjectIds !== undefined) add((n) => `subject_id = ANY (${n}::uuid[])`, q.subjectIds);
  if (q.dueBefore !== undefined) {
    add((n) => `status = 'new' AND first_contact_due_at < ${n}::timestamptz`, q.dueBefore);
  }
  return { sql: parts.join(' AND '), params };
}

export const workflowRepository = {
  /**
   * One page of the inbox, newest first, after the keyset `(createdKey, id)` when given. Returns up
   * to `limit` rows; the caller asks for one more than it shows to know whether a page follows.
   */
  async listPage(
    tx: Tx,
    q: InboxQuery,
    limit: number,
    after: { createdKey: string; id: string } | undefined,
  ): Promise<InboxRow[]> {
    const w = where(q, true);
    let sql = w.sql;
    if (after) {
      w.params.push(after.createdKey, after.id);
      sql += ` AND (created_at, id) < ($${w.params.length - 1}::timestamptz, $${w.params.length}::uuid)`;
    }
    w.params.push(limit);
    const { rows } = await tx.query<InboxRow>(
      `SELECT ${INBOX_COLUMNS} FROM inquiries WHERE ${sql}
       ORDER BY created_at DESC, id DESC LIMIT $${w.params.length}`,
      w.params,
    );
    return rows;
  },

  /**
   * One page of the inbox by first-contact due time: the soonest due first (so the overdue, whose
   * due time has passed, come before the rest), rows without a due time last, after the keyset
   * `(dueKey, id)` when given (a null dueKey: the page ended among rows without a due time).
   */
  async listPageByDue(
    tx: Tx,
    q: InboxQuery,
    limit: number,
    after: { dueKey: string | null; id: string } | undefined,
  ): Promise<InboxRow[]> {
    const w = where(q, true);
    let sql = w.sql;
    if (after && after.dueKey !== null) {
      w.params.push(after.dueKey, after.id);
      const [d, i] = [`$${w.params.length - 1}::timestamptz`, `$${w.params.length}::uuid`];
      sql += ` AND ((first_contact_due_at, id) > (${d}, ${i}) OR first_contact_due_at IS NULL)`;
    } else if (after) {
      w.params.push(after.id);
      sql += ` AND first_contact_due_at IS NULL AND id > $${w.params.length}::uuid`;
    }
    w.params.push(limit);
    const { rows } = await tx.query<InboxRow>(
      `SELECT ${INBOX_COLUMNS} FROM inquiries WHERE ${sql}
       ORDER BY first_contact_due_at ASC NULLS LAST, id ASC LIMIT $${w.params.length}`,
      w.params,
    );
    return rows;
  },

  /**
   * The filter's inquiries newest first with their subjects' ciphertext, at most `limit` rows (the
   * export asks for one more than it allows, to refuse rather than cut short).
   */
  async exportRows(tx: Tx, q: InboxQuery, limit: number): Promise<ExportRow[]> {
    const w = where(q, true);
    w.params.push(limit);
    const { rows } = await tx.query<ExportRow>(
      `SELECT i.id, i.number, i.operator_id, i.site_id, i.form_id, i.channel, i.status, i.status_changed_at,
              i.assignee_staff_id, i.possible_health_data, i.on_behalf, i.created_at, i.first_contact_due_at,
              ${createdKey('i.created_at')}, ${dueKey('i.first_contact_due_at')}, i.subject_id,
              s.name_enc AS subject_name_enc, s.phone_enc AS subject_phone_enc,
              s.email_enc AS subject_email_enc, s.created_at AS subject_created_at,
              s.updated_at AS subject_updated_at
       FROM (SELECT * FROM inquiries WHERE ${w.sql} ORDER BY created_at DESC, id DESC
             LIMIT $${w.params.length}) i
       JOIN subjects s ON s.id = i.subject_id AND s.operator_id = i.operator_id
       ORDER BY i.created_at DESC, i.id DESC`,
      w.params,
    );
    return rows;
  },

  /** The messages queued about the inquiry, oldest first (delivery state only). */
  async deliveriesOf(tx: Tx, operatorId: string, inquiryId: string): Promise<DeliveryRow[]> {
    const { rows } = await tx.query<DeliveryRow>(
      `SELECT id, channel, template, state, attempts, last_error, created_at, sent_at, next_attempt_at
       FROM outbox WHERE inquiry_id = $1 AND operator_id = $2 ORDER BY created_at, id`,
      [inquiryId, operatorId],
    );
    return rows;
  },

  /**
   * Enabled staff holding one of `roles` at any of the operators, by name. Staff and their roles
   * hold no patient data; this is a membership list on ids and display names.
   */
  async assignableStaff(
    tx: Tx,
    operatorIds: readonly string[],
    roles: readonly string[],
  ): Promise<AssignableRow[]> {
    const { rows } = await tx.query<AssignableRow>(
      `SELECT DISTINCT s.id AS staff_id, r.operator_id, s.display_name
       FROM staff_roles r JOIN staff s ON s.id = r.staff_id
       WHERE r.operator_id = ANY ($1::uuid[]) AND r.role = ANY ($2::text[]) AND s.disabled_at IS NULL
       ORDER BY s.display_name, s.id`,
      [operatorIds, roles],
    );
    return rows;
  },

  /** How many inquiries of the filter (its status ignored) have each status. */
  async countByStatus(tx: Tx, q: InboxQuery): Promise<{ status: string; n: string }[]> {
    // Any filter but the operators (and the status, ignored here) needs the inquiries counted.
    const filtered = Object.entries(q).some(
      ([k, v]) => k !== 'operatorIds' && k !== 'status' && v !== undefined,
    );
    if (!filtered) {
      // Whole operators: the kept totals plus the deltas not yet folded into them (migration 0019),
      // one snapshot, so exact without counting every inquiry.
      const { rows } = await tx.query<{ status: string; n: string }>(
        `SELECT status, sum(n)::text AS n FROM (
           SELECT status, n FROM inquiry_status_counts WHERE operator_id = ANY ($1::uuid[])
           UNION ALL
           SELECT status, d FROM inquiry_status_deltas WHERE operator_id = ANY ($1::uuid[])
         ) AS kept GROUP BY status`,
        [q.operatorIds],
      );
      return rows;
    }
    const w = where(q, false);
    const { rows } = await tx.query<{ status: string; n: string }>(
      `SELECT status, count(*) AS n FROM inquiries WHERE ${w.sql} GROUP BY status`,
      w.params,
    );
    return rows;
  },

  /** Folds the status deltas into the kept counts (migration 0019); how many deltas it moved. */
  async foldStatusCounts(tx: Tx): Promise<number> {
    const { rows } = await tx.query<{ moved: number }>('SELECT inquiry_status_fold() AS moved');
    return rows[0]!.moved;
  },

  /** The inquiry with its subject's ciphertext and its assignee's name. */
  async findDetail(tx: Tx, operatorId: string, id: string): Promise<InquiryDetailRow | undefined> {
    const { rows } = await tx.query<InquiryDetailRow>(
      `SELECT i.id, i.number, i.operator_id, i.site_id, i.form_id, i.channel, i.status, i.status_changed_at,
              i.assignee_staff_id, i.possible_health_data, i.on_behalf, i.created_at, i.first_contact_due_at,
              ${createdKey('i.created_at')}, ${dueKey('i.first_contact_due_at')}, i.subject_id, i.page,
              i.fields_enc,
              s.name_enc AS subject_name_enc, s.phone_enc AS subject_phone_enc,
              s.email_enc AS subject_email_enc, s.created_at AS subject_created_at,
              s.updated_at AS subject_updated_at, st.display_name AS assignee_name
       FROM inquiries i
       JOIN subjects s ON s.id = i.subject_id AND s.operator_id = i.operator_id
       LEFT JOIN staff st ON st.id = i.assignee_staff_id
       WHERE i.id = $1 AND i.operator_id = $2`,
      [id, operatorId],
    );
    return rows[0];
  },

  /** Locks the inquiry's row until the transaction ends (status and assignee changes). */
  async lock(tx: Tx, operatorId: string, id: string): Promise<LockedInquiry | undefined> {
    const { rows } = await tx.query<LockedInquiry>(
      `SELECT id, subject_id, status, assignee_staff_id FROM inquiries
       WHERE id = $1 AND operator_id = $2 FOR UPDATE`,
      [id, operatorId],
    );
    return rows[0];
  },

  /** The inquiry's subject, share-locked so that a destruction waits for the caller's write. */
  async subjectOf(tx: Tx, operatorId: string, id: string): Promise<string | undefined> {
    const { rows } = await tx.query<{ subject_id: string }>(
      'SELECT subject_id FROM inquiries WHERE id = $1 AND operator_id = $2 FOR SHARE',
      [id, operatorId],
    );
    return rows[0]?.subject_id;
  },

  /** The history, oldest first, with staff actors' display names. */
  async eventsOf(tx: Tx, operatorId: string, inquiryId: string): Promise<EventViewRow[]> {
    const { rows } = await tx.query<EventViewRow>(
      `SELECT e.id, e.operator_id, e.inquiry_id, e.at, e.kind, e.from_status, e.to_status, e.reason,
              e.note_enc, e.assignee_staff_id, e.actor_type, e.actor_id, st.display_name AS actor_name,
              e.ref_id
       FROM inquiry_events e
       LEFT JOIN staff st ON e.actor_type = 'staff' AND st.id::text = e.actor_id
       WHERE e.inquiry_id = $1 AND e.operator_id = $2 ORDER BY e.at, e.seq`,
      [inquiryId, operatorId],
    );
    return rows;
  },

  async insertEvent(tx: Tx, e: EventRow): Promise<void> {
    await tx.query(
      `INSERT INTO inquiry_events (id, operator_id, inquiry_id, at, kind, from_status, to_status, reason,
         note_enc, assignee_staff_id, actor_type, actor_id, ref_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
      [
        e.id,
        e.operator_id,
        e.inquiry_id,
        e.at,
        e.kind,
        e.from_status,
        e.to_status,
        e.reason,
        e.note_enc,
        e.assignee_staff_id,
        e.actor_type,
        e.actor_id,
        e.ref_id,
      ],
    );
  },

  async updateStatus(tx: Tx, operatorId: string, id: string, status: string, at: Date): Promise<void> {
    await tx.query(
      'UPDATE inquiries SET status = $3, status_changed_at = $4 WHERE id = $1 AND operator_id = $2',
      [id, operatorId, status, at],
    );
  },

  async updateAssignee(tx: Tx, operatorId: string, id: string, staffId: string | null): Promise<void> {
    await tx.query('UPDATE inquiries SET assignee_staff_id = $3 WHERE id = $1 AND operator_id = $2', [
      id,
      operatorId,
      staffId,
    ]);
  },

  /**
   * The roles an enabled staff member holds at the operator (empty for a disabled or unknown one).
   * Read here, not through the staff module's service, because that service's reads are for staff
   * managers; this is only a membership check on ids.
   */
  async activeRolesAt(tx: Tx, staffId: string, operatorId: string): Promise<string[]> {
    const { rows } = await tx.query<{ role: string }>(
      `SELECT r.role FROM staff_roles r JOIN staff s ON s.id = r.staff_id
       WHERE r.staff_id = $1 AND r.operator_id = $2 AND s.disabled_at IS NULL`,
      [staffId, operatorId],
    );
    return rows.map((r) => r.role);
  },
};
