/**
 * Form bodies of the console. Strict: an unknown field is a 400. Every form carries `_csrf`,
 * checked before these schemas run (requireCsrf is a preValidation hook).
 */
import { z } from 'zod';

const csrf = z.string().max(200);

export const LoginForm = z.strictObject({
  _csrf: csrf,
  email: z.string().max(320),
  // Long enough for any real password, short enough that hashing it costs nothing extra.
  password: z.string().max(1024),
});

export const CodeForm = z.strictObject({
  _csrf: csrf,
  code: z.string().max(64),
});

export const PasswordConfirmForm = z.strictObject({
  _csrf: csrf,
  password: z.string().max(1024),
});

export const EmptyForm = z.strictObject({ _csrf: csrf });

export const ChangePasswordForm = z.strictObject({
  _csrf: csrf,
  current: z.string().max(1024),
  next: z.string().max(1024),
  repeat: z.string().max(1024),
});

export const LanguageForm = z.strictObject({
  _csrf: csrf,
  lang: z.enum(['ru', 'en']),
  back: z.string().max(200).optional(),
});

/** Notices shown after a redirect, by key (never free text from the URL). */
export const NoticeQuery = z.object({
  m: z.string().max(40).optional(),
});

/** The organisation a section's page is about. */
export const OperatorParams = z.object({ operatorId: z.uuid() });
