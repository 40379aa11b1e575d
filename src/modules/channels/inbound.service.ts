/**
 * Channel intake: what a verified webhook's events do. Each event is one transaction scoped to
 * the connection's operator, so one connection can only ever write into its own operator:
 *
 * 1. its provider id is taken (a replay stops here, storing nothing);
 * 2. the patient is found by blind index (phone, or the Telegram / MAX user id) or created;
 * 3. the event joins the patient's open inquiry on this channel (not done, rejected or spam), or
 *    opens one through the inquiries module's `openInquiry`, as the site forms do (`form_id`
 *    'message' or 'call', where to answer the patient kept; number, due time, audit entry and
 *    webhook event as for any inquiry);
 *    a message is a `message` event (its text sealed), a call a `call` event (its details sealed);
 * 4. a patient on a messenger or SMS who has not consented to processing gets, once per inquiry,
 *    a reply in the outbox with the link to the operator's published processing consent.
 *
 * Nothing here logs or returns a message's content or a patient's address.
 *
 * @example
 *   const r = await inbound.receive(connection, parseTelegramUpdate(json));
 *   // { stored: 1, duplicates: 0, ignored: 0 }
 */
import type { Clock } from '../../platform/clock.ts';
import type { Database, Tx } from '../../platform/db/database.ts';
import type { Ids } from '../../platform/ids.ts';
import type { Logger } from '../../platform/logger.ts';
import type { AuditService, Actor } from '../audit/index.ts';
import { hasConsent } from '../consent/index.ts';
import {
  addInquiryEvent,
  findOpenInquiry,
  openInquiry,
  type InquiryEvents,
  type MessagingChannel,
  type OpenInquiry,
  type PolicySource,
} from '../inquiries/index.ts';
import type { OperatorDto, OperatorsService } from '../operators/index.ts';
import type { OutboxService } from '../outbox/index.ts';
import { systemPrincipal } from '../staff/index.ts';
import type { SubjectHandle, SubjectsService } from '../subjects/index.ts';
import { PROVIDER_CHANNEL, PROVIDER_REPLY_CHANNEL, type ChannelProvider } from './channels.schemas.ts';
import { connectionsRepository } from './connections.repository.ts';
import type { InboundEvent } from './inbound.schemas.ts';
import { inboundRepository as repo } from './inbound.repository.ts';

/** The template name of the first reply asking an unconsented patient to read the consent. */
export const CONSENT_REQUEST_TEMPLATE = 'channel.consent_request';

export interface ChannelInboundDeps {
  db: Database;
  subjects: Pick<SubjectsService, 'findOrCreateInTx'>;
  outbox: Pick<OutboxService, 'add'>;
  operators: Pick<OperatorsService, 'publicCard'>;
  policy: PolicySource;
  audit: AuditService;
  clock: Clock;
  ids: Ids;
  /** The installation's public URL: a site of the operator on it is where its documents are. */
  publicUrl: string;
  /** Outgoing webhooks: `inquiry.created` is queued in the transaction that opens an inquiry. */
  events?: InquiryEvents;
  log?: Logger;
}

export interface ReceiveResult {
  /** Events stored (added to an inquiry or opening one). */
  stored: number;
  /** Events whose provider id was already stored: nothing done. */
  duplicates: number;
  /** Events with nowhere to go (a call the clinic made to someone without an open inquiry). */
  ignored: number;
}

/** The connection the events came through. */
export interface InboundConnection {
  id: string;
  operatorId: string;
  provider: ChannelProvider;
}

/** The principal channel intake acts as: the installation, on the patient's own contact. */
const CHANNEL_INTAKE = systemPrincipal('channels');

/** Rolls an event's transaction back when it turns out to have nowhere to go. */
class NothingToStore extends Error {}

export class ChannelInboundService {
  constructor(private readonly deps: ChannelInboundDeps) {}

  /** Stores the events of one verified webhook request, each in its own transaction, in order. */
  async receive(connection: InboundConnection, events: readonly InboundEvent[]): Promise<ReceiveResult> {
    const result: ReceiveResult = { stored: 0, duplicates: 0, ignored: 0 };
    if (events.length === 0) return result;
    const op = await this.deps.operators.publicCard(connection.operatorId);
    if (!op) return { ...result, ignored: events.length };
    for (const e of events) {
      try {
        const fresh = await this.deps.db.scoped([connection.operatorId], (tx) =>
          this.store(tx, connection, op, e),
        );
        if (fresh) result.stored += 1;
        else result.duplicates += 1;
      } catch (err) {
        if (!(err instanceof NothingToStore)) throw err;
        result.ignored += 1;
      }
    }
    this.deps.log?.info(
      {
        operatorId: connection.operatorId,
        connectionId: connection.id,
        provider: connection.provider,
        ...result,
      },
      'channel events received',
    );
    return result;
  }

