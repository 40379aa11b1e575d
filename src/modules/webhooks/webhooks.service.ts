/**
 * Outgoing webhooks of an operator: endpoints (an https URL, the events it takes, a signing secret
 * shown once and kept sealed), the deliveries an event queues for them inside the transaction of
 * the change it announces (`emit`), and the delivery log. Sending is the dispatch job's
 * (webhooks-dispatch.job.ts).
 *
 * Access: managing endpoints and reading the log need `operator.manage` at the operator (the
 * operator's administrators and the installation's); an endpoint or delivery of another operator
 * is NotFound. Creating, disabling and retrying are audited. Bodies carry ids and codes only, so
 * neither the log nor the receiver ever sees personal data.
 *
 * @example
 *   const { secret, endpoint } = await webhooks.createEndpoint(principal, operatorId, {
 *     url: 'https://crm.example/soglasie', events: ['inquiry.created', 'inquiry.status_changed'],
 *   }); // secret shown once
 *   await db.scoped([operatorId], (tx) =>
 *     webhooks.emit(tx, { operatorId, type: 'inquiry.status_changed', inquiryId,
 *       data: { from: 'new', to: 'in_progress', reason: null, at } }));
 *   const log = await webhooks.listDeliveries(principal, operatorId);
 *   await webhooks.retryDelivery(principal, operatorId, log[0].id);
 */
import type { Clock } from '../../platform/clock.ts';
import type { Mode } from '../../config/config.ts';
import { sealString } from '../../platform/crypto/aead.ts';
import type { Database, Tx } from '../../platform/db/database.ts';
import { AppError, ErrorCode } from '../../platform/errors.ts';
import { isUuid, type Ids } from '../../platform/ids.ts';
import type { Logger } from '../../platform/logger.ts';
import { parseInput } from '../../platform/validation.ts';
import type { AuditService } from '../audit/index.ts';
import type { InquiryEvents } from '../inquiries/index.ts';
import type { KeyringService } from '../keyring/index.ts';
import { auditEntryBy, requirePermission, type Principal } from '../staff/index.ts';
import { outboundGuard, refusedHost, type OutboundGuard } from '../../platform/http/outbound-guard.ts';
import {
  webhooksRepository as repo,
  type AttemptRow,
  type DeliveryRow,
  type EndpointRow,
} from './webhooks.repository.ts';
import { WebhookSecrets } from './webhooks.secrets.ts';
import { generateWebhookSecret } from './webhooks.signature.ts';
import {
  WEBHOOK_EVENT_SCHEMAS,
  WEBHOOK_EVENT_TYPES,
  WebhookEndpointInput,
  type DeliveryState,
  type InquiryEventInput,
  type WebhookAttemptDto,
  type WebhookDeliveryDto,
  type WebhookEndpointDto,
  type WebhookEventType,
} from './webhooks.schemas.ts';

/** Attempts per delivery: with the jobs' back-off (10 s doubling, capped at an hour), about 6 h. */
export const WEBHOOK_MAX_ATTEMPTS = 12;
/** Endpoints per operator: a bound on the deliveries one change can queue. */
export const MAX_ENDPOINTS = 10;
export const DELIVERY_LOG_LIMIT = 100;

export interface WebhooksDeps {
  db: Database;
  keyring: Pick<KeyringService, 'namedKey'>;
  audit: AuditService;
  clock: Clock;
  ids: Ids;
  /** Production refuses http and local hosts; local mode allows http to localhost. */
  mode: Mode;
  /** Which hosts production refuses (default: the private and local ranges, no exceptions). */
  guard?: OutboundGuard;
  log?: Logger;
  maxAttempts?: number;
}

/** Satisfies the inquiries module's port: the composition root wires it as their `events`. */
export class WebhooksService implements InquiryEvents {
  private readonly secrets: WebhookSecrets;
  /** The input schema with this mode's URL rules, so that every field's problem is told at once. */
  private readonly inputSchema;

  constructor(private readonly deps: WebhooksDeps) {
    this.secrets = new WebhookSecrets(deps.keyring);
    this.inputSchema = WebhookEndpointInput.extend({
      url: WebhookEndpointInput.shape.url.superRefine((url, ctx) => {
        const problem = urlProblem(url, deps.mode, deps.guard);
        if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
      }),
    });
  }

