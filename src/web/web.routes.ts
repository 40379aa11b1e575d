/**
 * The public site's routes. Each request is for the clinic its Host names; an unknown host gets a
 * plain 404 page. Handlers are thin: find the site, ask the policy module what is published, render;
 * a form POST makes exactly one call to the intake and maps its answer to a page or a redirect.
 *
 * Every page and form exists twice: in Russian at the root and in English under `/en` (`/en/`,
 * `/en/privacy`, `/en/forms/callback`, ...). An English page links the English documents, and its
 * form tells the intake so, so that the consent records cite the English texts the patient saw;
 * the intake's Russian field messages are shown in English there. Errors (an unknown path, a
 * failure) on a clinic's host are rendered in the site's frame and the URL's language.
 *
 * CSRF: the public site has no session and sets no cookie, so a forged cross-site POST carries no
 * authority to abuse. What it could do (submit an inquiry in someone's name) any visitor can do;
 * the signed form token binds each submission to its operator and form, carries the idempotency
 * key and the time the form was issued (minimum fill time), and CSP `form-action 'self'` keeps the
 * pages' own forms from posting anywhere else.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { App } from '../app.ts';
import type { AppContext } from '../composition/context.ts';
import type { HostMatch } from '../modules/operators/index.ts';
import type { SafeHtml } from '../platform/http/html.ts';
import { addHtmlErrorRenderer } from '../platform/http/error-handler.ts';
import {
  DiffQuery,
  EmbedQuery,
  FormParams,
  ReviewsQuery,
  SiteFormBody,
  ThanksQuery,
  VersionParams,
} from './web.schemas.ts';
import {
  DOCUMENT_KINDS,
  type FormDecl,
  type FormId,
  type IntakeInput,
  type PublishedPolicy,
  type WebDeps,
} from './web.ports.ts';
import { englishFieldErrors } from './views/field-messages.ts';
import { errorsByInput, inquiryForm, INPUT, type FormDocs, type FormView } from './views/forms.ts';
import { langOfPath, LANGS, localPath } from './views/lang.ts';
import { BASE_CSS, embedPage, SITE_CSS_PATH, SITE_CSS_TEXT } from './views/layout.ts';
import { serveStylesheet } from '../platform/http/stylesheet.ts';
import { CLINIC, SITE_TEXT, type Lang } from './views/texts.ts';
import { DEMO_OPERATOR_SLUG } from '../cli/demo-data.ts';
import {
  aboutPage,
  cookiesPage,
  diffPage,
  documentBase,
  documentPage,
  embedClosedPage,
  embedThanksPage,
  errorPage,
  formPage,
  homePageOf,
  isPageKey,
  notPublishedPage,
  PAGE_FORMS,
  siteNotFoundPage,
  thanksPage,
  versionsPage,
  type PageKey,
  type SiteInfo,
} from './views/pages.ts';

const YEAR_SECONDS = 365 * 24 * 3600;
/** The widget's framed forms (the intake module's `EMBED_FORMS_PREFIX`, whose hook frames them). */
const EMBED_PREFIX = '/embed/forms/';

function send(reply: FastifyReply, status: number, markup: SafeHtml): FastifyReply {
  // Pages with forms carry a token with the idempotency key: a shared cache must never reuse one.
  return reply
    .code(status)
    .header('cache-control', 'no-store')
    .type('text/html; charset=utf-8')
    .send(markup.toString());
}

function infoOf(m: HostMatch, lang: Lang): SiteInfo {
  const op = m.operator;
  return {
    lang,
    texts: op.slug === DEMO_OPERATOR_SLUG ? CLINIC[lang] : undefined,
    clinicName: m.site.title,
    legalName: op.shortName ?? op.name,
    inn: op.inn,
    ogrn: op.ogrn,
    postalAddress: op.postalAddress,
    requestsEmail: op.requestsEmail,
    requestsPostalAddress: op.requestsPostalAddress,
    responsiblePerson: op.responsiblePerson,
    timeZone: op.timeZone,
  };
}

interface Site {
  match: HostMatch;
  info: SiteInfo;
  operatorId: string;
}

