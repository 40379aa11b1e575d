/**
 * Intake: a patient's submission from a site form, the widget or the API becomes, in ONE data
 * transaction scoped to the operator, a subject (found by blind index or created), a consent record
 * per consent given (pointing at the published document's id, version and hash, and the policy
 * version), the inquiry (its fields encrypted under the subject's key), an audit entry, and the
 * confirmation e-mail in the outbox. Everything or nothing.
 *
 * Before the transaction, anti-spam: a filled honeypot, a form sent back faster than the minimum
 * fill time, or more submissions from one address than the rate limit allows are refused and
 * counted per operator and day (spam never reaches the inbox). Idempotency rests on the unique
 * (operator, key) constraint, so a double click or a re-sent POST, even concurrent, makes one
 * inquiry and the second call answers `duplicate` with the first inquiry's id. The key is kept with
 * a keyed hash of the canonical request (see requestHashOf): the same key with a different request
 * is refused with `idempotency_key_reused` (409), never answered with another request's inquiry.
 *
 * @example
 *   const token = await intake.issueFormToken(operatorId, 'callback'); // the form's `_form_token`
 *   const t = await intake.readFormToken(token);
 *   const r = await intake.submit({ operatorId, siteId, formId: 'callback', channel: 'web_form',
 *     fields: { name: 'Анна', phone: '+7 912 345-67-89' }, consents: { processing: true, marketing: false },
 *     page: '/', ip, userAgent, idempotencyKey: t.idempotencyKey, startedAt: t.issuedAt });
 *   // { kind: 'created', inquiryId } | duplicate | invalid (Russian messages per field) | spam | rate_limited
 */
import { createHmac } from 'node:crypto';
import { localDateOf } from '../../platform/calendar/index.ts';
import type { Clock } from '../../platform/clock.ts';
import { sealString } from '../../platform/crypto/aead.ts';
import { isConstraintViolation, type Database, type Tx } from '../../platform/db/database.ts';
import { AppError, ErrorCode } from '../../platform/errors.ts';
import type { Ids } from '../../platform/ids.ts';
import type { Logger } from '../../platform/logger.ts';
import { parseInput } from '../../platform/validation.ts';
import type { AuditService, Actor } from '../audit/index.ts';
import { consentRepresentativeAad, type ConsentKind, type NewConsent } from '../consent/index.ts';
import type { KeyringService } from '../keyring/index.ts';
import type { OperatorDto, OperatorsService } from '../operators/index.ts';
import type { OutboxService } from '../outbox/index.ts';
import {
  CONSENT_DOCUMENT_KIND,
  POSSIBLE_HEALTH_DATA_FIELDS,
  type FieldName,
  type FormDecl,
  type FormId,
  type PublishedPolicy,
} from '../policy/index.ts';
import { requirePermission, systemPrincipal, type Principal } from '../staff/index.ts';
import type { SubjectsService } from '../subjects/index.ts';
import { validateFields, type FieldErrors, type FieldValues } from './fields.ts';
import { FormTokens, type FormToken } from './form-token.ts';
import { bucketOf, slidingDecision } from './sliding-window.ts';
import { inquiriesRepository as repo } from './inquiries.repository.ts';
import type { InquiryEvents } from './inquiries.ports.ts';
import { openInquiry } from './open-inquiry.ts';
import {
  INQUIRY_CONFIRMATION_TEMPLATE,
  IntakeInput,
  type IntakeResult,
  type SpamReason,
} from './inquiries.schemas.ts';

/** What intake needs from the policy module (PolicyService satisfies it). */
export interface PolicySource {
  current(operatorId: string): Promise<PublishedPolicy | undefined>;
}

export interface IntakeLimits {
  /** Public submissions accepted per client address and operator in a sliding window. */
  rateLimit: number;
  /** Public submissions accepted per phone number and per e-mail address and operator. */
  contactRateLimit: number;
  /** API submissions accepted per API key. */
  apiKeyRateLimit: number;
  rateWindowSeconds: number;
  /** A form sent back sooner than this after it was served is spam. */
  minFillSeconds: number;
}

