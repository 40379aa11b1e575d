/**
 * Messages to the patient about their inquiry, and marketing with a one-click opt-out.
 *
 * Status notices. `statusChanged` is called by InquiriesService inside the status change's own
 * transaction (contract 6), so a notice exists if and only if the change committed. It queues one
 * outbox message per channel the patient gave and agreed to, each bound by the operator's quiet
 * hours and tied to the inquiry, and writes a `notification` event (ref_id = the outbox row) per
 * message and one `notification.queue` audit entry (the e-mail or reply address was decrypted):
 * - the e-mail given in the inquiry's form (the e-mail template);
 * - the messenger or SMS the patient wrote from (reply_channel and the sealed reply_to), with the
 *   short template;
 * - SMS to the phone given on a site form, with the short template, only when the operator has
 *   switched SMS notices on (each SMS costs money) and the patient is not already answered by SMS.
 * Only for in_progress, waiting_patient, appointment_made, done and rejected, each switchable per
 * channel family; never for new (the intake confirms) nor spam.
 *
 * "Agreed to": the patient's processing consent at the operator is live (given, not withdrawn).
 * The seeds' processing purposes include informing the user of the state of their request (seed
 * 003 s.4.1.6) and contacting them about it (s.4.1.2); the channels are the contacts the patient
 * gave for that request. A notice carries the clinic's name, the inquiry's number, the status and
 * the clinic's contacts: nothing the patient wrote. Marketing never goes this way.
 *
 * Marketing. `sendMarketing` queues e-mails only to subjects with a live marketing consent (seed
 * 003 s.4.1.8-4.1.9; 38-FZ art. 18), each with its own random unsubscribe token (only its SHA-256
 * is stored) in a link and in the RFC 8058 headers. `unsubscribe` withdraws the subject's marketing
 * consents at once through the consent module (audited there as consent.withdraw) and is
 * idempotent; `marketingConsentWithdrawn`, this module's listener of every marketing withdrawal
 * (the link's or one staff recorded), cancels marketing still queued; later marketing finds no
 * live consent and is never queued.
 *
 * Settings. The operator's templates, switches, quiet hours and clinic phone, read and changed
 * with `notification.manage` (audited as `notification.settings` / `notification.template`).
 *
 * @example
 *   await notifications.statusChanged(tx, { operatorId, inquiryId, subjectId, from: 'new', to: 'done', at });
 *   await notifications.saveTemplate(principal, operatorId, { status: 'done', family: 'short', enabled: true,
 *     body: '{clinic_name}: заявка № {inquiry_number} выполнена.' });
 *   await notifications.sendMarketing(principal, operatorId, { all: true,
 *     template: { subject: 'Новая услуга', text: 'Теперь у нас есть МРТ.' } });
 *   await notifications.unsubscribe(token); // the one-click link
 */
import { createHash } from 'node:crypto';
import type { Clock } from '../../platform/clock.ts';
import { openString } from '../../platform/crypto/aead.ts';
import { normalizePhone } from '../../platform/crypto/blind-index.ts';
import type { Database, Tx } from '../../platform/db/database.ts';
import { AppError, ErrorCode, type FieldIssue } from '../../platform/errors.ts';
import { isUuid, randomToken, type Ids } from '../../platform/ids.ts';
import type { Logger } from '../../platform/logger.ts';
import { parseInput } from '../../platform/validation.ts';
import type { AuditService } from '../audit/index.ts';
import {
  hasConsent,
  subjectsWithLiveConsent,
  type ConsentService,
  type ConsentWithdrawn,
} from '../consent/index.ts';
import { addInquiryEvent, inquiryFieldsAad, inquiryReplyToAad } from '../inquiries/index.ts';
import type { KeyringService } from '../keyring/index.ts';
import {
  EMAIL_NOT_CONFIGURED,
  emailPayloadSchema,
  formatClockTime,
  parseClockTime,
  SMS_TEXT_MAX,
  TELEGRAM_TEXT_MAX,
  MAX_TEXT_MAX,
  WHATSAPP_TEXT_MAX,
  type OutboxService,
} from '../outbox/index.ts';
import { auditEntryBy, requirePermission, type Principal } from '../staff/index.ts';
import { subjectAad } from '../subjects/index.ts';
import {
  notificationsRepository as repo,
  type SettingsRow,
  type TemplateRow,
} from './notifications.repository.ts';
import {
  EMAIL_BODY_MAX,
  EMAIL_SUBJECT_MAX,
  isNotifiedStatus,
  MARKETING_PLACEHOLDERS,
  MarketingInput,
  NOTIFIED_STATUSES,
  SettingsInput,
  TEMPLATE_FAMILIES,
  TemplateInput,
  type MarketingResult,
  type NotifiedStatus,
  type SettingsView,
  type StatusChangeEvent,
  type TemplateFamily,
  type TemplateView,
  type UnsubscribeView,
} from './notifications.schemas.ts';
import {
  checkTemplate,
  checkText,
  defaultTemplate,
  fitText,
  PATIENT_STATUS_TITLES,
  renderText,
  type PlaceholderValues,
} from './notifications.templates.ts';
import type { QuietHoursStore } from './quiet-hours.store.ts';

