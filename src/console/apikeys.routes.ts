/**
 * Console routes for API keys: the organisations whose keys the reader manages, one organisation's
 * keys (create, revoke), and the page that shows a new key once. Handlers are thin: the API keys
 * service checks `operator.manage` first, validates and audits (`api_key.create`,
 * `api_key.revoke`); a refused form comes back on the page with what was typed and a message
 * beside each field.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { App } from '../app.ts';
import type { AppContext } from '../composition/context.ts';
import type { ApiKeyScope } from '../modules/apikeys/index.ts';
import { principalOf } from '../modules/staff/index.ts';
import { AppError, ErrorCode } from '../platform/errors.ts';
import { OperatorParams } from './admin.schemas.ts';
import { apiKeyCreatedPage, apiKeysIndexPage, apiKeysPage, apiKeysUrl } from './apikeys.pages.ts';
import { EmptyForm, NoticeQuery } from './console.schemas.ts';
import { send } from './console.routes.ts';
import { apiKeysDictionary } from './i18n/apikeys.ts';
import { dictionaryFor, localeOf } from './i18n/index.ts';
import { operatorsWhere, pageBase, READ, WRITE } from './section.ts';

/**
 * A new key as the form sends it. Bounded above the service's limits so that a too-long or unknown
 * value comes back as a field error from the service, not as a bare 400.
 */
export const ApiKeyForm = z.strictObject({
  _csrf: z.string().max(200),
  name: z.string().max(1000),
  scopes: z.union([z.string().max(50), z.array(z.string().max(50)).max(10)]).optional(),
});

const KeyParams = z.object({ operatorId: z.uuid(), keyId: z.uuid() });

const FORM_FIELDS = ['name', 'scopes'] as const;

export async function registerApiKeyRoutes(app: App, ctx: AppContext): Promise<void> {
  const { apiKeys, operators } = ctx.services;

  const signedIn = async (req: FastifyRequest, reply: FastifyReply, path: string) => {
    const base = await pageBase(req, reply, path);
    return { ...base, k: apiKeysDictionary(base.t.htmlLang) };
  };
  const words = (req: FastifyRequest) => apiKeysDictionary(dictionaryFor(localeOf(req)).htmlLang);

  const view = async (
    req: FastifyRequest,
    reply: FastifyReply,
    operatorId: string,
    status: number,
    extra: {
      notice?: string;
      error?: string;
      refused?: { name: string; scopes: string[]; errors: string[] };
    } = {},
  ) => {
    const principal = principalOf(req);
    // The keys first: the service checks the permission, so someone without it learns nothing.
    const keys = await apiKeys.list(principal, operatorId);
    const operator = await operators.get(principal, operatorId);
    return send(
      reply,
      status,
      apiKeysPage({ ...(await signedIn(req, reply, apiKeysUrl(operatorId))), operator, keys, ...extra }),
    );
  };

  app.get('/console/api-keys', READ, async (req, reply) => {
    const mine = await operatorsWhere(operators, principalOf(req), 'operator.manage');
    return send(
      reply,
      200,
      apiKeysIndexPage({ ...(await signedIn(req, reply, '/console/api-keys')), operators: mine }),
    );
  });

  app.get(
    '/console/operators/:operatorId/api-keys',
    { ...READ, schema: { params: OperatorParams, querystring: NoticeQuery } },
    async (req, reply) =>
      view(req, reply, req.params.operatorId, 200, {
        notice: req.query.m === 'revoked' ? words(req).revoked : undefined,
      }),
  );

  app.post(
    '/console/operators/:operatorId/api-keys',
    { ...WRITE, schema: { params: OperatorParams, body: ApiKeyForm } },
    async (req, reply) => {
      const { operatorId } = req.params;
      const principal = principalOf(req);
      const b = req.body;
      const scopes = b.scopes === undefined ? [] : Array.isArray(b.scopes) ? b.scopes : [b.scopes];
      try {
        // As ticked: none is refused by the service (at least one right), never the default taken.
        const { key, ...apiKey } = await apiKeys.create(principal, operatorId, {
          name: b.name,
          scopes: scopes as ApiKeyScope[],
        });
        const operator = await operators.get(principal, operatorId);
        // Shown once, here: only the key's hash is kept.
        return send(
          reply,
          200,
          apiKeyCreatedPage({
            ...(await signedIn(req, reply, apiKeysUrl(operatorId))),
            operator,
            apiKey,
            key,
          }),
        );
      } catch (e) {
        if (!(e instanceof AppError) || e.code !== ErrorCode.ValidationFailed) throw e;
        const errors = (e.details?.fields ?? [])
          .map((f) => f.path.split('.')[0] ?? '')
          .filter((f) => (FORM_FIELDS as readonly string[]).includes(f));
        return view(req, reply, operatorId, 400, {
          error: words(req).invalid,
          refused: { name: b.name, scopes, errors },
        });
      }
    },
  );

  app.post(
    '/console/operators/:operatorId/api-keys/:keyId/revoke',
    { ...WRITE, schema: { params: KeyParams, body: EmptyForm } },
    async (req, reply) => {
      const { operatorId, keyId } = req.params;
      await apiKeys.revoke(principalOf(req), keyId, operatorId);
      return reply.redirect(`${apiKeysUrl(operatorId)}?m=revoked`, 303);
    },
  );
}