export interface IntakeDeps {
  db: Database;
  operators: Pick<OperatorsService, 'publicCard'>;
  subjects: Pick<SubjectsService, 'findOrCreateInTx'>;
  outbox: Pick<OutboxService, 'add' | 'sendsEmail'>;
  audit: AuditService;
  policy: PolicySource;
  keyring: Pick<KeyringService, 'namedKey'>;
  clock: Clock;
  ids: Ids;
  limits: IntakeLimits;
  log?: Logger;
  /** Outgoing webhooks: queues `inquiry.created` inside the intake's transaction. */
  events?: InquiryEvents;
}

/** The principal the public forms act as: the installation, on the patient's own request. */
const PUBLIC_INTAKE = systemPrincipal('intake');

const RATE_KEY = 'intake-rate';
/** Keys the hash of a request kept beside its idempotency key: the request holds personal data. */
const REQUEST_HASH_KEY = 'intake-request';
const IDEMPOTENCY_CONSTRAINT = 'intake_idempotency_pkey';

export class IntakeService {
  private readonly tokens: FormTokens;
  private rateKey: Promise<Buffer> | undefined;
  private requestKey: Promise<Buffer> | undefined;

  constructor(private readonly deps: IntakeDeps) {
    this.tokens = new FormTokens((n) => deps.keyring.namedKey(n), deps.clock);
  }

  /** A signed token for one rendering of a form (the hidden `_form_token`). */
  issueFormToken(operatorId: string, formId: FormId): Promise<string> {
    return this.tokens.issue(operatorId, formId);
  }

  /** The token's content; undefined when malformed, forged or older than a day. */
  readFormToken(token: string): Promise<FormToken | undefined> {
    return this.tokens.read(token);
  }

  /**
   * Takes one submission. Field problems come back as `invalid` with Russian messages keyed by
   * field name (`consents.processing`, `onBehalf.representativeName` for those); an unknown site
   * or form, or an operator without a published policy, throw AppError. `principal` is the API
   * key's for the API; the public forms pass none.
   */
  async submit(input: IntakeInput, principal?: Principal): Promise<IntakeResult> {
    const i = parseInput(IntakeInput, input);
    if (principal) requirePermission(principal, 'inquiry.create', i.operatorId);
    const { db, clock, limits } = this.deps;
    const now = clock.now();

    const op = await this.deps.operators.publicCard(i.operatorId);
    if (!op) throw new AppError(ErrorCode.NotFound, 'Оператор не найден / Unknown operator');
    if (!op.sites.some((s) => s.id === i.siteId)) {
      throw new AppError(
        ErrorCode.Forbidden,
        'Сайт не принадлежит оператору / The site is not the operator’s',
      );
    }
    const today = localDateOf(now, op.timeZone);

    // Anti-spam first: a bot's submission costs one counter update, never a subject or a key.
    if (i.honeypot !== undefined && i.honeypot.trim() !== '')
      return this.spam(i.operatorId, today, 'honeypot');
    if (i.startedAt && now.getTime() - i.startedAt.getTime() < limits.minFillSeconds * 1000) {
      return this.spam(i.operatorId, today, 'too_fast');
    }
    const refused = await this.checkRates(i, principal, now);
    if (refused) {
      await repo.countSpam(db, i.operatorId, today, 'rate_limited');
      this.deps.log?.info(
        { operatorId: i.operatorId, reason: 'rate_limited', limit: refused.limit },
        'intake refused',
      );
      return { kind: 'rate_limited', retryAfterSeconds: refused.retryAfterSeconds };
    }

    const policy = await this.deps.policy.current(i.operatorId);
    if (!policy) {
      // Without a published consent text there is nothing a consent record could point to.
      throw new AppError(
        ErrorCode.Conflict,
        'Приём обращений недоступен: оператор не опубликовал политику и тексты согласий / ' +
          'Intake is closed: the operator has not published its policy and consent documents',
      );
    }
    const form = policy.declaration.forms.find((f) => f.id === i.formId);
    if (!form)
      throw new AppError(ErrorCode.NotFound, 'Такой формы у оператора нет / The operator has no such form');

    const checked = checkSubmission(i, form, today);
    if (!checked.ok) return { kind: 'invalid', errors: checked.errors };
    const { values, representative } = checked;

    const requestHash = requestHashOf(await this.requestSecret(), i);
    let result: IntakeResult;
    try {
      result = await db.scoped([i.operatorId], (tx) =>
        this.record(tx, i, requestHash, principal ?? PUBLIC_INTAKE, policy, form, values, representative, op),
      );
    } catch (e) {
      // The idempotency key is claimed by the inquiry's own statement: a second submission with
      // the key (a double click, a re-sent POST, even concurrent) waits there for the first to
      // end and fails, rolling back all it did; it answers with the first one's inquiry.
      if (!isConstraintViolation(e, IDEMPOTENCY_CONSTRAINT)) throw e;
      const first = await db.scoped([i.operatorId], (tx) =>
        repo.inquiryOfKey(tx, i.operatorId, i.idempotencyKey),
      );
      if (!first) throw new AppError(ErrorCode.Conflict, 'Повторите отправку / Please submit again');
      if (first.requestHash && !first.requestHash.equals(requestHash)) {
        throw new AppError(
          ErrorCode.IdempotencyKeyReused,
          'Этот ключ идемпотентности уже использован для другого обращения / ' +
            'This idempotency key was used for a different request',
        );
      }
      return { kind: 'duplicate', inquiryId: first.inquiryId };
    }
    if (result.kind === 'created') {
      this.deps.log?.info(
        { operatorId: i.operatorId, inquiryId: result.inquiryId, formId: i.formId, channel: i.channel },
        'inquiry received',
      );
    }
    return result;
  }

