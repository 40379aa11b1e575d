/** The public site's request shapes. Every posted value is a plain string; the intake validates it. */
import { z } from 'zod';
import { FIELD_NAMES, FORM_IDS, MAX_REVIEWS_PAGE } from './web.ports.ts';
import { INPUT } from './views/forms.ts';

const value = z.string().optional();

/** A form POST: the declared fields, the consents, the representative and the site's own inputs. */
export const SiteFormBody = z.strictObject({
  ...Object.fromEntries(FIELD_NAMES.map((n) => [n, value])),
  ...Object.fromEntries(Object.values(INPUT).map((n) => [n, value])),
} as Record<(typeof FIELD_NAMES)[number] | (typeof INPUT)[keyof typeof INPUT], typeof value>);
export type SiteFormBody = z.infer<typeof SiteFormBody>;

export const FormParams = z.strictObject({ formId: z.enum(FORM_IDS) });

/**
 * The reviews page's page number. Other parameters (a link's utm_...) are ignored, and a page
 * number that is not one shows the first page: a public link should not end in an error.
 */
export const ReviewsQuery = z.object({
  page: z.coerce.number().int().min(1).max(MAX_REVIEWS_PAGE).optional().catch(undefined),
});

const version = z.coerce.number().int().min(1).max(1_000_000);

export const VersionParams = z.strictObject({ n: version });
export const DiffQuery = z.strictObject({ from: version, to: version });
// A stale or edited link still shows the thank-you page, just without the form's own line.
export const ThanksQuery = z.object({ form: z.enum(FORM_IDS).optional().catch(undefined) });

/**
 * The widget's frame names the page's host it sits on (that host must be a declared site), and may
 * ask for English (`lang=en`).
 */
export const EmbedQuery = z.strictObject({
  site: z.string().min(1).max(300),
  lang: z.enum(['ru', 'en']).optional(),
});
export type EmbedQuery = z.infer<typeof EmbedQuery>;
