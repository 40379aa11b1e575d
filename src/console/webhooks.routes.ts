/**
 * Console routes for outgoing webhooks: the organisations whose webhooks the reader manages, one
 * organisation's endpoints and latest deliveries (add an endpoint, disable one), and one delivery
 * with its attempts (retry). Handlers are thin: the webhooks service checks the permission first
 * (`operator.manage`), validates and audits; a refused form comes back on the page with what was
 * typed and a message beside each field.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { App } from '../app.ts';
import type { AppContext } from '../composition/context.ts';
import { principalOf } from '../modules/staff/index.ts';
import type { WebhookEventType } from '../modules/webhooks/index.ts';
import { AppError, ErrorCode } from '../platform/errors.ts';
import { OperatorParams } from './admin.schemas.ts';
import { EmptyForm, NoticeQuery } from './console.schemas.ts';
import { send } from './console.routes.ts';
import { operatorsWhere, pageBase, READ, WRITE } from './section.ts';
import { dictionaryFor, localeOf } from './i18n/index.ts';
import { webhooksDictionary } from './i18n/webhooks.ts';
import {
  deliveryPage,
  deliveryUrl,
  webhookCreatedPage,
  webhooksIndexPage,
  webhooksPage,
  webhooksUrl,
  type WebhooksPageOptions,
} from './webhooks.pages.ts';

const csrf = z.string().max(200);

/**
 * A new endpoint as the form sends it. Bounded above the service's limits so that a too-long or
 * unknown value comes back as a field error from the service, not as a bare 400.
 */
export const EndpointForm = z.strictObject({
  _csrf: csrf,
  url: z.string().max(4000),
  description: z.string().max(1000).optional(),
  events: z.union([z.string().max(50), z.array(z.string().max(50)).max(10)]).optional(),
});

const EndpointParams = z.object({ operatorId: z.uuid(), endpointId: z.uuid() });
const DeliveryParams = z.object({ operatorId: z.uuid(), deliveryId: z.uuid() });
const WebhooksQuery = NoticeQuery.extend({ endpoint: z.uuid().optional() });

const FORM_FIELDS = ['url', 'description', 'events'] as const;