  private async record(
    tx: Tx,
    i: ReturnType<typeof IntakeInput.parse>,
    requestHash: Buffer,
    principal: Principal,
    policy: PublishedPolicy,
    form: FormDecl,
    values: FieldValues,
    representative: { name: string; relation?: string } | undefined,
    op: Pick<OperatorDto, 'name' | 'shortName' | 'workingHours' | 'timeZone'>,
  ): Promise<IntakeResult> {
    const { ids, clock, subjects, audit, outbox } = this.deps;
    const inquiryId = ids.uuid();
    const at = clock.now();
    const raw = (n: FieldName) => i.fields[n]?.trim() || undefined;
    const subject = await subjects.findOrCreateInTx(tx, principal, i.operatorId, {
      name: values.name,
      // The raw phone: the subjects module normalises it itself (an extension included).
      phone: values.phone !== undefined ? raw('phone') : undefined,
      email: values.email,
    });
    const key = subject.dataKey;
    const kinds: ConsentKind[] = ['processing'];
    if (i.consents.marketing) kinds.push('marketing');
    if (i.formId === 'review' && i.consents.reviewPublication?.allowed) kinds.push('review_publication');
    const consents = kinds.map((kind): NewConsent => {
      const docKind = CONSENT_DOCUMENT_KIND[kind];
      const doc = (i.lang === 'en' ? policy.documentsEn?.[docKind] : undefined) ?? policy.documents[docKind];
      const id = ids.uuid();
      return {
        id,
        operatorId: i.operatorId,
        subjectId: subject.id,
        inquiryId,
        kind,
        document: { id: doc.id, version: doc.version, sha256: doc.sha256 },
        policyVersion: policy.declarationVersion,
        givenAt: at,
        channel: i.channel,
        formId: i.formId,
        ip: i.ip === '' ? null : i.ip,
        userAgent: i.userAgent === '' ? null : [...i.userAgent].slice(0, 1000).join(''),
        representativeEnc: representative
          ? sealString(key, JSON.stringify(representative), consentRepresentativeAad(id))
          : null,
        evidenceEnc: null,
        reviewShow: kind === 'review_publication' ? (i.consents.reviewPublication?.show ?? null) : null,
      };
    });
    const actor: Actor =
      principal.kind === 'api_key'
        ? { type: 'api_key', id: principal.keyId }
        : { type: 'subject', id: subject.id };
    // The inquiry, its consents and its audit entry go in one statement.
    const { number } = await openInquiry(
      tx,
      { audit, events: this.deps.events },
      {
        id: inquiryId,
        operatorId: i.operatorId,
        subject,
        siteId: i.siteId,
        formId: i.formId,
        channel: i.channel,
        page: pathOnly(i.page),
        fields: values,
        possibleHealthData: form.fields.some(
          (f) =>
            values[f.name] !== undefined && (f.possibleHealthData || POSSIBLE_HEALTH_DATA_FIELDS.has(f.name)),
        ),
        onBehalf: representative !== undefined,
        actor,
        at,
        hours: op,
      },
      { idempotency: { key: i.idempotencyKey, requestHash }, consents },
    );

    // Without SMTP no confirmation is queued, and the thank-you page promises none.
    if (values.email !== undefined && outbox.sendsEmail) {
      await outbox.add(
        tx,
        {
          operatorId: i.operatorId,
          subjectId: subject.id,
          channel: 'email',
          template: INQUIRY_CONFIRMATION_TEMPLATE,
          // The sender renders the text from these; the patient's message is never in it.
          payload: { to: values.email, clinicName: op.shortName ?? op.name, inquiryNumber: number },
        },
        key,
      );
    }
    return { kind: 'created', inquiryId };
  }