  /** Creates an endpoint; `secret` is the only time the signing secret leaves the service. */
  async createEndpoint(
    principal: Principal,
    operatorId: string,
    input: WebhookEndpointInput,
  ): Promise<{ secret: string; endpoint: WebhookEndpointDto }> {
    this.requireManage(principal, operatorId);
    const i = parseInput(this.inputSchema, input);
    const url = new URL(i.url).toString();
    const { db, ids, clock, audit } = this.deps;
    const secret = generateWebhookSecret();
    const id = ids.uuid();
    const row: EndpointRow = {
      id,
      operator_id: operatorId,
      url,
      description: i.description ?? '',
      events: WEBHOOK_EVENT_TYPES.filter((t) => i.events.includes(t)),
      secret_enc: sealString(await this.secrets.key(), secret, webhookSecretAad(id)),
      created_at: clock.now(),
      disabled_at: null,
    };
    await db.scoped([operatorId], async (tx) => {
      const existing = await repo.listEndpoints(tx, operatorId);
      if (existing.filter((e) => e.disabled_at === null).length >= MAX_ENDPOINTS) {
        throw new AppError(
          ErrorCode.Conflict,
          `Не больше ${MAX_ENDPOINTS} действующих адресов / At most ${MAX_ENDPOINTS} active endpoints`,
        );
      }
      await repo.insertEndpoint(tx, row);
      await audit.record(
        tx,
        this.entry(principal, 'webhook_endpoint.create', 'webhook_endpoint', id, operatorId),
      );
    });
    this.deps.log?.info({ operatorId, endpointId: id }, 'webhook endpoint created');
    return { secret, endpoint: endpointDto(row) };
  }

  async listEndpoints(principal: Principal, operatorId: string): Promise<WebhookEndpointDto[]> {
    this.requireManage(principal, operatorId);
    const rows = await this.deps.db.scoped([operatorId], (tx) => repo.listEndpoints(tx, operatorId));
    return rows.map(endpointDto);
  }

  async getEndpoint(
    principal: Principal,
    operatorId: string,
    endpointId: string,
  ): Promise<WebhookEndpointDto> {
    this.requireManage(principal, operatorId);
    if (!isUuid(endpointId)) throw endpointNotFound();
    const row = await this.deps.db.scoped([operatorId], (tx) =>
      repo.findEndpoint(tx, operatorId, endpointId),
    );
    if (!row) throw endpointNotFound();
    return endpointDto(row);
  }

  /** Stops deliveries to the endpoint, those already queued included. Disabling twice is harmless. */
  async disableEndpoint(
    principal: Principal,
    operatorId: string,
    endpointId: string,
  ): Promise<WebhookEndpointDto> {
    this.requireManage(principal, operatorId);
    if (!isUuid(endpointId)) throw endpointNotFound();
    const { db, clock, audit } = this.deps;
    return db.scoped([operatorId], async (tx) => {
      const at = clock.now();
      if (await repo.disableEndpoint(tx, operatorId, endpointId, at)) {
        await repo.cancelPending(tx, endpointId, at);
        await audit.record(
          tx,
          this.entry(principal, 'webhook_endpoint.disable', 'webhook_endpoint', endpointId, operatorId),
        );
      }
      const row = await repo.findEndpoint(tx, operatorId, endpointId);
      if (!row) throw endpointNotFound();
      return endpointDto(row);
    });
  }

  /** The newest deliveries (at most 100), of one endpoint or of all the operator's. */
  async listDeliveries(
    principal: Principal,
    operatorId: string,
    o: { endpointId?: string; limit?: number } = {},
  ): Promise<WebhookDeliveryDto[]> {
    this.requireManage(principal, operatorId);
    if (o.endpointId !== undefined && !isUuid(o.endpointId)) throw endpointNotFound();
    const limit = Math.min(Math.max(Math.trunc(o.limit ?? 50), 1), DELIVERY_LOG_LIMIT);
    const rows = await this.deps.db.scoped([operatorId], (tx) =>
      repo.listDeliveries(tx, operatorId, { endpointId: o.endpointId, limit }),
    );
    return rows.map(deliveryDto);
  }

