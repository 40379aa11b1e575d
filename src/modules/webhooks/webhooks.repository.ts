/** SQL for webhook endpoints, deliveries and attempts. Every function takes the caller's transaction. */
import { prepared, type Tx } from '../../platform/db/database.ts';

export interface EndpointRow {
  id: string;
  operator_id: string;
  url: string;
  description: string;
  events: string[];
  secret_enc: Buffer;
  created_at: Date;
  disabled_at: Date | null;
}

export interface DeliveryRow {
  id: string;
  operator_id: string;
  endpoint_id: string;
  event_id: string;
  event_type: string;
  inquiry_id: string | null;
  state: string;
  attempts: number;
  max_attempts: number;
  next_attempt_at: Date;
  last_status: number | null;
  last_error: string | null;
  created_at: Date;
  finished_at: Date | null;
}

/** A due delivery with what sending it needs. */
export interface DueDelivery {
  id: string;
  operator_id: string;
  endpoint_id: string;
  event_type: string;
  body: string;
  attempts: number;
  max_attempts: number;
  url: string;
  secret_enc: Buffer;
  disabled_at: Date | null;
}

export interface AttemptRow {
  attempt: number;
  at: Date;
  status_code: number | null;
  error: string | null;
  duration_ms: number;
}

const DELIVERY_COLUMNS = `id, operator_id, endpoint_id, event_id, event_type, inquiry_id, state, attempts,
  max_attempts, next_attempt_at, last_status, last_error, created_at, finished_at`;

