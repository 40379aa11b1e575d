/**
 * What the console's sections share: sending a page, the route options of a page and of a form post,
 * the base every page is rendered with, and the organisations a section's index page lists.
 *
 * @example
 *   app.get('/console/webhooks', READ, async (req, reply) =>
 *     send(reply, 200, indexPage({ ...(await pageBase(req, reply, '/console/webhooks')),
 *       operators: await operatorsWhere(operators, principalOf(req), 'operator.manage') })));
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { OperatorDto, OperatorsService } from '../../modules/operators/index.ts';
import type { SafeHtml } from '../../platform/http/html.ts';
import {
  can,
  csrfTokenForForm,
  requireCsrf,
  requireStaff,
  type Permission,
  type Principal,
} from '../../modules/staff/index.ts';
import { dictionaryFor, localeOf, type Dictionary } from './i18n/index.ts';

/** Sends a page: HTML, the status, and never into a cache. */
export function send(reply: FastifyReply, status: number, markup: SafeHtml): FastifyReply {
  // Pages carry CSRF tokens and, once, recovery codes: never store them in any cache.
  return reply
    .code(status)
    .header('cache-control', 'no-store')
    .type('text/html; charset=utf-8')
    .send(markup.toString());
}

/** Options of a page's route: a signed-in member of staff. */
export const READ = { preHandler: requireStaff };
/** Options of a form post's route: a signed-in member of staff and the form's CSRF token. */
export const WRITE = { preValidation: [requireStaff, requireCsrf] };

/** The reader's dictionary, a CSRF token for the page's forms, the page's path, the reader's name. */
export interface PageBase {
  t: Dictionary;
  csrf: string;
  path: string;
  displayName: string | undefined;
}

export async function pageBase(req: FastifyRequest, reply: FastifyReply, path: string): Promise<PageBase> {
  return {
    t: dictionaryFor(localeOf(req)),
    csrf: await csrfTokenForForm(req, reply),
    path,
    displayName: req.staffSession?.displayName,
  };
}

/** The organisations the principal sees where it also holds `permission`, for an index page. */
export async function operatorsWhere(
  operators: Pick<OperatorsService, 'list'>,
  principal: Principal,
  permission: Permission,
): Promise<OperatorDto[]> {
  return (await operators.list(principal)).filter((op) => can(principal, permission, op.id));
}
