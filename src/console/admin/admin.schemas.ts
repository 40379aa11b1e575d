/**
 * Form bodies and URL parameters of the administrator's console pages. Strict, like every console
 * form: an unknown field is a 400. Text fields are bounded only loosely here; the services'
 * schemas hold the real rules, and their field errors are shown beside the fields with what was
 * typed kept. `_csrf` is checked before these run (requireCsrf is a preValidation hook).
 */
import { z } from 'zod';
import { ROLES } from '../../modules/staff/index.ts';

const csrf = z.string().max(200);
// Above every service limit (the longest is 1000), so that a too-long value reaches the service
// and comes back as a field error rather than a bare 400 page.
const text = z.string().max(2000);

export const SiteParams = z.object({ operatorId: z.uuid(), siteId: z.uuid() });
export const StaffParams = z.object({ operatorId: z.uuid(), staffId: z.uuid() });

/** The operator's card as the form sends it (every field, typed or not). */
export const OperatorDetailsForm = z.strictObject({
  _csrf: csrf,
  name: text,
  shortName: text,
  inn: text,
  ogrn: text,
  postalAddress: text,
  responsiblePerson: text,
  requestsEmail: text,
  requestsPostalAddress: text,
  timeZone: text,
});
export type OperatorDetailsForm = z.infer<typeof OperatorDetailsForm>;

/** A new operator: its card, its identifier, its first site and the MFA rule (a checkbox). */
export const OperatorCreateForm = OperatorDetailsForm.extend({
  slug: text,
  domain: text,
  siteTitle: text,
  requireMfa: z.literal('on').optional(),
});
export type OperatorCreateForm = z.infer<typeof OperatorCreateForm>;

export const SiteForm = z.strictObject({ _csrf: csrf, domain: text, title: text });
export type SiteForm = z.infer<typeof SiteForm>;

export const RequireMfaForm = z.strictObject({ _csrf: csrf, requireMfa: z.enum(['on', 'off']) });

export const RoleForm = z.strictObject({ _csrf: csrf, role: z.enum(ROLES) });

export const NewStaffForm = z.strictObject({
  _csrf: csrf,
  email: text,
  displayName: text,
  role: z.enum(ROLES),
});
export type NewStaffForm = z.infer<typeof NewStaffForm>;
