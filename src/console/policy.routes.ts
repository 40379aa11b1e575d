/**
 * The console's policy pages: /console/operators/:operatorId/policy shows the draft declaration as
 * YAML (the textarea is also the import), the linter's findings, the publish button and the
 * published versions; /policy/export downloads the draft; /policy/diff shows the changes between
 * two versions of a document. Handlers are thin; PolicyService checks 'policy.manage'.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { App } from '../app.ts';
import type { AppContext } from '../composition/context.ts';
import { AppError, ErrorCode } from '../platform/errors.ts';
import { declarationToYaml, DocumentKind, DocumentLang, type LintIssue } from '../modules/policy/index.ts';
import { principalOf, requirePermission } from '../modules/staff/index.ts';
import type { OperatorDto } from '../modules/operators/index.ts';
import { OperatorParams } from './admin.schemas.ts';
import { EmptyForm, NoticeQuery } from './console.schemas.ts';
import { send } from './console.routes.ts';
import { pageBase, READ, WRITE } from './section.ts';
import { dictionaryFor, localeOf } from './i18n/index.ts';
import { policyDiffPage, policyPage, type PolicyPageOptions } from './views/policy-pages.ts';

/** The draft as the textarea sends it; the service bounds its size again. */
export const PolicyForm = z.strictObject({ _csrf: z.string().max(200), yaml: z.string().max(300_000) });

const version = z.coerce.number().int().min(1).max(1_000_000);
export const PolicyDiffQuery = z.strictObject({
  kind: DocumentKind,
  lang: DocumentLang.default('ru'),
  from: version,
  to: version,
});

// What a new operator's textarea starts with: the shape, to be filled in.
const TEMPLATE =
  'version: 1\ncategories: []\nsubjects: []\npurposes: []\nrecipients: []\nchannels: []\ncookies: []\nforms: []\nrequests:\n  withdrawalMethods: []\n';

const policyPath = (id: string): string => `/console/operators/${id}/policy`;

/** Where the operator's public pages live: the configured public URL when it is one of its sites. */
function publicBaseOf(operator: OperatorDto, publicUrl: string): string | undefined {
  const site = operator.sites[0];
  if (!site) return undefined;
  const configured = new URL(publicUrl);
  const match = operator.sites.find((s) => s.domain === configured.host || s.domain === configured.hostname);
  return match ? configured.origin : `${configured.protocol}//${site.domain}`;
}

export async function registerPolicyRoutes(app: App, ctx: AppContext): Promise<void> {
  const { operators, policy } = ctx.services;

  const view = async (
    req: FastifyRequest,
    reply: FastifyReply,
    operatorId: string,
    status: number,
    extra: Partial<Pick<PolicyPageOptions, 'yaml' | 'errors' | 'notice' | 'error'>> = {},
  ) => {
    const principal = principalOf(req);
    // The permission first: someone without it learns nothing about the operator's policy.
    requirePermission(principal, 'policy.manage', operatorId);
    const operator = await operators.get(principal, operatorId);
    const draft = await policy.getDraft(principal, operatorId);
    const issues: LintIssue[] = draft ? await policy.lint(principal, operatorId, draft.declaration) : [];
    const yaml =
      extra.yaml ??
      (draft
        ? declarationToYaml(draft.declaration)
        : ((await policy.exportYaml(principal, operatorId)) ?? TEMPLATE));
    return send(
      reply,
      status,
      policyPage({
        ...(await pageBase(req, reply, policyPath(operatorId))),
        operator,
        yaml,
        draftUpdatedAt: draft?.updatedAt,
        issues,
        publications: await policy.publications(principal, operatorId),
        publicBase: publicBaseOf(operator, ctx.config.publicUrl),
        ...extra,
      }),
    );
  };

  app.get(
    '/console/operators/:operatorId/policy',
    { ...READ, schema: { params: OperatorParams, querystring: NoticeQuery } },
    async (req, reply) => {
      const t = dictionaryFor(localeOf(req));
      const notices: Record<string, string> = {
        saved: t.policy.saved,
        published: t.policy.published,
        unchanged: t.policy.publishedNothing,
      };
      return view(req, reply, req.params.operatorId, 200, {
        notice: req.query.m ? notices[req.query.m] : undefined,
      });
    },
  );

  app.post(
    '/console/operators/:operatorId/policy',
    { ...WRITE, schema: { params: OperatorParams, body: PolicyForm } },
    async (req, reply) => {
      const { operatorId } = req.params;
      try {
        await policy.importYaml(principalOf(req), operatorId, req.body.yaml);
      } catch (e) {
        if (!(e instanceof AppError) || e.code !== ErrorCode.ValidationFailed) throw e;
        const t = dictionaryFor(localeOf(req));
        return view(req, reply, operatorId, 400, {
          yaml: req.body.yaml,
          errors: e.details?.fields ?? [{ path: '', message: e.message }],
          error: t.policy.invalid,
        });
      }
      return reply.redirect(`${policyPath(operatorId)}?m=saved`, 303);
    },
  );

  app.post(
    '/console/operators/:operatorId/policy/publish',
    { ...WRITE, schema: { params: OperatorParams, body: EmptyForm } },
    async (req, reply) => {
      const { operatorId } = req.params;
      const principal = principalOf(req);
      const before = (await policy.current(operatorId))?.declarationVersion;
      try {
        const after = await policy.publish(principal, operatorId);
        const m = after.declarationVersion === before ? 'unchanged' : 'published';
        return reply.redirect(`${policyPath(operatorId)}?m=${m}`, 303);
      } catch (e) {
        if (!(e instanceof AppError) || e.code !== ErrorCode.ValidationFailed) throw e;
        const t = dictionaryFor(localeOf(req));
        return view(req, reply, operatorId, 400, {
          errors: e.details?.fields ?? [],
          error: t.policy.publishRefused,
        });
      }
    },
  );

  app.get(
    '/console/operators/:operatorId/policy/export',
    { ...READ, schema: { params: OperatorParams } },
    async (req, reply) => {
      const yaml = await policy.exportYaml(principalOf(req), req.params.operatorId);
      if (yaml === undefined) throw new AppError(ErrorCode.NotFound, 'No policy declaration');
      const operator = await operators.get(principalOf(req), req.params.operatorId);
      return reply
        .header('cache-control', 'no-store')
        .header('content-disposition', `attachment; filename="policy-${operator.slug}.yaml"`)
        .type('application/yaml; charset=utf-8')
        .send(yaml);
    },
  );

  app.get(
    '/console/operators/:operatorId/policy/diff',
    { ...READ, schema: { params: OperatorParams, querystring: PolicyDiffQuery } },
    async (req, reply) => {
      const principal = principalOf(req);
      const { operatorId } = req.params;
      requirePermission(principal, 'policy.manage', operatorId);
      const operator = await operators.get(principal, operatorId);
      const { kind, lang, from, to } = req.query;
      const diff = await policy.diff(operatorId, kind, from, to, lang);
      return send(
        reply,
        200,
        policyDiffPage({
          ...(await pageBase(req, reply, `${policyPath(operatorId)}/diff`)),
          operator,
          kind,
          lang,
          from,
          to,
          diff,
        }),
      );
    },
  );
}