export interface NotificationsDeps {
  db: Database;
  keyring: Pick<KeyringService, 'getDataKey' | 'getDataKeys'>;
  outbox: Pick<OutboxService, 'add' | 'cancelPending' | 'sendsEmail'>;
  audit: AuditService;
  /** Withdraws the marketing consent of the one-click link. */
  consent: Pick<ConsentService, 'withdrawIn'>;
  quietHours: QuietHoursStore;
  clock: Clock;
  ids: Ids;
  /** The installation's public URL: the unsubscribe links and, failing a site, the policy link. */
  publicUrl: string;
  log?: Logger;
}

/** The name notices and marketing act under in events and audit entries. */
export const NOTIFICATIONS_ACTOR = 'notifications';
export const MARKETING_TEMPLATE = 'marketing';
/** Where the one-click unsubscribe links live. */
export const UNSUBSCRIBE_PATH = '/u';

const FORM_CHANNELS = new Set(['web_form', 'widget', 'api']);
const SHORT_LIMITS: Record<string, number> = {
  sms: SMS_TEXT_MAX,
  telegram: TELEGRAM_TEXT_MAX,
  whatsapp: WHATSAPP_TEXT_MAX,
  max: MAX_TEXT_MAX,
};
const TOKEN_RE = /^[A-Za-z0-9_-]{43}$/;
const MARKETING_PAGE = 200;

interface EffectiveTemplate {
  enabled: boolean;
  subject: string | null;
  body: string;
  custom: boolean;
}

type Templates = Record<NotifiedStatus, Record<TemplateFamily, EffectiveTemplate>>;

function effectiveTemplates(rows: readonly TemplateRow[]): Templates {
  const out = {} as Templates;
  for (const status of NOTIFIED_STATUSES) {
    out[status] = {} as Record<TemplateFamily, EffectiveTemplate>;
    for (const family of TEMPLATE_FAMILIES) {
      const d = defaultTemplate(status, family);
      const row = rows.find((r) => r.status === status && r.family === family);
      out[status][family] = {
        enabled: row?.enabled ?? true,
        subject: family === 'email' ? (row?.subject ?? d.subject) : null,
        body: row?.body ?? d.body,
        custom: row !== undefined && (row.subject !== null || row.body !== null),
      };
    }
  }
  return out;
}

/**
 * The operator's public pages: the configured public URL when its host is one of the operator's
 * site domains, else the first site; undefined without a site.
 */
export function publicBaseOf(domains: readonly string[], publicUrl: string): string | undefined {
  const first = domains[0];
  if (first === undefined) return undefined;
  const configured = new URL(publicUrl);
  const match = domains.some((d) => d === configured.host || d === configured.hostname);
  return match ? configured.origin : `${configured.protocol}//${first}`;
}