export async function registerWebhookRoutes(app: App, ctx: AppContext): Promise<void> {
  const { webhooks, operators } = ctx.services;

  const signedIn = async (req: FastifyRequest, reply: FastifyReply, path: string) => {
    const base = await pageBase(req, reply, path);
    return { ...base, w: webhooksDictionary(base.t.htmlLang) };
  };

  const view = async (
    req: FastifyRequest,
    reply: FastifyReply,
    operatorId: string,
    status: number,
    extra: Pick<WebhooksPageOptions, 'notice' | 'error' | 'refused'> & { endpointId?: string } = {},
  ) => {
    const principal = principalOf(req);
    // The endpoints first: they check the permission, so someone without it learns nothing.
    const endpoints = await webhooks.listEndpoints(principal, operatorId);
    const endpointFilter = endpoints.find((e) => e.id === extra.endpointId);
    const deliveries = await webhooks.listDeliveries(principal, operatorId, {
      ...(endpointFilter ? { endpointId: endpointFilter.id } : {}),
      limit: 50,
    });
    const operator = await operators.get(principal, operatorId);
    return send(
      reply,
      status,
      webhooksPage({
        ...(await signedIn(req, reply, webhooksUrl(operatorId))),
        operator,
        endpoints,
        deliveries,
        ...(endpointFilter ? { endpointFilter } : {}),
        ...extra,
      }),
    );
  };

  app.get('/console/webhooks', READ, async (req, reply) => {
    const mine = await operatorsWhere(operators, principalOf(req), 'operator.manage');
    return send(
      reply,
      200,
      webhooksIndexPage({ ...(await signedIn(req, reply, '/console/webhooks')), operators: mine }),
    );
  });

  app.get(
    '/console/operators/:operatorId/webhooks',
    { ...READ, schema: { params: OperatorParams, querystring: WebhooksQuery } },
    async (req, reply) => {
      const w = webhooksDictionary(dictionaryFor(localeOf(req)).htmlLang);
      return view(req, reply, req.params.operatorId, 200, {
        notice: req.query.m === 'disabled' ? w.disabledNotice : undefined,
        ...(req.query.endpoint ? { endpointId: req.query.endpoint } : {}),
      });
    },
  );

  app.post(
    '/console/operators/:operatorId/webhooks',
    { ...WRITE, schema: { params: OperatorParams, body: EndpointForm } },
    async (req, reply) => {
      const { operatorId } = req.params;
      const principal = principalOf(req);
      const b = req.body;
      const events = b.events === undefined ? [] : Array.isArray(b.events) ? b.events : [b.events];
      const description = b.description?.trim() ?? '';
      try {
        const { secret, endpoint } = await webhooks.createEndpoint(principal, operatorId, {
          url: b.url,
          // As typed: the service validates the event names (an unknown one is a field error).
          events: events as WebhookEventType[],
          ...(description === '' ? {} : { description }),
        });
        const operator = await operators.get(principal, operatorId);
        // Shown once, here: only the sealed secret is kept.
        return send(
          reply,
          200,
          webhookCreatedPage({
            ...(await signedIn(req, reply, webhooksUrl(operatorId))),
            operator,
            endpoint,
            secret,
          }),
        );
      } catch (e) {
        if (!(e instanceof AppError)) throw e;
        const w = webhooksDictionary(dictionaryFor(localeOf(req)).htmlLang);
        if (e.code === ErrorCode.ValidationFailed) {
          const errors = (e.details?.fields ?? [])
            .map((f) => f.path.split('.')[0] ?? '')
            .filter((f) => (FORM_FIELDS as readonly string[]).includes(f));
          return view(req, reply, operatorId, 400, {
            error: w.invalid,
            refused: { url: b.url, description: b.description ?? '', events, errors },
          });
        }
        if (e.code === ErrorCode.Conflict) return view(req, reply, operatorId, 409, { error: w.tooMany });
        throw e;
      }
    },
  );

  app.post(
    '/console/operators/:operatorId/webhooks/:endpointId/disable',
    { ...WRITE, schema: { params: EndpointParams, body: EmptyForm } },
    async (req, reply) => {
      const { operatorId, endpointId } = req.params;
      await webhooks.disableEndpoint(principalOf(req), operatorId, endpointId);
      return reply.redirect(`${webhooksUrl(operatorId)}?m=disabled`, 303);
    },
  );

  const deliveryView = async (
    req: FastifyRequest,
    reply: FastifyReply,
    operatorId: string,
    deliveryId: string,
    status: number,
    extra: { notice?: string; error?: string } = {},
  ) => {
    const principal = principalOf(req);
    const delivery = await webhooks.getDelivery(principal, operatorId, deliveryId);
    const endpoint = await webhooks.getEndpoint(principal, operatorId, delivery.endpointId);
    const operator = await operators.get(principal, operatorId);
    return send(
      reply,
      status,
      deliveryPage({
        ...(await signedIn(req, reply, deliveryUrl(operatorId, deliveryId))),
        operator,
        delivery,
        endpoint,
        ...extra,
      }),
    );
  };

  app.get(
    '/console/operators/:operatorId/webhooks/deliveries/:deliveryId',
    { ...READ, schema: { params: DeliveryParams, querystring: NoticeQuery } },
    async (req, reply) => {
      const w = webhooksDictionary(dictionaryFor(localeOf(req)).htmlLang);
      const { operatorId, deliveryId } = req.params;
      return deliveryView(req, reply, operatorId, deliveryId, 200, {
        notice: req.query.m === 'retried' ? w.retried : undefined,
      });
    },
  );

  app.post(
    '/console/operators/:operatorId/webhooks/deliveries/:deliveryId/retry',
    { ...WRITE, schema: { params: DeliveryParams, body: EmptyForm } },
    async (req, reply) => {
      const { operatorId, deliveryId } = req.params;
      try {
        await webhooks.retryDelivery(principalOf(req), operatorId, deliveryId);
      } catch (e) {
        if (!(e instanceof AppError) || e.code !== ErrorCode.Conflict) throw e;
        const w = webhooksDictionary(dictionaryFor(localeOf(req)).htmlLang);
        return deliveryView(req, reply, operatorId, deliveryId, 409, { error: w.cannotRetry });
      }
      return reply.redirect(`${deliveryUrl(operatorId, deliveryId)}?m=retried`, 303);
    },
  );
}