  /** One delivery with every attempt (status codes, error codes, durations). */
  async getDelivery(
    principal: Principal,
    operatorId: string,
    deliveryId: string,
  ): Promise<WebhookDeliveryDto & { attemptLog: WebhookAttemptDto[] }> {
    this.requireManage(principal, operatorId);
    if (!isUuid(deliveryId)) throw deliveryNotFound();
    return this.deps.db.scoped([operatorId], async (tx) => {
      const row = await repo.findDelivery(tx, operatorId, deliveryId);
      if (!row) throw deliveryNotFound();
      const attempts = await repo.attemptsOf(tx, deliveryId);
      return { ...deliveryDto(row), attemptLog: attempts.map(attemptDto) };
    });
  }

  /**
   * Sends a failed delivery once more (or a pending one now), as soon as a dispatcher runs.
   * Conflict for a delivered or cancelled one, or when its endpoint is disabled.
   */
  async retryDelivery(
    principal: Principal,
    operatorId: string,
    deliveryId: string,
  ): Promise<WebhookDeliveryDto> {
    this.requireManage(principal, operatorId);
    if (!isUuid(deliveryId)) throw deliveryNotFound();
    const { db, clock, audit } = this.deps;
    return db.scoped([operatorId], async (tx) => {
      const row = await repo.findDelivery(tx, operatorId, deliveryId, true);
      if (!row) throw deliveryNotFound();
      const endpoint = await repo.findEndpoint(tx, operatorId, row.endpoint_id);
      if (endpoint?.disabled_at !== null || (row.state !== 'failed' && row.state !== 'pending')) {
        throw new AppError(
          ErrorCode.Conflict,
          'Эту доставку нельзя повторить / This delivery cannot be retried',
        );
      }
      if (row.attempts >= 99) {
        throw new AppError(ErrorCode.Conflict, 'Слишком много попыток / Too many attempts');
      }
      await repo.requeue(tx, deliveryId, clock.now());
      await audit.record(
        tx,
        this.entry(principal, 'webhook_delivery.retry', 'webhook_delivery', deliveryId, operatorId),
      );
      const updated = await repo.findDelivery(tx, operatorId, deliveryId);
      return deliveryDto(updated!);
    });
  }

  /**
   * Queues the event for every enabled endpoint of the operator that takes it, in the caller's
   * transaction (scoped to the operator): the deliveries exist if and only if the change commits.
   * The body is checked against the event's strict schema, so only ids, codes and times can be in
   * it; anything else is a programming error and fails the change. One indexed query when the
   * operator has no endpoint for the event.
   */
  async emit(tx: Tx, e: InquiryEventInput): Promise<void> {
    const endpointIds = await repo.subscribedEndpoints(tx, e.operatorId, e.type);
    if (endpointIds.length === 0) return;
    const head = await repo.inquiryHead(tx, e.operatorId, e.inquiryId);
    if (!head) throw new AppError(ErrorCode.NotFound, 'Inquiry not found for its webhook event');
    const data = {
      ...e.data,
      inquiryId: e.inquiryId,
      number: head.number,
      operatorId: e.operatorId,
      status: head.status,
    };
    const { ids, clock } = this.deps;
    const eventId = ids.uuid();
    const at = clock.now();
    const body = eventBody(e.type, { id: eventId, type: e.type, createdAt: at.toISOString(), data });
    await repo.insertDeliveries(tx, {
      ids: endpointIds.map(() => ids.uuid()),
      endpointIds,
      operatorId: e.operatorId,
      eventId,
      eventType: e.type,
      inquiryId: e.inquiryId,
      body,
      maxAttempts: this.deps.maxAttempts ?? WEBHOOK_MAX_ATTEMPTS,
      at,
    });
  }

  private requireManage(principal: Principal, operatorId: string): void {
    if (!isUuid(operatorId)) throw new AppError(ErrorCode.Forbidden, 'You do not have access to this');
    requirePermission(principal, 'operator.manage', operatorId);
  }

  private entry(
    principal: Principal,
    action: string,
    objectType: string,
    objectId: string,
    operatorId: string,
  ) {
    return auditEntryBy(principal, action, {
      objectType,
      objectId,
      operatorId,
    });
  }
}

