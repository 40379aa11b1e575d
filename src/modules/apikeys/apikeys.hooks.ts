/**
 * The preHandler that turns `Authorization: Bearer sgl_…` into an API-key principal. A missing,
 * malformed, unknown or revoked key is 401 with the same message (no hint which it was).
 *
 * @example
 *   app.post('/api/v1/inquiries', { preHandler: requireApiKey(ctx) }, (req) => apiKeyPrincipalOf(req));
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError, ErrorCode } from '../../platform/errors.ts';
import type { Principal } from '../staff/index.ts';
import type { ApiKeysService } from './apikeys.service.ts';

const PRINCIPAL = Symbol('apiKeyPrincipal');
type WithPrincipal = FastifyRequest & { [PRINCIPAL]?: Principal };

export function requireApiKey(
  apiKeys: Pick<ApiKeysService, 'authenticate'>,
): (req: FastifyRequest, reply: FastifyReply) => Promise<void> {
  return async (req) => {
    const header = req.headers.authorization ?? '';
    const m = /^Bearer\s+(\S{1,200})$/i.exec(header);
    const principal = m ? await apiKeys.authenticate(m[1]!, req.ip) : undefined;
    if (!principal) {
      throw new AppError(
        ErrorCode.Unauthenticated,
        'Нужен действующий API-ключ в заголовке Authorization: Bearer / A valid API key is required',
      );
    }
    (req as WithPrincipal)[PRINCIPAL] = principal;
  };
}

/** The principal requireApiKey established; throws if the route forgot the hook. */
export function apiKeyPrincipalOf(req: FastifyRequest): Principal {
  const p = (req as WithPrincipal)[PRINCIPAL];
  if (!p) throw new AppError(ErrorCode.Unauthenticated, 'A valid API key is required');
  return p;
}