function hashToken(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

function validation(message: string, fields: FieldIssue[]): AppError {
  return new AppError(ErrorCode.ValidationFailed, message, { fields });
}

export class NotificationsService {
  constructor(private readonly deps: NotificationsDeps) {}

  // --- status notices ---------------------------------------------------------------------------

  /**
   * Queues the patient's notices of a status change, in the change's transaction (scoped to the
   * operator). Does nothing for a status not worth telling, a switched-off template, a patient
   * without a live processing consent or without a channel, or a destroyed subject.
   */
  async statusChanged(tx: Tx, e: StatusChangeEvent): Promise<void> {
    if (!isNotifiedStatus(e.to)) return;
    const { keyring, outbox, audit, ids } = this.deps;
    const tpl = effectiveTemplates(await repo.templates(tx, e.operatorId))[e.to];
    if (!tpl.email.enabled && !tpl.short.enabled) return;
    const inquiry = await repo.inquiryForNotice(tx, e.operatorId, e.inquiryId);
    if (!inquiry) return;
    const subjectId = inquiry.subject_id;
    if (!(await hasConsent(tx, e.operatorId, subjectId, 'processing', 'live'))) return;
    const key = await keyring.getDataKey(subjectId);
    if (!key) return;
    const settings = await repo.settings(tx, e.operatorId);

    const fields = JSON.parse(openString(key, inquiry.fields_enc, inquiryFieldsAad(inquiry.id))) as Record<
      string,
      unknown
    >;
    const targets: { channel: string; address: string }[] = [];
    // Without SMTP the e-mail notice is left out (it would wait forever); the console says so.
    if (outbox.sendsEmail && tpl.email.enabled && typeof fields.email === 'string' && fields.email !== '') {
      targets.push({ channel: 'email', address: fields.email });
    }
    if (tpl.short.enabled && inquiry.reply_channel !== null && inquiry.reply_to_enc !== null) {
      targets.push({
        channel: inquiry.reply_channel,
        address: openString(key, inquiry.reply_to_enc, inquiryReplyToAad(inquiry.id)),
      });
    }
    if (
      tpl.short.enabled &&
      settings?.sms_notices === true &&
      FORM_CHANNELS.has(inquiry.channel) &&
      inquiry.reply_channel !== 'sms' &&
      typeof fields.phone === 'string'
    ) {
      const phone = e164Of(fields.phone);
      if (phone !== undefined) targets.push({ channel: 'sms', address: phone });
    }
    if (targets.length === 0) return;

    const values = await this.values(tx, e.operatorId, settings, {
      inquiry_number: inquiry.number,
      status_title: PATIENT_STATUS_TITLES[e.to],
    });
    let queued = 0;
    for (const t of targets) {
      const payload = messagePayload(t.channel, t.address, tpl, values);
      if (!payload) continue;
      const outboxId = await outbox.add(
        tx,
        {
          operatorId: e.operatorId,
          subjectId,
          channel: t.channel,
          template: `status.${e.to}`,
          payload,
          inquiryId: inquiry.id,
          quietHours: true,
        },
        key,
      );
      await addInquiryEvent(tx, {
        id: ids.uuid(),
        operatorId: e.operatorId,
        inquiryId: inquiry.id,
        at: e.at,
        kind: 'notification',
        refId: outboxId,
        actor: { type: 'system', id: NOTIFICATIONS_ACTOR },
      });
      queued++;
    }
    if (queued === 0) return;
    await audit.record(tx, {
      actor: { type: 'system', id: NOTIFICATIONS_ACTOR },
      action: 'notification.queue',
      objectType: 'inquiry',
      objectId: inquiry.id,
      subjectId,
      operatorId: e.operatorId,
      result: 'success',
    });
    this.deps.log?.info(
      {
        operatorId: e.operatorId,
        inquiryId: inquiry.id,
        status: e.to,
        queued,
        channels: targets.map((t) => t.channel),
      },
      'status notices queued',
    );
  }

  /**
   * The clinic's values of the placeholders, with the ones given. Read through `q` (a status
   * change's own transaction), so a notice never waits for a second pool connection.
   */
  private async values(
    q: Pick<Tx, 'query'>,
    operatorId: string,
    settings: SettingsRow | undefined,
    extra: PlaceholderValues,
  ): Promise<PlaceholderValues> {
    const clinic = await repo.clinicOf(q, operatorId);
    const base = clinic ? publicBaseOf(clinic.domains, this.deps.publicUrl) : undefined;
    return {
      clinic_name: clinic ? (clinic.short_name ?? clinic.name) : '',
      clinic_phone: settings?.clinic_phone ?? '',
      policy_url: base ? `${base}/privacy` : '',
      ...extra,
    };
  }

  // --- settings and templates -------------------------------------------------------------------

  /** The operator's settings with every template in force. */
  async getSettings(principal: Principal, operatorId: string): Promise<SettingsView> {
    this.requireManage(principal, operatorId);
    return this.deps.db.transaction(async (tx) => {
      const s = await repo.settings(tx, operatorId);
      const templates = effectiveTemplates(await repo.templates(tx, operatorId));
      const quiet =
        s === undefined
          ? { start: '21:00', end: '09:00' }
          : s.quiet_start === null || s.quiet_end === null
            ? null
            : { start: formatClockTime(s.quiet_start), end: formatClockTime(s.quiet_end) };
      const list: TemplateView[] = [];
      for (const status of NOTIFIED_STATUSES) {
        for (const family of TEMPLATE_FAMILIES) list.push({ status, family, ...templates[status][family] });
      }
      return {
        quietHours: quiet,
        smsNotices: s?.sms_notices ?? false,
        clinicPhone: s?.clinic_phone ?? null,
        templates: list,
      };
    });
  }

  /** Saves quiet hours, the SMS switch and the clinic phone. */
  async saveSettings(principal: Principal, operatorId: string, input: SettingsInput): Promise<void> {
    this.requireManage(principal, operatorId);
    const s = parseInput(SettingsInput, input, 'Настройки не прошли проверку / The settings are not valid');
    const row: SettingsRow = {
      quiet_start: s.quietHours ? parseClockTime(s.quietHours.start)! : null,
      quiet_end: s.quietHours ? parseClockTime(s.quietHours.end)! : null,
      sms_notices: s.smsNotices,
      clinic_phone: s.clinicPhone,
    };
    await this.deps.db.transaction(async (tx) => {
      await repo.upsertSettings(tx, operatorId, row, this.deps.clock.now());
      await this.deps.audit.record(tx, this.entry(principal, operatorId, 'notification.settings'));
    });
    this.deps.quietHours.forget(operatorId);
  }

  /**
   * Saves one status's template for one family: the switch, and the operator's own subject and
   * text (empty or null: the default). ValidationFailed with a message per field for an unknown
   * placeholder, a stray brace or a text too long.
   */
  async saveTemplate(principal: Principal, operatorId: string, input: TemplateInput): Promise<void> {
    this.requireManage(principal, operatorId);
    const t = this.checkedTemplate(input);
    await this.deps.db.transaction(async (tx) => {
      await repo.upsertTemplate(tx, operatorId, t, this.deps.clock.now());
      await this.deps.audit.record(tx, this.entry(principal, operatorId, 'notification.template'));
    });
  }

  /**
   * The template rendered with this clinic's values and a sample inquiry number, as the patient
   * would read it (validated like `saveTemplate`; nothing is saved).
   */
  async preview(
    principal: Principal,
    operatorId: string,
    input: TemplateInput,
  ): Promise<{ subject: string | null; text: string }> {
    this.requireManage(principal, operatorId);
    const t = this.checkedTemplate(input);
    const { db } = this.deps;
    const settings = await repo.settings(db, operatorId);
    const status = t.status as NotifiedStatus;
    const family = t.family as TemplateFamily;
    const d = defaultTemplate(status, family);
    const values = await this.values(db, operatorId, settings, {
      inquiry_number: '12345',
      status_title: PATIENT_STATUS_TITLES[status],
    });
    const subject =
      family === 'email' ? renderText(t.subject ?? d.subject!, values, { singleLine: true }) : null;
    return { subject, text: renderText(t.body ?? d.body, values) };
  }

  private checkedTemplate(input: TemplateInput): TemplateRow {
    const i = parseInput(TemplateInput, input, 'Шаблон не прошёл проверку / The template is not valid');
    const norm = (v: string | null | undefined) => {
      const s = (v ?? '').replace(/\r\n/g, '\n');
      return s.trim() === '' ? null : s.trim();
    };
    const subject = i.family === 'email' ? norm(i.subject) : null;
    const body = norm(i.body);
    const issues = checkTemplate(i.family, subject, body);
    if (issues.length > 0) throw validation('Шаблон не прошёл проверку / The template is not valid', issues);
    return { status: i.status, family: i.family, enabled: i.enabled, subject, body };
  }

  // --- marketing ----------------------------------------------------------------------------------

  /**
   * Queues a marketing e-mail to the given subjects, or to all of the operator's, that have a live
   * marketing consent and an e-mail; the others are skipped silently. Each message carries its own
   * unsubscribe link (in the text and in the RFC 8058 headers). One `marketing.queue` audit entry
   * per message (the address was decrypted). Batches of 200 subjects per transaction.
   */
  async sendMarketing(
    principal: Principal,
    operatorId: string,
    input: MarketingInput,
  ): Promise<MarketingResult> {
    this.requireManage(principal, operatorId);
    const m = parseInput(MarketingInput, input, 'Рассылка не прошла проверку / The mailing is not valid');
    const subjectTpl = m.template.subject.trim();
    const textTpl = m.template.text.replace(/\r\n/g, '\n').trim();
    const issues = [
      ...checkText('template.subject', subjectTpl, EMAIL_SUBJECT_MAX, MARKETING_PLACEHOLDERS, {
        singleLine: true,
      }),
      ...checkText('template.text', textTpl, EMAIL_BODY_MAX, MARKETING_PLACEHOLDERS),
    ];
    if (issues.length > 0) throw validation('Рассылка не прошла проверку / The mailing is not valid', issues);

    const { db, keyring, outbox, audit, clock } = this.deps;
    if (!outbox.sendsEmail) throw new AppError(ErrorCode.Conflict, EMAIL_NOT_CONFIGURED);
    const settings = await repo.settings(db, operatorId);
    const values = await this.values(db, operatorId, settings, {});
    const subject = renderText(subjectTpl, values, { singleLine: true });
    const text = renderText(textTpl, values);
    const clinic = values.clinic_name ?? '';
    let queued = 0;
    let after: string | null = null;
    for (;;) {
      const page: number = await db.scoped([operatorId], async (tx) => {
        const consenting = await subjectsWithLiveConsent(tx, operatorId, 'marketing', {
          among: m.subjectIds ?? null,
          after,
          limit: MARKETING_PAGE,
        });
        if (consenting.length === 0) return 0;
        after = consenting[consenting.length - 1]!;
        const rows = await repo.recipientsAmong(tx, operatorId, consenting);
        const keys = await keyring.getDataKeys(rows.map((r) => r.id));
        for (const r of rows) {
          const key = keys.get(r.id);
          if (!key) continue;
          const to = openString(key, r.email_enc, subjectAad(r.id, 'email'));
          const token = randomToken(32);
          const at = clock.now();
          await repo.insertToken(tx, { hash: hashToken(token), operatorId, subjectId: r.id, at });
          const url = `${this.deps.publicUrl}${UNSUBSCRIBE_PATH}/${token}`;
          const payload = {
            to,
            subject: fitText(subject, EMAIL_SUBJECT_MAX),
            text: `${text}\n\n—\n${unsubscribeFooter(clinic, url)}\n`,
            unsubscribeUrl: url,
          };
          if (!emailPayloadSchema.safeParse(payload).success) continue;
          await outbox.add(
            tx,
            {
              operatorId,
              subjectId: r.id,
              channel: 'email',
              template: MARKETING_TEMPLATE,
              payload,
              quietHours: true,
            },
            key,
          );
          await audit.record(
            tx,
            auditEntryBy(principal, 'marketing.queue', {
              objectType: 'subject',
              objectId: r.id,
              subjectId: r.id,
              operatorId,
            }),
          );
          queued++;
        }
        return consenting.length;
      });
      if (page < MARKETING_PAGE) break;
    }
    this.deps.log?.info({ operatorId, queued }, 'marketing queued');
    return { queued };
  }

  // --- one-click unsubscribe ----------------------------------------------------------------------

  /** What the link's page shows; undefined for a token that is malformed or unknown. */
  async unsubscribeView(token: string): Promise<UnsubscribeView | undefined> {
    const found = await this.tokenScope(token);
    if (!found) return undefined;
    const { operatorId, hash } = found;
    const state = await this.deps.db.scoped([operatorId], async (tx) => {
      const t = await repo.findToken(tx, operatorId, hash, false);
      if (!t) return undefined;
      return { withdrawn: !(await hasConsent(tx, operatorId, t.subject_id, 'marketing', 'live')) };
    });
    if (!state) return undefined;
    return { clinicName: await this.clinicName(operatorId), withdrawn: state.withdrawn };
  }

  /**
   * Withdraws the marketing consent the token's message was sent under (every live marketing
   * consent of that subject at the operator), at once, and cancels marketing still queued for the
   * subject. Idempotent: a second call changes nothing and writes nothing. Undefined for a
   * malformed or unknown token. Needs no session: the token is the proof.
   */
  async unsubscribe(token: string): Promise<(UnsubscribeView & { changed: boolean }) | undefined> {
    const found = await this.tokenScope(token);
    if (!found) return undefined;
    const { operatorId, hash } = found;
    const { db, clock, consent } = this.deps;
    const changed = await db.scoped([operatorId], async (tx) => {
      const t = await repo.findToken(tx, operatorId, hash, true);
      if (!t) return undefined;
      // The marketing still queued is cancelled by this module's listener of the withdrawal.
      const withdrawn = await consent.withdrawIn(tx, {
        operatorId,
        subjectId: t.subject_id,
        kind: 'marketing',
        channel: 'unsubscribe_link',
        method: 'link',
        by: { type: 'subject', id: t.subject_id },
        // The channel, not the patient's IP address: the audit log holds no personal data.
        source: 'unsubscribe_link',
      });
      await repo.markTokenUsed(tx, hash, clock.now());
      return withdrawn.length > 0;
    });
    if (changed === undefined) return undefined;
    if (changed) this.deps.log?.info({ operatorId }, 'marketing consent withdrawn by link');
    return { clinicName: await this.clinicName(operatorId), withdrawn: true, changed };
  }

  /**
   * A marketing consent was withdrawn (registered with the consent module): the marketing still
   * queued for the subject is cancelled in the withdrawal's transaction, and later marketing finds
   * no live consent.
   */
  async marketingConsentWithdrawn(
    tx: Tx,
    w: Pick<ConsentWithdrawn, 'operatorId' | 'subjectId'>,
  ): Promise<void> {
    await this.deps.outbox.cancelPending(tx, {
      operatorId: w.operatorId,
      subjectId: w.subjectId,
      templates: [MARKETING_TEMPLATE],
      reason: 'consent_withdrawn',
    });
  }

  private async tokenScope(token: string): Promise<{ operatorId: string; hash: Buffer } | undefined> {
    if (!TOKEN_RE.test(token)) return undefined;
    const hash = hashToken(token);
    const operatorId = await repo.tokenOperator(this.deps.db, hash);
    return operatorId !== undefined && isUuid(operatorId) ? { operatorId, hash } : undefined;
  }

  private async clinicName(operatorId: string): Promise<string> {
    const clinic = await repo.clinicOf(this.deps.db, operatorId);
    return clinic ? (clinic.short_name ?? clinic.name) : '';
  }

  // --- helpers ------------------------------------------------------------------------------------

  private requireManage(principal: Principal, operatorId: string): void {
    if (!isUuid(operatorId)) throw new AppError(ErrorCode.NotFound, 'Оператор не найден / Unknown operator');
    requirePermission(principal, 'notification.manage', operatorId);
  }

  private entry(principal: Principal, operatorId: string, action: string) {
    return auditEntryBy(principal, action, {
      objectType: 'operator',
      objectId: operatorId,
      subjectId: null,
      operatorId,
    });
  }
}

/** The patient's phone in E.164, or undefined when it is not a number SMS can reach. */
function e164Of(raw: string): string | undefined {
  try {
    return normalizePhone(raw).e164;
  } catch {
    return undefined;
  }
}

/** The outbox payload of a notice on a channel (contract 4), or undefined for an unknown channel. */
function messagePayload(
  channel: string,
  address: string,
  tpl: Record<TemplateFamily, EffectiveTemplate>,
  values: PlaceholderValues,
): Record<string, unknown> | undefined {
  // A text whose every line lost a placeholder's value renders empty: nothing to send.
  if (channel === 'email') {
    const d = tpl.email;
    const subject = fitText(renderText(d.subject ?? '', values, { singleLine: true }), EMAIL_SUBJECT_MAX);
    const text = fitText(renderText(d.body, values), EMAIL_BODY_MAX);
    return subject === '' || text === '' ? undefined : { to: address, subject, text };
  }
  const limit = SHORT_LIMITS[channel];
  if (limit === undefined) return undefined;
  const text = fitText(renderText(tpl.short.body, values), limit);
  if (text === '') return undefined;
  switch (channel) {
    case 'sms':
      return { to: address.startsWith('+') ? address : `+${address}`, text };
    case 'whatsapp':
      return { to: address.replace(/^\+/, ''), text };
    case 'telegram':
      return { chatId: address, text };
    case 'max':
      return { userId: address, text };
    default:
      return undefined;
  }
}

function unsubscribeFooter(clinic: string, url: string): string {
  const who = clinic ? ` от ${clinic}` : '';
  return (
    `Вы получили это письмо, потому что согласились получать рекламные сообщения${who}. ` +
    `Отписаться одним нажатием: ${url}`
  );
}