export const webhooksRepository = {
  async insertEndpoint(tx: Tx, r: EndpointRow): Promise<void> {
    await tx.query(
      `INSERT INTO webhook_endpoints (id, operator_id, url, description, events, secret_enc, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [r.id, r.operator_id, r.url, r.description, r.events, r.secret_enc, r.created_at],
    );
  },

  async listEndpoints(tx: Tx, operatorId: string): Promise<EndpointRow[]> {
    const { rows } = await tx.query<EndpointRow>(
      `SELECT * FROM webhook_endpoints WHERE operator_id = $1 ORDER BY created_at, id`,
      [operatorId],
    );
    return rows;
  },

  async findEndpoint(tx: Tx, operatorId: string, id: string): Promise<EndpointRow | undefined> {
    const { rows } = await tx.query<EndpointRow>(
      'SELECT * FROM webhook_endpoints WHERE id = $1 AND operator_id = $2',
      [id, operatorId],
    );
    return rows[0];
  },

  async disableEndpoint(tx: Tx, operatorId: string, id: string, at: Date): Promise<boolean> {
    const r = await tx.query(
      `UPDATE webhook_endpoints SET disabled_at = $3 WHERE id = $1 AND operator_id = $2 AND disabled_at IS NULL`,
      [id, operatorId, at],
    );
    return r.rowCount === 1;
  },

  /** Pending deliveries of a disabled endpoint will not go out. */
  async cancelPending(tx: Tx, endpointId: string, at: Date): Promise<number> {
    const r = await tx.query(
      `UPDATE webhook_deliveries SET state = 'cancelled', last_error = 'endpoint_disabled', finished_at = $2
       WHERE endpoint_id = $1 AND state = 'pending'`,
      [endpointId, at],
    );
    return r.rowCount ?? 0;
  },

  /**
   * The enabled endpoints of the operator that take this event (on every intake and status
   * change: one indexed query, planned once per connection).
   */
  async subscribedEndpoints(tx: Tx, operatorId: string, eventType: string): Promise<string[]> {
    const { rows } = await tx.query<{ id: string }>(
      prepared(
        `SELECT id FROM webhook_endpoints
         WHERE operator_id = $1 AND disabled_at IS NULL AND $2 = ANY (events) ORDER BY created_at, id`,
        [operatorId, eventType],
      ),
    );
    return rows.map((r) => r.id);
  },

  /**
   * The inquiry's number and current status, for the event's body. The inquiries module owns the
   * table; this reads two columns of the row the caller's transaction has just written, which is
   * cheaper than widening every caller's contract.
   */
  async inquiryHead(
    tx: Tx,
    operatorId: string,
    inquiryId: string,
  ): Promise<{ number: string; status: string } | undefined> {
    const { rows } = await tx.query<{ number: string; status: string }>(
      prepared('SELECT number::text AS number, status FROM inquiries WHERE id = $1 AND operator_id = $2', [
        inquiryId,
        operatorId,
      ]),
    );
    return rows[0];
  },

  async insertDeliveries(
    tx: Tx,
    d: {
      ids: string[];
      endpointIds: string[];
      operatorId: string;
      eventId: string;
      eventType: string;
      inquiryId: string;
      body: string;
      maxAttempts: number;
      at: Date;
    },
  ): Promise<void> {
    await tx.query(
      `INSERT INTO webhook_deliveries (id, operator_id, endpoint_id, event_id, event_type, inquiry_id, body,
         max_attempts, next_attempt_at, created_at)
       SELECT d.id, $3, d.endpoint_id, $4, $5, $6, $7, $8, $9, $9
       FROM unnest($1::uuid[], $2::uuid[]) AS d (id, endpoint_id)`,
      [d.ids, d.endpointIds, d.operatorId, d.eventId, d.eventType, d.inquiryId, d.body, d.maxAttempts, d.at],
    );
  },

  /** Locks due pending deliveries, skipping rows another dispatcher holds. */
  async claimDue(tx: Tx, now: Date, limit: number): Promise<DueDelivery[]> {
    const { rows } = await tx.query<DueDelivery>(
      `SELECT d.id, d.operator_id, d.endpoint_id, d.event_type, d.body, d.attempts, d.max_attempts,
              e.url, e.secret_enc, e.disabled_at
       FROM webhook_deliveries d JOIN webhook_endpoints e ON e.id = d.endpoint_id
       WHERE d.state = 'pending' AND d.next_attempt_at <= $1
       ORDER BY d.next_attempt_at, d.id
       LIMIT $2
       FOR UPDATE OF d SKIP LOCKED`,
      [now, limit],
    );
    return rows;
  },

  async insertAttempt(
    tx: Tx,
    a: {
      deliveryId: string;
      operatorId: string;
      attempt: number;
      at: Date;
      statusCode: number | null;
      error: string | null;
      durationMs: number;
    },
  ): Promise<void> {
    await tx.query(
      `INSERT INTO webhook_attempts (delivery_id, attempt, operator_id, at, status_code, error, duration_ms)
       VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [a.deliveryId, a.attempt, a.operatorId, a.at, a.statusCode, a.error, a.durationMs],
    );
  },

  async markDelivered(tx: Tx, id: string, attempts: number, status: number, at: Date): Promise<void> {
    await tx.query(
      `UPDATE webhook_deliveries SET state = 'delivered', attempts = $2, last_status = $3, last_error = NULL,
         finished_at = $4 WHERE id = $1`,
      [id, attempts, status, at],
    );
  },

  async markRetry(
    tx: Tx,
    id: string,
    attempts: number,
    status: number | null,
    error: string,
    nextAt: Date,
  ): Promise<void> {
    await tx.query(
      `UPDATE webhook_deliveries SET attempts = $2, last_status = $3, last_error = $4, next_attempt_at = $5
       WHERE id = $1`,
      [id, attempts, status, error, nextAt],
    );
  },

  async markFailed(
    tx: Tx,
    id: string,
    attempts: number,
    status: number | null,
    error: string,
    at: Date,
  ): Promise<void> {
    await tx.query(
      `UPDATE webhook_deliveries SET state = 'failed', attempts = $2, last_status = $3, last_error = $4,
         finished_at = $5 WHERE id = $1`,
      [id, attempts, status, error, at],
    );
  },

  async markCancelled(tx: Tx, id: string, error: string, at: Date): Promise<void> {
    await tx.query(
      `UPDATE webhook_deliveries SET state = 'cancelled', last_error = $2, finished_at = $3 WHERE id = $1`,
      [id, error, at],
    );
  },

  /** The newest deliveries of the operator (or of one endpoint), newest first. */
  async listDeliveries(
    tx: Tx,
    operatorId: string,
    o: { endpointId?: string; limit: number },
  ): Promise<DeliveryRow[]> {
    const { rows } = await tx.query<DeliveryRow>(
      `SELECT ${DELIVERY_COLUMNS} FROM webhook_deliveries
       WHERE operator_id = $1 AND ($2::uuid IS NULL OR endpoint_id = $2)
       ORDER BY created_at DESC, id DESC LIMIT $3`,
      [operatorId, o.endpointId ?? null, o.limit],
    );
    return rows;
  },

  async findDelivery(tx: Tx, operatorId: string, id: string, lock = false): Promise<DeliveryRow | undefined> {
    const { rows } = await tx.query<DeliveryRow>(
      `SELECT ${DELIVERY_COLUMNS} FROM webhook_deliveries WHERE id = $1 AND operator_id = $2
       ${lock ? 'FOR UPDATE' : ''}`,
      [id, operatorId],
    );
    return rows[0];
  },

  async attemptsOf(tx: Tx, deliveryId: string): Promise<AttemptRow[]> {
    const { rows } = await tx.query<AttemptRow>(
      `SELECT attempt, at, status_code, error, duration_ms FROM webhook_attempts
       WHERE delivery_id = $1 ORDER BY attempt`,
      [deliveryId],
    );
    return rows;
  },

  /** Sends the delivery again as soon as a dispatcher runs, with one more attempt allowed. */
  async requeue(tx: Tx, id: string, at: Date): Promise<void> {
    await tx.query(
      `UPDATE webhook_deliveries SET state = 'pending', next_attempt_at = $2, finished_at = NULL,
         max_attempts = GREATEST(max_attempts, attempts + 1) WHERE id = $1`,
      [id, at],
    );
  },

  /** Deletes finished deliveries (and their attempts) created before the cutoff. */
  async purgeFinished(tx: Tx, before: Date, limit: number): Promise<number> {
    const r = await tx.query(
      `DELETE FROM webhook_deliveries WHERE id IN (
         SELECT id FROM webhook_deliveries WHERE state <> 'pending' AND created_at < $1 LIMIT $2)`,
      [before, limit],
    );
    return r.rowCount ?? 0;
  },
};