  private async spam(operatorId: string, day: string, reason: SpamReason): Promise<IntakeResult> {
    await repo.countSpam(this.deps.db, operatorId, day, reason);
    this.deps.log?.info({ operatorId, reason }, 'intake refused');
    return { kind: 'spam' };
  }

  /**
   * Counts the submission against each of its limits (one statement) and gives it back if any
   * refuses it, so a refused submission never counts: a patient refused behind a busy carrier
   * address gets in as soon as the window has slid, however often they tried meanwhile. The API
   * is limited per key (its caller is a clinic's system, whose address says nothing); the public
   * forms per client address, generously (carriers put many patients behind one address), and
   * per phone and e-mail, tightly (one patient sends few, and a flood to one victim's e-mail
   * would otherwise send them confirmations).
   */
  private async checkRates(
    i: ReturnType<typeof IntakeInput.parse>,
    principal: Principal | undefined,
    now: Date,
  ): Promise<{ limit: RateKind; retryAfterSeconds: number } | undefined> {
    const { db, limits } = this.deps;
    const secret = await this.rateSecret();
    const keyOf = (kind: RateKind, value: string) =>
      createHmac('sha256', secret).update(`${kind}:${value}`).digest();
    const wanted: { kind: RateKind; key: Buffer; limit: number }[] = [];
    if (i.channel === 'api' && principal?.kind === 'api_key') {
      wanted.push({ kind: 'api_key', key: keyOf('api_key', principal.keyId), limit: limits.apiKeyRateLimit });
    } else {
      wanted.push({ kind: 'address', key: keyOf('address', i.ip), limit: limits.rateLimit });
      for (const [kind, value] of contactsOf(i.fields)) {
        wanted.push({ kind, key: keyOf(kind, value), limit: limits.contactRateLimit });
      }
    }
    const windowMs = limits.rateWindowSeconds * 1000;
    const { startMs, elapsedMs } = bucketOf(now.getTime(), windowMs);
    const windowStart = new Date(startMs);
    const keys = wanted.map((w) => w.key);
    const counts = await repo.hitRates(db, i.operatorId, keys, windowStart, new Date(startMs - windowMs));
    let refused: { limit: RateKind; retryAfterSeconds: number } | undefined;
    for (const w of wanted) {
      const c = counts.find((r) => r.key.equals(w.key));
      if (!c) continue;
      const d = slidingDecision(
        { previous: c.previous, current: c.current - 1 },
        w.limit,
        windowMs,
        elapsedMs,
      );
      if (!d.allowed && (!refused || d.retryAfterSeconds > refused.retryAfterSeconds)) {
        refused = { limit: w.kind, retryAfterSeconds: d.retryAfterSeconds };
      }
    }
    if (refused) await repo.unhitRates(db, i.operatorId, keys, windowStart);
    return refused;
  }

  private requestSecret(): Promise<Buffer> {
    if (!this.requestKey) {
      this.requestKey = this.deps.keyring.namedKey(REQUEST_HASH_KEY);
      this.requestKey.catch(() => (this.requestKey = undefined));
    }
    return this.requestKey;
  }

  private rateSecret(): Promise<Buffer> {
    if (!this.rateKey) {
      this.rateKey = this.deps.keyring.namedKey(RATE_KEY);
      this.rateKey.catch(() => (this.rateKey = undefined));
    }
    return this.rateKey;
  }
}

