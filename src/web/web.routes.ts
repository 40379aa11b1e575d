/**
 * The public site's routes. Each request is for the clinic its Host names; an unknown host gets a
 * plain 404 page. Handlers are thin: find the site, ask the policy module what is published, render;
 * a form POST makes exactly one call to the intake and maps its answer to a page or a redirect.
 *
 * CSRF: the public site has no session and sets no cookie, so a forged cross-site POST carries no
 * authority to abuse. What it could do (submit an inquiry in someone's name) any visitor can do;
 * the signed form token binds each submission to its operator and form, carries the idempotency
 * key and the time the form was issued (minimum fill time), and CSP `form-action 'self'` keeps the
 * pages' own forms from posting anywhere else.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { App } from '../app.ts';
import type { AppContext } from '../context.ts';
import type { HostMatch } from '../modules/operators/index.ts';
import type { SafeHtml } from '../platform/http/html.ts';
import { HostCache } from './site-host.ts';
import {
  DiffQuery,
  EmbedQuery,
  FormParams,
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
import { errorsByInput, inquiryForm, INPUT, type FormDocs, type FormView } from './views/forms.ts';
import { BASE_CSS, embedPage, SITE_CSS_PATH, SITE_CSS_TEXT } from './views/layout.ts';
import { serveStylesheet } from '../platform/http/stylesheet.ts';
import { CLINIC, FORM_TEXT } from './views/texts.ts';
import { DEMO_OPERATOR_SLUG } from '../cli/demo-data.ts';
import {
  aboutPage,
  cookiesPage,
  diffPage,
  documentBase,
  documentPage,
  embedClosedPage,
  embedRateLimitedPage,
  embedThanksPage,
  formPage,
  homePageOf,
  isPageKey,
  notPublishedPage,
  PAGE_FORMS,
  rateLimitedPage,
  siteNotFoundPage,
  thanksPage,
  versionsPage,
  type PageKey,
  type SiteInfo,
} from './views/pages.ts';

const YEAR_SECONDS = 365 * 24 * 3600;
/** The widget's framed forms (the intake module's `EMBED_FORMS_PREFIX`, whose hook frames them). */
const EMBED_PREFIX = '/embed/forms/';

const STALE_FORM =
  'Форма устарела (страница была открыта слишком давно или загрузилась не полностью). ' +
  'Проверьте данные и отправьте ещё раз.';

function send(reply: FastifyReply, status: number, markup: SafeHtml): FastifyReply {
  // Pages with forms carry a token with the idempotency key: a shared cache must never reuse one.
  return reply
    .code(status)
    .header('cache-control', 'no-store')
    .type('text/html; charset=utf-8')
    .send(markup.toString());
}

