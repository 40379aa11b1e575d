/**
 * Operators (the legal entities that process personal data) and their sites: the validation
 * schemas, which are also the TypeScript types, and the DTOs the module hands out.
 */
import { domainToASCII } from 'node:url';
import { WorkingHours } from '../../platform/calendar/index.ts';
import { z } from 'zod';

const INN10_WEIGHTS = [2, 4, 10, 3, 5, 9, 4, 6, 8];
const INN11_WEIGHTS = [7, 2, 4, 10, 3, 5, 9, 4, 6, 8];
const INN12_WEIGHTS = [3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8];

function innCheck(digits: number[], weights: number[]): number {
  return (weights.reduce((sum, w, i) => sum + w * digits[i]!, 0) % 11) % 10;
}

/**
 * True for a taxpayer number with valid check digits: 10 digits for an organisation, 12 for a
 * person (an individual entrepreneur can be an operator too).
 *
 * @example
 *   isValidInn('7707083893'); // true
 */
export function isValidInn(inn: string): boolean {
  if (!/^(\d{10}|\d{12})$/.test(inn)) return false;
  const d = [...inn].map(Number);
  if (d.length === 10) return innCheck(d, INN10_WEIGHTS) === d[9];
  return innCheck(d, INN11_WEIGHTS) === d[10] && innCheck(d, INN12_WEIGHTS) === d[11];
}

/**
 * True for a state registration number with a valid check digit: OGRN (13 digits, the first 12
 * modulo 11) or OGRNIP (15 digits, the first 14 modulo 13); the remainder's last digit is the check.
 *
 * @example
 *   isValidOgrn('1027700132195'); // true
 */
export function isValidOgrn(ogrn: string): boolean {
  if (!/^(\d{13}|\d{15})$/.test(ogrn)) return false;
  const body = BigInt(ogrn.slice(0, -1));
  const mod = ogrn.length === 13 ? 11n : 13n;
  return Number((body % mod) % 10n) === Number(ogrn.slice(-1));
}

/** True for an IANA time zone name this runtime knows (aliases such as Europe/Kiev included). */
export function isTimeZone(tz: string): boolean {
  if (!/^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+)*$/.test(tz)) return false;
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

/**
 * Normalises a site's host as it is entered or sent in a Host header: lower case, Cyrillic (IDN)
 * domains to punycode, a trailing dot dropped, an optional port kept. Returns undefined for
 * anything that is not a plain host name or IPv4 address (URLs, paths, IPv6, underscores).
 *
 * @example
 *   normalizeHost('Клиника-МРТ-Люкс.РФ'); // 'xn-----6kc5aakcdcgjh8brl8q.xn--p1ai'
 *   normalizeHost('localhost:3000'); // 'localhost:3000'
 */
export function normalizeHost(input: string): string | undefined {
  const m = /^([^:/\s]+?)\.?(?::(\d{1,5}))?$/u.exec(input.trim());
  if (!m) return undefined;
  const [, rawName, port] = m;
  if (port !== undefined && (Number(port) < 1 || Number(port) > 65535 || port.startsWith('0'))) {
    return undefined;
  }
  const ascii = domainToASCII(rawName!.toLowerCase());
  if (!ascii || ascii.length > 253 || !ascii.split('.').every((l) => LABEL.test(l))) return undefined;
  return port === undefined ? ascii : `${ascii}:${port}`;
}

// Free text of a legal entity's card: trimmed, non-empty, bounded, no control characters.
const text = (max: number) =>
  z
    .string()
    .trim()
    .min(1, 'Поле не заполнено / Required')
    .max(max, `Не длиннее ${max} символов / At most ${max} characters`)
    .refine((s) => !/\p{Cc}/u.test(s), 'Недопустимые символы / Control characters are not allowed');

export const Inn = z
  .string()
  .trim()
  .refine(isValidInn, 'ИНН неверен (10 или 12 цифр с контрольными) / Invalid INN');
export const Ogrn = z
  .string()
  .trim()
  .refine(isValidOgrn, 'ОГРН неверен (13 или 15 цифр с контрольной) / Invalid OGRN');
export const TimeZone = z
  .string()
  .trim()
  .refine(isTimeZone, 'Неизвестный часовой пояс / Unknown IANA time zone');
export const Slug = z
  .string()
  .trim()
  .regex(/^[a-z0-9][a-z0-9-]{1,62}$/, 'Латинские строчные буквы, цифры и дефис / a-z, 0-9 and hyphens');
const Email = z
  .string()
  .trim()
  .max(254)
  .pipe(z.email('Адрес электронной почты указан неверно / Invalid e-mail address'));

/** A site (domain) to add to an operator; the domain is normalised by the schema. */
export const SiteInput = z.strictObject({
  domain: z
    .string()
    .max(300)
    .transform((s, ctx) => {
      const host = normalizeHost(s);
      if (host === undefined) {
        ctx.addIssue({ code: 'custom', message: 'Неверное доменное имя / Invalid domain name' });
        return z.NEVER;
      }
      return host;
    }),
  /** Shown to people; defaults to the domain in its Unicode form. */
  title: text(200).optional(),
});
export type SiteInput = z.input<typeof SiteInput>;

const details = {
  name: text(500),
  shortName: text(200).nullable().optional(),
  inn: Inn,
  ogrn: Ogrn,
  postalAddress: text(1000),
  responsiblePerson: text(300),
  requestsEmail: Email,
  requestsPostalAddress: text(1000),
  timeZone: TimeZone.default('Europe/Moscow'),
};

/** A new operator: its legal card, its slug, and optionally its first sites. */
export const OperatorCreate = z.strictObject({
  slug: Slug,
  ...details,
  requireMfa: z.boolean().default(false),
  sites: z.array(SiteInput).max(50).default([]),
});
export type OperatorCreate = z.input<typeof OperatorCreate>;

/** A partial change of an operator's card; at least one field. */
export const OperatorPatch = z
  .strictObject({
    name: details.name.optional(),
    shortName: details.shortName,
    inn: Inn.optional(),
    ogrn: Ogrn.optional(),
    postalAddress: details.postalAddress.optional(),
    responsiblePerson: details.responsiblePerson.optional(),
    requestsEmail: Email.optional(),
    requestsPostalAddress: details.requestsPostalAddress.optional(),
    timeZone: TimeZone.optional(),
    /** Weekly hours, for the first contact's due time. */
    workingHours: WorkingHours.optional(),
    requireMfa: z.boolean().optional(),
  })
  .refine((p) => Object.values(p).some((v) => v !== undefined), 'Нет изменений / Nothing to change');
export type OperatorPatch = z.input<typeof OperatorPatch>;

export const SiteDto = z.object({
  id: z.uuid(),
  domain: z.string(),
  title: z.string(),
  createdAt: z.iso.datetime(),
});
export type SiteDto = z.infer<typeof SiteDto>;

export const OperatorDto = z.object({
  id: z.uuid(),
  slug: z.string(),
  name: z.string(),
  shortName: z.string().nullable(),
  inn: z.string(),
  ogrn: z.string(),
  postalAddress: z.string(),
  responsiblePerson: z.string(),
  requestsEmail: z.string(),
  requestsPostalAddress: z.string(),
  timeZone: z.string(),
  workingHours: WorkingHours,
  requireMfa: z.boolean(),
  sites: z.array(SiteDto),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});
export type OperatorDto = z.infer<typeof OperatorDto>;

/** What `findByHost` gives public pages: the operator's card and the site that matched. */
export interface HostMatch {
  operator: OperatorDto;
  site: SiteDto;
}
