/**
 * JSON admin API for operators and their sites, under /api/v1. Handlers are thin: parse, call one
 * service method, map the result. Authentication comes from the staff session layer, passed in.
 *
 * @example
 *   buildApp(ctx, { surfaces: [operatorsApi({ ...staffAuth, register: registerStaffAuth })] });
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { App } from '../../app.ts';
import type { AppContext } from '../../composition/context.ts';
import type { Principal } from '../staff/index.ts';
import { OperatorDto, OperatorPatch, SiteDto, SiteInput } from './operators.schemas.ts';

/** What the routes need from the staff session layer. */
export interface StaffAuth {
  /** Refuses requests without a valid staff session (401); makes `principalOf(req)` work. */
  requireStaff: (req: FastifyRequest, reply: FastifyReply) => Promise<void>;
  /** Refuses state-changing requests without a valid `x-csrf-token` header (403). */
  requireCsrf: (req: FastifyRequest, reply: FastifyReply) => Promise<void>;
  /** The principal `requireStaff` established for this request. */
  principalOf: (req: FastifyRequest) => Principal;
  /** Registers what the hooks rely on (for example the session decorations); idempotent. */
  register?: (app: App, ctx: AppContext) => void;
}

const OperatorParams = z.object({ operatorId: z.uuid() });
const SiteParams = z.object({ operatorId: z.uuid(), siteId: z.uuid() });

/** The operators surface; register it through `buildApp(ctx, { surfaces })`. */
export function operatorsApi(auth: StaffAuth): (app: App, ctx: AppContext) => Promise<void> {
  return async (app, ctx) => {
    auth.register?.(app, ctx);
    const operators = ctx.services.operators;
    const read = { preHandler: [auth.requireStaff] };
    const write = { preHandler: [auth.requireStaff, auth.requireCsrf] };

    app.get(
      '/api/v1/operators',
      { ...read, schema: { response: { 200: z.object({ operators: z.array(OperatorDto) }) } } },
      async (req) => ({ operators: await operators.list(auth.principalOf(req)) }),
    );

    app.get(
      '/api/v1/operators/:operatorId',
      { ...read, schema: { params: OperatorParams, response: { 200: OperatorDto } } },
      async (req) => operators.get(auth.principalOf(req), req.params.operatorId),
    );

    app.patch(
      '/api/v1/operators/:operatorId',
      { ...write, schema: { params: OperatorParams, body: OperatorPatch, response: { 200: OperatorDto } } },
      async (req) => operators.update(auth.principalOf(req), req.params.operatorId, req.body),
    );

    app.post(
      '/api/v1/operators/:operatorId/sites',
      { ...write, schema: { params: OperatorParams, body: SiteInput, response: { 201: SiteDto } } },
      async (req, reply) => {
        const site = await operators.addSite(auth.principalOf(req), req.params.operatorId, req.body);
        return reply.code(201).send(site);
      },
    );

    app.delete(
      '/api/v1/operators/:operatorId/sites/:siteId',
      { ...write, schema: { params: SiteParams } },
      async (req, reply) => {
        await operators.removeSite(auth.principalOf(req), req.params.operatorId, req.params.siteId);
        return reply.code(204).send();
      },
    );
  };
}
