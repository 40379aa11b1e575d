/**
 * The integrators' API for inquiries and patients, authenticated by an operator's API key (checked
 * before the body is read). Handlers are thin: the key's principal, one service call, the answer.
 * The key acts for its own operator only, so another operator's ids are 404, exactly like unknown
 * ones; a key without the route's scope gets 403. Reading one inquiry or a patient is decrypted
 * and audited with the key as the actor; the list is ids and codes only.
 *
 * @example
 *   curl -H 'Authorization: Bearer sgl_…' 'https://soglasie.example/api/v1/inquiries?status=new&limit=20'
 *   curl -H 'Authorization: Bearer sgl_…' -H 'Content-Type: application/json' \
 *     -d '{"status":"in_progress"}' https://soglasie.example/api/v1/inquiries/<id>/status
 */
import type { App } from '../../app.ts';
import type { AppContext } from '../../composition/context.ts';
import { AppError, ErrorCode } from '../../platform/errors.ts';
import { apiKeyPrincipalOf, requireApiKey } from '../apikeys/index.ts';
import type { Principal } from '../staff/index.ts';
import {
  IdParams,
  InquiryListQuery,
  InquiryPage,
  InquiryView,
  StatusChangeBody,
  StatusChangeResult,
  SubjectDto,
} from './api.schemas.ts';

/** A status change is a few dozen bytes; anything near this is not one. */
const STATUS_BODY_LIMIT = 4096;

/** The /api/v1 inquiries and subjects routes; register it through `buildApp(ctx, { surfaces })`. */
export async function publicApi(app: App, ctx: AppContext): Promise<void> {
  const { inquiries, subjects, apiKeys } = ctx.services;
  const auth = { onRequest: requireApiKey(apiKeys) };

  app.get(
    '/api/v1/inquiries',
    { ...auth, schema: { querystring: InquiryListQuery, response: { 200: InquiryPage } } },
    async (req) => {
      const { overdue, ...q } = req.query;
      return inquiries.list(keyOf(req), {
        ...q,
        ...(overdue === undefined ? {} : { overdue: overdue === 'true' }),
      });
    },
  );

  app.get(
    '/api/v1/inquiries/:id',
    { ...auth, schema: { params: IdParams, response: { 200: InquiryView } } },
    async (req) => {
      const p = keyOf(req);
      return inquiries.get(p, p.operatorId, req.params.id);
    },
  );

  app.post(
    '/api/v1/inquiries/:id/status',
    {
      ...auth,
      bodyLimit: STATUS_BODY_LIMIT,
      schema: { params: IdParams, body: StatusChangeBody, response: { 200: StatusChangeResult } },
    },
    async (req) => {
      const p = keyOf(req);
      const { status, reason } = req.body;
      return inquiries.changeStatus(p, p.operatorId, req.params.id, {
        to: status,
        ...(reason === undefined ? {} : { reason }),
      });
    },
  );

  app.get(
    '/api/v1/subjects/:id',
    { ...auth, schema: { params: IdParams, response: { 200: SubjectDto } } },
    async (req) => {
      const p = keyOf(req);
      return subjects.read(p, p.operatorId, req.params.id);
    },
  );
}

function keyOf(req: Parameters<typeof apiKeyPrincipalOf>[0]): Extract<Principal, { kind: 'api_key' }> {
  const p = apiKeyPrincipalOf(req);
  if (p.kind !== 'api_key') throw new AppError(ErrorCode.Forbidden, 'API keys only');
  return p;
}