/** The associated data of an endpoint's sealed secret. */
export function webhookSecretAad(endpointId: string): string {
  return `webhook_endpoint:${endpointId}:secret`;
}

/** The JSON text of an event, checked against its type's strict schema (ids and codes only). */
function eventBody(type: WebhookEventType, event: unknown): string {
  const schema = WEBHOOK_EVENT_SCHEMAS[type];
  const r = schema.safeParse(event);
  if (!r.success) {
    // Field paths only: the values are not repeated anywhere.
    throw new AppError(
      ErrorCode.Internal,
      `A ${type} event does not fit its schema at ${r.error.issues.map((i) => i.path.join('.')).join(', ')}`,
    );
  }
  return JSON.stringify(r.data);
}

const LOOPBACK_NAMES = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

/**
 * An endpoint's URL: absolute http(s) without credentials or fragment. Production takes https only
 * and no local host; local mode also takes http, but only to this machine (tests, a local CRM).
 * Returns the URL normalised; ValidationFailed on the `url` field otherwise.
 */
export function checkUrl(raw: string, mode: Mode, guard?: OutboundGuard): string {
  const problem = urlProblem(raw, mode, guard);
  if (problem !== undefined) {
    throw new AppError(ErrorCode.ValidationFailed, problem, { fields: [{ path: 'url', message: problem }] });
  }
  return new URL(raw).toString();
}

/** Why the URL is refused (Russian / English), or undefined when it is fine. */
function urlProblem(
  raw: string,
  mode: Mode,
  guard: OutboundGuard = outboundGuard({ refuse: mode === 'production' }),
): string | undefined {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    return 'Укажите полный адрес, например https://crm.example/hooks / Give a full URL';
  }
  const https = 'Адрес должен начинаться с https:// / The URL must start with https://';
  if (u.protocol !== 'https:' && u.protocol !== 'http:') return https;
  if (u.username !== '' || u.password !== '') {
    return 'Адрес не должен содержать логин и пароль / The URL must not contain credentials';
  }
  if (u.hash !== '') return 'Адрес не должен содержать #фрагмент / The URL must not contain a fragment';
  const host = u.hostname.toLowerCase();
  const loopback = LOOPBACK_NAMES.has(host) || /^127\.\d+\.\d+\.\d+$/.test(host);
  if (mode === 'production') {
    if (u.protocol !== 'https:') return https;
    // Names are checked again on their resolved address when a delivery connects.
    if (refusedHost(guard, host)) {
      return 'Этот адрес недоступен для уведомлений / This host is not allowed';
    }
  } else if (u.protocol === 'http:' && !loopback) {
    return 'Адрес должен начинаться с https:// (http — только для localhost) / https:// only (http only for localhost)';
  }
  return undefined;
}

function endpointDto(r: EndpointRow): WebhookEndpointDto {
  return {
    id: r.id,
    operatorId: r.operator_id,
    url: r.url,
    description: r.description,
    events: r.events as WebhookEventType[],
    createdAt: r.created_at.toISOString(),
    disabledAt: r.disabled_at?.toISOString() ?? null,
  };
}

export function deliveryDto(r: DeliveryRow): WebhookDeliveryDto {
  return {
    id: r.id,
    endpointId: r.endpoint_id,
    eventId: r.event_id,
    eventType: r.event_type as WebhookEventType,
    inquiryId: r.inquiry_id,
    state: r.state as DeliveryState,
    attempts: r.attempts,
    maxAttempts: r.max_attempts,
    nextAttemptAt: r.state === 'pending' ? r.next_attempt_at.toISOString() : null,
    lastStatus: r.last_status,
    lastError: r.last_error,
    createdAt: r.created_at.toISOString(),
    finishedAt: r.finished_at?.toISOString() ?? null,
  };
}

function attemptDto(r: AttemptRow): WebhookAttemptDto {
  return {
    attempt: r.attempt,
    at: r.at.toISOString(),
    statusCode: r.status_code,
    error: r.error,
    durationMs: r.duration_ms,
  };
}

function endpointNotFound(): AppError {
  return new AppError(ErrorCode.NotFound, 'Адрес уведомлений не найден / Webhook endpoint not found');
}

function deliveryNotFound(): AppError {
  return new AppError(ErrorCode.NotFound, 'Доставка не найдена / Delivery not found');
}