type RateKind = 'address' | 'phone' | 'email' | 'api_key';

/**
 * The phone and e-mail a submission gives, normalised just enough that spellings of one number or
 * address count together: a Russian number's last ten digits, an e-mail lower-cased.
 */
function contactsOf(fields: Readonly<Record<string, string>>): [RateKind, string][] {
  const out: [RateKind, string][] = [];
  const digits = (fields.phone ?? '').replace(/\D/gu, '');
  if (digits.length >= 7) {
    const national = digits.length === 11 && /^[78]/u.test(digits) ? digits.slice(1) : digits;
    out.push(['phone', national]);
  }
  const email = (fields.email ?? '').trim().toLowerCase();
  if (email.includes('@')) out.push(['email', email]);
  return out;
}

/**
 * A keyed hash of what a request asks for: the site, form, channel, page, language, fields (in name
 * order), consents and representative. Not the address, browser, fill time or honeypot: a retry
 * from another network or a re-sent form is the same request.
 */
export function requestHashOf(key: Buffer, i: ReturnType<typeof IntakeInput.parse>): Buffer {
  const canonical = JSON.stringify([
    i.siteId,
    i.formId,
    i.channel,
    i.page,
    i.lang ?? null,
    Object.entries(i.fields).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
    [
      i.consents.processing,
      i.consents.marketing,
      i.consents.reviewPublication?.allowed ?? null,
      i.consents.reviewPublication?.show ?? null,
    ],
    i.onBehalf ? [i.onBehalf.representativeName, i.onBehalf.relation ?? null] : null,
  ]);
  return createHmac('sha256', key).update(canonical, 'utf8').digest();
}

const CONTROL = /\p{Cc}/u;

type Checked =
  | { ok: true; values: FieldValues; representative: { name: string; relation?: string } | undefined }
  | { ok: false; errors: FieldErrors };

/** Fields, consents and the representative, all problems at once. */
function checkSubmission(i: ReturnType<typeof IntakeInput.parse>, form: FormDecl, today: string): Checked {
  const atLeastOneOf =
    form.atLeastOneOf ?? (form.id === 'feedback' ? (['phone', 'email'] as const) : undefined);
  const r = validateFields({ fields: form.fields, atLeastOneOf }, i.fields, { today });
  const errors: FieldErrors = r.ok ? {} : { ...r.errors };
  const values = r.ok ? r.values : {};
  if (r.ok && values.name === undefined && values.phone === undefined && values.email === undefined) {
    errors.name = 'Заполните это поле';
  }
  if (!i.consents.processing) {
    errors['consents.processing'] =
      'Без согласия на обработку персональных данных мы не сможем принять обращение';
  }
  // A consent can only be given to a text the form shows: one the form does not offer is refused.
  if (i.consents.marketing && !form.optionalConsents.includes('marketing')) {
    errors['consents.marketing'] = 'Эта форма не предлагает согласие на рекламные рассылки';
  }
  // The publication consent is optional, as its document says: a review without it is taken and
  // moderated like any other, and never published (ReviewsService.publish refuses it).
  let representative: { name: string; relation?: string } | undefined;
  if (i.onBehalf) {
    const name = i.onBehalf.representativeName.trim();
    const relation = i.onBehalf.relation?.trim() ?? '';
    if (name === '') errors['onBehalf.representativeName'] = 'Укажите, кто отправляет обращение';
    else if (CONTROL.test(name)) errors['onBehalf.representativeName'] = 'Поле содержит недопустимые символы';
    else if ([...name].length > 200) errors['onBehalf.representativeName'] = 'Не больше 200 символов';
    if (CONTROL.test(relation)) errors['onBehalf.relation'] = 'Поле содержит недопустимые символы';
    else if ([...relation].length > 100) errors['onBehalf.relation'] = 'Не больше 100 символов';
    representative = relation === '' ? { name } : { name, relation };
  }
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  return { ok: true, values, representative };
}

/** The page's path only: a query string could carry anything, personal data included. */
function pathOnly(page: string): string | null {
  if (!page.startsWith('/') || page.startsWith('//')) return null;
  const path = page.split(/[?#]/u, 1)[0]!;
  return path.length <= 2000 ? path : null;
}
