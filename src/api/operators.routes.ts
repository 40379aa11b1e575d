/**
 * JSON admin API for operators and their sites, under /api/v1, for signed-in staff (the session
 * cookie, and the `x-csrf-token` header on changes). Handlers are thin: parse, call one service
 * method, map the result. `registerApi` registers the staff session hooks before these routes.
 *
 * @example
 *   registerStaffAuth(app, { staffAuth: ctx.services.staffAuth, config: ctx.config });
 *   await operatorsApi(app, { operators: ctx.services.operators });
 */
import { z } from 'zod';
import type { App } from '../app.ts';
import {
  OperatorDto,
  OperatorPatch,
  SiteDto,
  SiteInput,
  type OperatorsService,
} from '../modules/operators/index.ts';
import { staffAuth as auth } from '../modules/staff/index.ts';

/** What the operators routes call. */
export interface OperatorsApiPorts {
  operators: Pick<OperatorsService, 'list' | 'get' | 'update' | 'addSite' | 'removeSite'>;
}

const OperatorParams = z.object({ operatorId: z.uuid() });
const SiteParams = z.object({ operatorId: z.uuid(), siteId: z.uuid() });

/** The /api/v1/operators routes; `registerApi` mounts them after the staff session hooks. */
export async function operatorsApi(app: App, ports: OperatorsApiPorts): Promise<void> {
  const { operators } = ports;
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
}