  /** One event; false when it is a replay. */
  private async store(tx: Tx, c: InboundConnection, op: OperatorDto, e: InboundEvent): Promise<boolean> {
    const { clock, ids, subjects, audit } = this.deps;
    const at = clock.now();
    if (!(await connectionsRepository.markSeen(tx, c.id, e.eventId, at))) return false;
    const subject = await subjects.findOrCreateInTx(
      tx,
      CHANNEL_INTAKE,
      c.operatorId,
      {
        ...(e.name !== undefined ? { name: e.name } : {}),
        ...(e.phone !== undefined ? { phone: e.phone } : {}),
      },
      e.messenger,
    );
    const channel = PROVIDER_CHANNEL[c.provider];
    // A call the clinic makes is a callback: it belongs to the patient's open inquiry, whatever
    // channel that came by (a callback form, most often).
    let inquiry = await findOpenInquiry(tx, c.operatorId, subject.id, e.opens ? channel : null);
    let opened = false;
    if (!inquiry) {
      if (!e.opens) throw new NothingToStore();
      inquiry = await this.open(tx, c, op, e, subject, at);
      opened = true;
    }
    // The patient acted, unless this is a call the clinic made.
    const actor: Actor = e.opens ? { type: 'subject', id: subject.id } : { type: 'system', id: c.provider };
    const details = e.kind === 'call' ? JSON.stringify(e.call) : (e.text ?? '');
    await addInquiryEvent(tx, {
      id: ids.uuid(),
      operatorId: c.operatorId,
      inquiryId: inquiry.id,
      at,
      kind: e.kind,
      note: { key: subject.dataKey, text: details },
      actor,
    });
    if (!opened) {
      await audit.record(tx, {
        actor,
        action: e.kind === 'call' ? 'inquiry.call' : 'inquiry.message',
        objectType: 'inquiry',
        objectId: inquiry.id,
        subjectId: subject.id,
        operatorId: c.operatorId,
        source: channel,
        result: 'success',
      });
    }
    const reply = PROVIDER_REPLY_CHANNEL[c.provider];
    if (e.kind === 'message' && reply && e.replyTo !== undefined) {
      await this.askConsent(tx, c, op, subject, inquiry, reply, e.replyTo, at);
    }
    return true;
  }

  /**
   * Opens the inquiry through the inquiries module, as every intake does: a message or a call has
   * no form fields (its history is the inquiry), and where to answer the patient is kept when the
   * channel can be answered on.
   */
  private async open(
    tx: Tx,
    c: InboundConnection,
    op: OperatorDto,
    e: InboundEvent,
    subject: SubjectHandle,
    at: Date,
  ): Promise<OpenInquiry> {
    const reply = PROVIDER_REPLY_CHANNEL[c.provider];
    return openInquiry(
      tx,
      { audit: this.deps.audit, events: this.deps.events },
      {
        id: this.deps.ids.uuid(),
        operatorId: c.operatorId,
        subject,
        siteId: null,
        formId: e.kind === 'call' ? 'call' : 'message',
        channel: PROVIDER_CHANNEL[c.provider],
        page: null,
        fields: {},
        // A patient's message may describe symptoms (COMPLIANCE A8); a call's details do not.
        possibleHealthData: e.kind === 'message',
        onBehalf: false,
        replyTo: reply && e.replyTo !== undefined ? { channel: reply, address: e.replyTo } : undefined,
        actor: { type: 'subject', id: subject.id },
        at,
        hours: op,
      },
    );
  }

  /**
   * Queues, once per inquiry, the reply that links an unconsented patient to the operator's
   * published processing consent. Without a published policy or a site to link to, nothing is
   * queued (and the next message tries again).
   */
  private async askConsent(
    tx: Tx,
    c: InboundConnection,
    op: OperatorDto,
    subject: SubjectHandle,
    inquiry: OpenInquiry,
    reply: MessagingChannel,
    replyTo: string,
    at: Date,
  ): Promise<void> {
    if (await hasConsent(tx, c.operatorId, subject.id, 'processing', 'ever')) return;
    if (await repo.templateQueued(tx, c.operatorId, inquiry.id, CONSENT_REQUEST_TEMPLATE)) return;
    const policy = await this.deps.policy.current(c.operatorId);
    const base = publicBaseOf(op, this.deps.publicUrl);
    if (!policy || !base) {
      this.deps.log?.warn(
        { operatorId: c.operatorId, inquiryId: inquiry.id, reason: policy ? 'no_site' : 'no_policy' },
        'consent request not queued',
      );
      return;
    }
    const url = `${base}${policy.documents.consent_processing.url}`;
    const text =
      `Здравствуйте! Это ${op.shortName ?? op.name}. Ваше обращение № ${inquiry.number} получено. ` +
      `Прежде чем мы ответим, ознакомьтесь, пожалуйста, с согласием на обработку персональных данных: ${url}`;
    const outboxId = await this.deps.outbox.add(
      tx,
      {
        operatorId: c.operatorId,
        subjectId: subject.id,
        channel: reply,
        template: CONSENT_REQUEST_TEMPLATE,
        payload: replyPayload(reply, replyTo, text),
        // A reply in the conversation the patient started: not held back by quiet hours.
        inquiryId: inquiry.id,
      },
      subject.dataKey,
    );
    await addInquiryEvent(tx, {
      id: this.deps.ids.uuid(),
      operatorId: c.operatorId,
      inquiryId: inquiry.id,
      at,
      kind: 'notification',
      refId: outboxId,
      actor: { type: 'system', id: 'channels' },
    });
  }
}

/** The outbox payload of a text message on a channel (contract 4 of issue 4). */
export function replyPayload(
  channel: MessagingChannel,
  replyTo: string,
  text: string,
): Record<string, string> {
  switch (channel) {
    case 'telegram':
      return { chatId: replyTo, text };
    case 'whatsapp':
      return { to: replyTo, text };
    case 'sms':
      return { to: replyTo, text };
    case 'max':
      return { userId: replyTo, text };
  }
}

/**
 * Where the operator's public pages (and so its documents) are: the installation's public URL when
 * it is one of the operator's sites, otherwise the first site over the same scheme.
 */
export function publicBaseOf(op: Pick<OperatorDto, 'sites'>, publicUrl: string): string | undefined {
  const site = op.sites[0];
  if (!site) return undefined;
  const configured = new URL(publicUrl);
  const match = op.sites.find((s) => s.domain === configured.host || s.domain === configured.hostname);
  return match ? configured.origin : `${configured.protocol}//${site.domain}`;
}