function infoOf(m: HostMatch): SiteInfo {
  const op = m.operator;
  return {
    texts: op.slug === DEMO_OPERATOR_SLUG ? CLINIC : undefined,
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

function docsOf(p: PublishedPolicy): FormDocs {
  return {
    policy: p.documents.privacy_policy,
    processing: p.documents.consent_processing,
    marketing: p.documents.consent_marketing,
    reviewPublication: p.documents.consent_review_publication,
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
  const { policy, intake } = deps;
  const hosts = new HostCache((h) => ctx.services.operators.findByHost(h), ctx.clock);

  const siteOf = async (
    req: FastifyRequest,
    reply: FastifyReply,
    host = req.host,
  ): Promise<Site | undefined> => {
    const match = await hosts.find(host);
    if (!match) {
      void send(reply, 404, siteNotFoundPage());
      return undefined;
    }
    return { match, info: infoOf(match), operatorId: match.operator.id };
  };

  const published = async (site: Site): Promise<PublishedPolicy | undefined> =>
    policy.current(site.operatorId);

  const formView = async (
    site: Site,
    p: PublishedPolicy,
    def: FormDecl,
    pageKey: PageKey | 'embed',
    again?: { token: string; values: Record<string, string>; errors: Record<string, string> },
  ): Promise<FormView> => ({
    def,
    pageKey,
    docs: docsOf(p),
    timeZone: site.info.timeZone,
    token: again?.token ?? (await intake.issueFormToken(site.operatorId, def.id)),
    values: again?.values,
    errors: again?.errors,
  });

  /** Renders a page with its forms; `again` fills one of them back in after a refusal. */
  const renderFormPage = async (
    site: Site,
    key: PageKey,
    again?: { formId: FormId; token: string; values: Record<string, string>; errors: Record<string, string> },
  ): Promise<SafeHtml> => {
    const p = await published(site);
    const views: FormView[] = [];
    if (p) {
      for (const formId of PAGE_FORMS[key].forms as readonly FormId[]) {
        const def = p.declaration.forms.find((f) => f.id === formId);
        if (def) views.push(await formView(site, p, def, key, again?.formId === formId ? again : undefined));
      }
    }
    return formPage({ site: site.info, key, forms: views });
  };

  app.get(SITE_CSS_PATH, async (_req, reply) =>
    reply
      .header('cache-control', `public, max-age=${YEAR_SECONDS}, immutable`)
      .type('text/css; charset=utf-8')
      .send(SITE_CSS_TEXT),
  );
  serveStylesheet(app, BASE_CSS);

  for (const key of Object.keys(PAGE_FORMS) as PageKey[]) {
    app.get(PAGE_FORMS[key].path, async (req, reply) => {
      const site = await siteOf(req, reply);
      if (!site) return reply;
      return send(reply, 200, await renderFormPage(site, key));
    });
  }

  app.get('/about', async (req, reply) => {
    const site = await siteOf(req, reply);
    if (!site) return reply;
    return send(reply, 200, aboutPage(site.info));
  });

  app.get('/thanks', { schema: { querystring: ThanksQuery } }, async (req, reply) => {
    const site = await siteOf(req, reply);
    if (!site) return reply;
    return send(reply, 200, thanksPage(site.info, req.query.form));
  });

  app.get('/cookies', async (req, reply) => {
    const site = await siteOf(req, reply);
    if (!site) return reply;
    const p = await published(site);
    return send(reply, 200, cookiesPage(site.info, p?.declaration.cookies, p?.documents.cookie_notice?.url));
  });

  for (const kind of DOCUMENT_KINDS) {
    const base = documentBase(kind);

    const showDocument = async (req: FastifyRequest, reply: FastifyReply, version?: number) => {
      const site = await siteOf(req, reply);
      if (!site) return reply;
      const current = (await published(site))?.documents[kind];
      const rendered = current ? await policy.renderDocument(site.operatorId, kind, version) : undefined;
      if (!rendered) return send(reply, 404, notPublishedPage(site.info, kind));
      return send(
        reply,
        200,
        documentPage({
          site: site.info,
          kind,
          doc: rendered.doc,
          body: rendered.html,
          archived: version !== undefined,
          currentVersion: current?.version,
        }),
      );
    };

    app.get(base, async (req, reply) => showDocument(req, reply));
    app.get(`${base}/versions/:n`, { schema: { params: VersionParams } }, async (req, reply) =>
      showDocument(req, reply, req.params.n),
    );
    app.get(`${base}/versions`, async (req, reply) => {
      const site = await siteOf(req, reply);
      if (!site) return reply;
      const versions = await policy.versions(site.operatorId, kind);
      return send(reply, 200, versionsPage({ site: site.info, kind, versions }));
    });
    app.get(`${base}/diff`, { schema: { querystring: DiffQuery } }, async (req, reply) => {
      const site = await siteOf(req, reply);
      if (!site) return reply;
      if (!(await published(site))?.documents[kind]) {
        return send(reply, 404, notPublishedPage(site.info, kind));
      }
      const { from, to } = req.query;
      const diff = await policy.diff(site.operatorId, kind, from, to);
      return send(reply, 200, diffPage({ site: site.info, kind, from, to, diff }));
    });
  }

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
    | { kind: 'rate_limited'; retryAfterSeconds: number };

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
    const values = typedValues(body);
    const token = await intake.readFormToken(body[INPUT.token] ?? '');
    if (!token || token.operatorId !== site.operatorId || token.formId !== formId) {
      const fresh = await intake.issueFormToken(site.operatorId, formId);
      return {
        kind: 'again',
        def,
        policy: p,
        again: { formId, token: fresh, values, errors: { _form: STALE_FORM } },
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
            errors: errorsByInput(def, result.errors),
          },
        };
      case 'rate_limited':
        return { kind: 'rate_limited', retryAfterSeconds: result.retryAfterSeconds };
    }
  };

  app.post('/forms/:formId', { schema: { params: FormParams, body: SiteFormBody } }, async (req, reply) => {
    const site = await siteOf(req, reply);
    if (!site) return reply;
    const { formId } = req.params;
    const posted = req.body[INPUT.page];
    const pageKey =
      isPageKey(posted) && (PAGE_FORMS[posted].forms as readonly FormId[]).includes(formId)
        ? posted
        : homePageOf(formId);
    const outcome = await submit(req, site, formId, req.body, {
      channel: 'web_form',
      page: PAGE_FORMS[pageKey].path,
    });
    switch (outcome.kind) {
      case 'thanks':
        return reply.header('cache-control', 'no-store').redirect(`/thanks?form=${formId}`, 303);
      case 'closed':
        return send(reply, 404, await renderFormPage(site, homePageOf(formId)));
      case 'again':
        return send(reply, 400, await renderFormPage(site, pageKey, outcome.again));
      case 'rate_limited':
        void reply.header('retry-after', String(outcome.retryAfterSeconds));
        return send(reply, 429, rateLimitedPage(site.info, outcome.retryAfterSeconds));
    }
  });

  // --- the widget's framed form: /embed/forms/:formId?site=<the host page's host> ----------------
  // The site comes from `site`, not from Host (the frame is on Soglasie's own host); the intake
  // module's hook lets exactly that operator's declared sites frame these pages.

  const embedSite = async (
    req: FastifyRequest,
    reply: FastifyReply,
    host: string,
  ): Promise<Site | undefined> => siteOf(req, reply, host);
  const embedAction = (formId: FormId, host: string) =>
    `${EMBED_PREFIX}${formId}?site=${encodeURIComponent(host)}`;
  const embedForm = async (
    site: Site,
    formId: FormId,
    host: string,
    again?: Again,
  ): Promise<SafeHtml | undefined> => {
    const p = await published(site);
    const def = p?.declaration.forms.find((f) => f.id === formId);
    if (!p || !def) return undefined;
    const view = await formView(site, p, def, 'embed', again);
    return embedPage({
      title: `${FORM_TEXT[formId].title} · ${site.info.clinicName}`,
      body: inquiryForm({ ...view, headingLevel: 1, action: embedAction(formId, host) }),
    });
  };

  app.get(
    `${EMBED_PREFIX}:formId`,
    { schema: { params: FormParams, querystring: EmbedQuery } },
    async (req, reply) => {
      const site = await embedSite(req, reply, req.query.site);
      if (!site) return reply;
      const markup = await embedForm(site, req.params.formId, req.query.site);
      return markup ? send(reply, 200, markup) : send(reply, 404, embedClosedPage());
    },
  );

  app.post(
    `${EMBED_PREFIX}:formId`,
    { schema: { params: FormParams, querystring: EmbedQuery, body: SiteFormBody } },
    async (req, reply) => {
      const host = req.query.site;
      const site = await embedSite(req, reply, host);
      if (!site) return reply;
      const { formId } = req.params;
      const outcome = await submit(req, site, formId, req.body, {
        channel: 'widget',
        page: `${EMBED_PREFIX}${formId}`,
      });
      switch (outcome.kind) {
        case 'thanks':
          return reply
            .header('cache-control', 'no-store')
            .redirect(`${EMBED_PREFIX}${formId}/thanks?site=${encodeURIComponent(host)}`, 303);
        case 'closed':
          return send(reply, 404, embedClosedPage());
        case 'again':
          return send(reply, 400, (await embedForm(site, formId, host, outcome.again)) ?? embedClosedPage());
        case 'rate_limited':
          void reply.header('retry-after', String(outcome.retryAfterSeconds));
          return send(reply, 429, embedRateLimitedPage(outcome.retryAfterSeconds));
      }
    },
  );

  app.get(
    `${EMBED_PREFIX}:formId/thanks`,
    { schema: { params: FormParams, querystring: EmbedQuery } },
    async (req, reply) => {
      const site = await embedSite(req, reply, req.query.site);
      if (!site) return reply;
      return send(reply, 200, embedThanksPage(req.params.formId));
    },
  );
}