/** The documents a page links and its consents cite: the English ones on English pages, if published. */
function documentsOf(p: PublishedPolicy, lang: Lang): PublishedPolicy['documents'] {
  return (lang === 'en' ? p.documentsEn : undefined) ?? p.documents;
}

function docsOf(p: PublishedPolicy, lang: Lang): FormDocs {
  const d = documentsOf(p, lang);
  return {
    policy: d.privacy_policy,
    processing: d.consent_processing,
    marketing: d.consent_marketing,
    reviewPublication: d.consent_review_publication,
  };
}

/** The posted values that go back into the form after a refusal (never the token or honeypot). */
function typedValues(body: SiteFormBody): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(body)) {
    if (typeof v === 'string' && k !== INPUT.token && k !== INPUT.honeypot && k !== INPUT.page) out[k] = v;
  }
  return out;
}

/**
 * Registers the site's routes. Until an operator publishes its policy, its pages render and say
 * that the site takes no inquiries yet.
 */
export async function registerWebRoutes(app: App, ctx: AppContext, deps: WebDeps): Promise<void> {
  const { policy, intake, reviews } = deps;
  // The operators module remembers Host answers for a few seconds (unknown hosts too).
  const hosts = {
    find: (host: string | undefined) =>
      host && host.length <= 300 ? ctx.services.operators.findByHost(host) : Promise.resolve(undefined),
  };

  const siteOf = async (
    req: FastifyRequest,
    reply: FastifyReply,
    lang: Lang,
    host = req.host,
  ): Promise<Site | undefined> => {
    const match = await hosts.find(host);
    if (!match) {
      void send(reply, 404, siteNotFoundPage(lang));
      return undefined;
    }
    return { match, info: infoOf(match, lang), operatorId: match.operator.id };
  };

  // Errors of a clinic's pages in the site's frame (the console, on its own paths, keeps its own).
  addHtmlErrorRenderer(app, async (req, status, body) => {
    if (/^\/console(?:[/?#]|$)/.test(req.url)) return undefined;
    const match = await hosts.find(req.host);
    if (!match) return undefined;
    return errorPage(infoOf(match, langOfPath(req.url)), status, body.correlationId).toString();
  });

  const published = async (site: Site): Promise<PublishedPolicy | undefined> =>
    policy.current(site.operatorId);

  const formView = async (
    site: Site,
    p: PublishedPolicy,
    def: FormDecl,
    pageKey: PageKey | 'embed',
    again?: { token: string; values: Record<string, string>; errors: Record<string, string> },
  ): Promise<FormView> => ({
    lang: site.info.lang,
    def,
    pageKey,
    docs: docsOf(p, site.info.lang),
    timeZone: site.info.timeZone,
    token: again?.token ?? (await intake.issueFormToken(site.operatorId, def.id)),
    values: again?.values,
    errors: again?.errors,
  });

  /**
   * Renders a page with its forms; `again` fills one of them back in after a refusal. The reviews
   * page also shows a page (`reviewsPage`, the first by default) of the published reviews.
   */
  const renderFormPage = async (
    site: Site,
    key: PageKey,
    again?: { formId: FormId; token: string; values: Record<string, string>; errors: Record<string, string> },
    reviewsPage = 1,
  ): Promise<SafeHtml> => {
    const p = await published(site);
    const views: FormView[] = [];
    if (p) {
      for (const formId of PAGE_FORMS[key].forms as readonly FormId[]) {
        const def = p.declaration.forms.find((f) => f.id === formId);
        if (def) views.push(await formView(site, p, def, key, again?.formId === formId ? again : undefined));
      }
    }
    const shown = key === 'reviews' ? await reviews.published(site.operatorId, reviewsPage) : undefined;
    return formPage({ site: site.info, key, forms: views, reviews: shown });
  };

  app.get(SITE_CSS_PATH, async (_req, reply) =>
    reply
      .header('cache-control', `public, max-age=${YEAR_SECONDS}, immutable`)
      .type('text/css; charset=utf-8')
      .send(SITE_CSS_TEXT),
  );
  serveStylesheet(app, BASE_CSS);

  for (const lang of LANGS) {
    const at = (path: string) => localPath(lang, path);
    /** The documents in force in this language (none in English before the policy has them). */
    const inForce = (p: PublishedPolicy | undefined) => (lang === 'en' ? p?.documentsEn : p?.documents);

    for (const key of Object.keys(PAGE_FORMS) as PageKey[]) {
      if (key === 'reviews') continue;
      app.get(at(PAGE_FORMS[key].path), async (req, reply) => {
        const site = await siteOf(req, reply, lang);
        if (!site) return reply;
        return send(reply, 200, await renderFormPage(site, key));
      });
    }

    // The published reviews (newest first, in pages) above the review form. Unpublishing shows
    // here at once on the instance that did it, and within the reviews' cache time (30 s,
    // REVIEWS_CACHE_TTL_MS) on the others.
    app.get(at(PAGE_FORMS.reviews.path), { schema: { querystring: ReviewsQuery } }, async (req, reply) => {
      const site = await siteOf(req, reply, lang);
      if (!site) return reply;
      return send(reply, 200, await renderFormPage(site, 'reviews', undefined, req.query.page ?? 1));
    });

    app.get(at('/about'), async (req, reply) => {
      const site = await siteOf(req, reply, lang);
      if (!site) return reply;
      return send(reply, 200, aboutPage(site.info));
    });

    app.get(at('/thanks'), { schema: { querystring: ThanksQuery } }, async (req, reply) => {
      const site = await siteOf(req, reply, lang);
      if (!site) return reply;
      const formId = req.query.form;
      const asksEmail = async () =>
        formId === undefined ||
        ((await published(site))?.declaration.forms.find((f) => f.id === formId)?.fields ?? []).some(
          (f) => f.name === 'email',
        );
      return send(reply, 200, thanksPage(site.info, formId, deps.sendsEmail && (await asksEmail())));
    });

    app.get(at('/cookies'), async (req, reply) => {
      const site = await siteOf(req, reply, lang);
      if (!site) return reply;
      const p = await published(site);
      const notice = p ? documentsOf(p, lang).cookie_notice.url : undefined;
      return send(reply, 200, cookiesPage(site.info, p?.declaration.cookies, notice));
    });

    for (const kind of DOCUMENT_KINDS) {
      const base = documentBase(kind, lang);

      const showDocument = async (req: FastifyRequest, reply: FastifyReply, version?: number) => {
        const site = await siteOf(req, reply, lang);
        if (!site) return reply;
        const current = inForce(await published(site))?.[kind];
        if (!current) return send(reply, 404, notPublishedPage(site.info, kind));
        const rendered = await policy.renderDocument(site.operatorId, kind, version, lang);
        return send(
          reply,
          200,
          documentPage({
            site: site.info,
            kind,
            doc: rendered.doc,
            body: rendered.html,
            archived: version !== undefined,
            currentVersion: current.version,
          }),
        );
      };

      app.get(base, async (req, reply) => showDocument(req, reply));
      app.get(`${base}/versions/:n`, { schema: { params: VersionParams } }, async (req, reply) =>
        showDocument(req, reply, req.params.n),
      );
      app.get(`${base}/versions`, async (req, reply) => {
        const site = await siteOf(req, reply, lang);
        if (!site) return reply;
        const versions = await policy.versions(site.operatorId, kind, lang);
        return send(reply, 200, versionsPage({ site: site.info, kind, versions }));
      });
      app.get(`${base}/diff`, { schema: { querystring: DiffQuery } }, async (req, reply) => {
        const site = await siteOf(req, reply, lang);
        if (!site) return reply;
        if (!inForce(await published(site))?.[kind]) {
          return send(reply, 404, notPublishedPage(site.info, kind));
        }
        const { from, to } = req.query;
        const diff = await policy.diff(site.operatorId, kind, from, to, lang);
        return send(reply, 200, diffPage({ site: site.info, kind, from, to, diff }));
      });
    }
  }
  // The English home page is `/en/`; its address without the slash leads there.
  app.get('/en', async (_req, reply) => reply.redirect('/en/', 301));

  type Again = {
    formId: FormId;
    token: string;
    values: Record<string, string>;
    errors: Record<string, string>;
  };
  type Outcome =
    | { kind: 'thanks' }
    | { kind: 'closed' }
    | { kind: 'again'; again: Again; def: FormDecl; policy: PublishedPolicy }
    | { kind: 'rate_limited'; retryAfterSeconds: number; again: Again };

  /** One submission: check the token, make the one intake call, say what to show. */
  const submit = async (
    req: FastifyRequest,
    site: Site,
    formId: FormId,
    body: SiteFormBody,
    where: { channel: 'web_form' | 'widget'; page: string },
  ): Promise<Outcome> => {
    const p = await published(site);
    const def = p?.declaration.forms.find((f) => f.id === formId);
    if (!p || !def) return { kind: 'closed' };
    const { lang } = site.info;
    const values = typedValues(body);
    const token = await intake.readFormToken(body[INPUT.token] ?? '');
    if (!token || token.operatorId !== site.operatorId || token.formId !== formId) {
      const fresh = await intake.issueFormToken(site.operatorId, formId);
      return {
        kind: 'again',
        def,
        policy: p,
        again: { formId, token: fresh, values, errors: { _form: SITE_TEXT[lang].form.stale } },
      };
    }
    const fields: Record<string, string> = {};
    for (const f of def.fields) {
      const v = body[f.name];
      if (v !== undefined) fields[f.name] = v;
    }
    const ticked = (name: keyof SiteFormBody) => body[name] === 'yes';
    const representativeName = (body[INPUT.representativeName] ?? '').trim();
    const relation = (body[INPUT.representativeRelation] ?? '').trim();
    const show = body[INPUT.reviewShow];
    const input: IntakeInput = {
      operatorId: site.operatorId,
      siteId: site.match.site.id,
      formId,
      fields,
      consents: {
        processing: ticked(INPUT.consentProcessing),
        marketing: def.optionalConsents.includes('marketing') && ticked(INPUT.consentMarketing),
        ...(def.optionalConsents.includes('review_publication')
          ? {
              reviewPublication: {
                allowed: ticked(INPUT.consentReview),
                // Anything but a listed choice shows the least: the author's name stays hidden.
                show: show === 'first_name_initial' || show === 'first_name' ? show : 'anonymous',
              },
            }
          : {}),
      },
      // A representative's name typed without ticking the box still means "for someone else".
      ...(ticked(INPUT.onBehalf) || representativeName !== ''
        ? { onBehalf: { representativeName, ...(relation ? { relation } : {}) } }
        : {}),
      channel: where.channel,
      page: where.page,
      ip: req.ip,
      userAgent: req.headers['user-agent'] ?? '',
      idempotencyKey: token.idempotencyKey,
      startedAt: token.issuedAt,
      honeypot: body[INPUT.honeypot] ?? '',
      // The consents cite the documents in the language the patient read them in.
      lang,
    };
    const result = await intake.submit(input);
    switch (result.kind) {
      // A bot is thanked like anyone else: telling it why would teach it.
      case 'created':
      case 'duplicate':
      case 'spam':
        return { kind: 'thanks' };
      case 'invalid':
        // The same token again: its issue time keeps counting for the minimum fill time, and its
        // idempotency key was not used by a refused submission.
        return {
          kind: 'again',
          def,
          policy: p,
          again: {
            formId,
            token: body[INPUT.token] ?? '',
            values,
            errors: errorsByInput(def, lang === 'en' ? englishFieldErrors(result.errors) : result.errors),
          },
        };
      case 'rate_limited': {
        // The form again with what the patient typed and the same token (its idempotency key was
        // not used), saying when to send it; nothing was written.
        const minutes = Math.max(1, Math.ceil(result.retryAfterSeconds / 60));
        return {
          kind: 'rate_limited',
          retryAfterSeconds: result.retryAfterSeconds,
          again: {
            formId,
            token: body[INPUT.token] ?? '',
            values,
            errors: { _form: SITE_TEXT[lang].form.tooMany(minutes, site.info.texts?.phone) },
          },
        };
      }
    }
  };

  for (const lang of LANGS) {
    const at = (path: string) => localPath(lang, path);
    app.post(
      at('/forms/:formId'),
      { schema: { params: FormParams, body: SiteFormBody } },
      async (req, reply) => {
        const site = await siteOf(req, reply, lang);
        if (!site) return reply;
        const { formId } = req.params;
        const posted = req.body[INPUT.page];
        const pageKey =
          isPageKey(posted) && (PAGE_FORMS[posted].forms as readonly FormId[]).includes(formId)
            ? posted
            : homePageOf(formId);
        const outcome = await submit(req, site, formId, req.body, {
          channel: 'web_form',
          page: at(PAGE_FORMS[pageKey].path),
        });
        switch (outcome.kind) {
          case 'thanks':
            // The thank-you page in the language of the form.
            return reply.header('cache-control', 'no-store').redirect(at(`/thanks?form=${formId}`), 303);
          case 'closed':
            return send(reply, 404, await renderFormPage(site, homePageOf(formId)));
          case 'again':
            return send(reply, 400, await renderFormPage(site, pageKey, outcome.again));
          case 'rate_limited':
            void reply.header('retry-after', String(outcome.retryAfterSeconds));
            return send(reply, 429, await renderFormPage(site, pageKey, outcome.again));
        }
      },
    );
  }

  // --- the widget's framed form: /embed/forms/:formId?site=<the host page's host>[&lang=en] -------
  // The site comes from `site`, not from Host (the frame is on Soglasie's own host); the intake
  // module's hook lets exactly that operator's declared sites frame these pages. `lang=en` shows
  // the form in English, citing the English documents, and keeps the language through its answers.

  const embedSite = async (
    req: FastifyRequest,
    reply: FastifyReply,
    q: EmbedQuery,
  ): Promise<Site | undefined> => siteOf(req, reply, q.lang ?? 'ru', q.site);
  const embedQuery = (q: EmbedQuery) =>
    `?site=${encodeURIComponent(q.site)}${q.lang === 'en' ? '&lang=en' : ''}`;
  const embedForm = async (
    site: Site,
    formId: FormId,
    q: EmbedQuery,
    again?: Again,
  ): Promise<SafeHtml | undefined> => {
    const p = await published(site);
    const def = p?.declaration.forms.find((f) => f.id === formId);
    if (!p || !def) return undefined;
    const view = await formView(site, p, def, 'embed', again);
    return embedPage({
      lang: site.info.lang,
      title: `${SITE_TEXT[site.info.lang].forms[formId].title} · ${site.info.clinicName}`,
      body: inquiryForm({ ...view, headingLevel: 1, action: `${EMBED_PREFIX}${formId}${embedQuery(q)}` }),
    });
  };

  app.get(
    `${EMBED_PREFIX}:formId`,
    { schema: { params: FormParams, querystring: EmbedQuery } },
    async (req, reply) => {
      const site = await embedSite(req, reply, req.query);
      if (!site) return reply;
      const markup = await embedForm(site, req.params.formId, req.query);
      return markup ? send(reply, 200, markup) : send(reply, 404, embedClosedPage(site.info.lang));
    },
  );

  app.post(
    `${EMBED_PREFIX}:formId`,
    { schema: { params: FormParams, querystring: EmbedQuery, body: SiteFormBody } },
    async (req, reply) => {
      const site = await embedSite(req, reply, req.query);
      if (!site) return reply;
      const { lang } = site.info;
      const { formId } = req.params;
      const outcome = await submit(req, site, formId, req.body, {
        channel: 'widget',
        page: `${EMBED_PREFIX}${formId}`,
      });
      switch (outcome.kind) {
        case 'thanks':
          return reply
            .header('cache-control', 'no-store')
            .redirect(`${EMBED_PREFIX}${formId}/thanks${embedQuery(req.query)}`, 303);
        case 'closed':
          return send(reply, 404, embedClosedPage(lang));
        case 'again':
          return send(
            reply,
            400,
            (await embedForm(site, formId, req.query, outcome.again)) ?? embedClosedPage(lang),
          );
        case 'rate_limited':
          void reply.header('retry-after', String(outcome.retryAfterSeconds));
          return send(
            reply,
            429,
            (await embedForm(site, formId, req.query, outcome.again)) ?? embedClosedPage(lang),
          );
      }
    },
  );

  app.get(
    `${EMBED_PREFIX}:formId/thanks`,
    { schema: { params: FormParams, querystring: EmbedQuery } },
    async (req, reply) => {
      const site = await embedSite(req, reply, req.query);
      if (!site) return reply;
      return send(reply, 200, embedThanksPage(req.params.formId, site.info.lang));
    },
  );
}
