/**
 * Console routes for channels: the organisations whose channels the reader manages, one
 * organisation's connections (connect, disable), and the verbal consent form an inquiry page posts
 * (contract 2 of issue 4). Handlers are thin: the channels services check permissions, validate
 * and audit; refused input comes back with a clear message and status, never with a secret typed.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { App } from '../app.ts';
import type { AppContext } from '../composition/context.ts';
import { ChannelProvider, type ConnectInput } from '../modules/channels/index.ts';
import { principalOf } from '../modules/staff/index.ts';
import { AppError, ErrorCode } from '../platform/errors.ts';
import { OperatorParams } from './admin.schemas.ts';
import {
  channelConnectedPage,
  channelsIndexPage,
  channelsPage,
  channelsUrl,
  verbalConsentRefusedPage,
  type ChannelsPageOptions,
} from './channels.pages.ts';
import { EmptyForm, NoticeQuery } from './console.schemas.ts';
import { send } from './console.routes.ts';
import { operatorsWhere, pageBase, READ, WRITE } from './section.ts';
import { channelsDictionary } from './i18n/channels.ts';
import { dictionaryFor, localeOf } from './i18n/index.ts';

const csrf = z.string().max(200);
// Above every service limit, so that a too-long value comes back as a field error.
const text = z.string().max(2000).optional();

/** One provider's connect form; only the provider's own fields are passed on. */
export const ConnectForm = z.strictObject({
  _csrf: csrf,
  provider: ChannelProvider,
  botToken: text,
  accessToken: text,
  phoneNumberId: text,
  appSecret: text,
  apiId: text,
  from: text,
  apiBaseUrl: text,
});

/** Contract 2: `kind` repeats (processing, marketing); `recordingRef` is required. */
export const VerbalConsentForm = z.strictObject({
  _csrf: csrf,
  kind: z.union([z.string().max(50), z.array(z.string().max(50)).max(10)]).optional(),
  recordingRef: z.string().max(5000).optional(),
});

const ConnectionParams = z.object({ operatorId: z.uuid(), connectionId: z.uuid() });
const InquiryParams = z.object({ operatorId: z.uuid(), inquiryId: z.uuid() });

const inquiryUrl = (operatorId: string, inquiryId: string): string =>
  `/console/operators/${operatorId}/inquiries/${inquiryId}`;

/** Fields typed into a form that may be shown again (never a token or a secret). */
const ECHOED = ['phoneNumberId', 'from', 'apiBaseUrl'] as const;

function connectInputOf(f: z.infer<typeof ConnectForm>): ConnectInput {
  switch (f.provider) {
    case 'telegram':
      return { provider: 'telegram', botToken: f.botToken ?? '', apiBaseUrl: f.apiBaseUrl };
    case 'whatsapp':
      return {
        provider: 'whatsapp',
        accessToken: f.accessToken ?? '',
        phoneNumberId: f.phoneNumberId ?? '',
        appSecret: f.appSecret ?? '',
        apiBaseUrl: f.apiBaseUrl,
      };
    case 'sms_ru':
      return { provider: 'sms_ru', apiId: f.apiId ?? '', from: f.from, apiBaseUrl: f.apiBaseUrl };
    case 'max':
      return { provider: 'max', botToken: f.botToken ?? '', apiBaseUrl: f.apiBaseUrl };
    case 'telephony':
      return { provider: 'telephony' };
  }
}

export async function registerChannelRoutes(app: App, ctx: AppContext): Promise<void> {
  const { channels, operators, verbalConsent } = ctx.services;

  const signedIn = async (req: FastifyRequest, reply: FastifyReply, path: string) => {
    const base = await pageBase(req, reply, path);
    return { ...base, c: channelsDictionary(base.t.htmlLang) };
  };

  const view = async (
    req: FastifyRequest,
    reply: FastifyReply,
    operatorId: string,
    status: number,
    extra: Pick<ChannelsPageOptions, 'notice' | 'error' | 'refused'> = {},
  ) => {
    const principal = principalOf(req);
    // The list checks the permission first: someone without it learns nothing of the operator.
    const connections = await channels.list(principal, operatorId);
    const operator = await operators.get(principal, operatorId);
    return send(
      reply,
      status,
      channelsPage({
        ...(await signedIn(req, reply, channelsUrl(operatorId))),
        operator,
        connections,
        ...extra,
      }),
    );
  };

  app.get('/console/channels', READ, async (req, reply) => {
    const mine = await operatorsWhere(operators, principalOf(req), 'operator.manage');
    return send(
      reply,
      200,
      channelsIndexPage({ ...(await signedIn(req, reply, '/console/channels')), operators: mine }),
    );
  });

  app.get(
    '/console/operators/:operatorId/channels',
    { ...READ, schema: { params: OperatorParams, querystring: NoticeQuery } },
    async (req, reply) => {
      const c = channelsDictionary(dictionaryFor(localeOf(req)).htmlLang);
      return view(req, reply, req.params.operatorId, 200, {
        notice: req.query.m === 'disabled' ? c.disabledNotice : undefined,
      });
    },
  );

  app.post(
    '/console/operators/:operatorId/channels',
    { ...WRITE, schema: { params: OperatorParams, body: ConnectForm } },
    async (req, reply) => {
      const { operatorId } = req.params;
      const principal = principalOf(req);
      const c = channelsDictionary(dictionaryFor(localeOf(req)).htmlLang);
      try {
        const result = await channels.connect(principal, operatorId, connectInputOf(req.body));
        const operator = await operators.get(principal, operatorId);
        // Shown once, here: the secrets are not kept anywhere a later page could read them from.
        return send(
          reply,
          200,
          channelConnectedPage({
            ...(await signedIn(req, reply, channelsUrl(operatorId))),
            operator,
            result,
          }),
        );
      } catch (e) {
        if (!(e instanceof AppError)) throw e;
        const values: Record<string, string> = {};
        for (const k of ECHOED) {
          const v = req.body[k];
          if (v !== undefined) values[k] = v;
        }
        if (e.code === ErrorCode.ValidationFailed) {
          const errors = (e.details?.fields ?? []).map((f) => f.path.split('.')[0] ?? '');
          return view(req, reply, operatorId, 400, {
            error: c.invalid,
            refused: { provider: req.body.provider, values, errors },
          });
        }
        if (e.code === ErrorCode.Conflict) {
          return view(req, reply, operatorId, 409, { error: c.alreadyConnected });
        }
        throw e;
      }
    },
  );

  app.post(
    '/console/operators/:operatorId/channels/:connectionId/disable',
    { ...WRITE, schema: { params: ConnectionParams, body: EmptyForm } },
    async (req, reply) => {
      const { operatorId, connectionId } = req.params;
      await channels.disable(principalOf(req), operatorId, connectionId);
      return reply.redirect(`${channelsUrl(operatorId)}?m=disabled`, 303);
    },
  );

  app.post(
    '/console/operators/:operatorId/inquiries/:inquiryId/verbal-consent',
    { ...WRITE, schema: { params: InquiryParams, body: VerbalConsentForm } },
    async (req, reply) => {
      const { operatorId, inquiryId } = req.params;
      const kind = req.body.kind;
      const kinds = kind === undefined ? [] : Array.isArray(kind) ? kind : [kind];
      try {
        await verbalConsent.recordVerbalConsent(principalOf(req), operatorId, inquiryId, {
          // As typed: the service validates the kinds (an unknown one is a field error).
          kinds: kinds as ('processing' | 'marketing')[],
          recordingRef: req.body.recordingRef ?? '',
        });
      } catch (e) {
        if (!(e instanceof AppError)) throw e;
        if (e.code !== ErrorCode.ValidationFailed && e.code !== ErrorCode.Conflict) throw e;
        const s = await signedIn(req, reply, inquiryUrl(operatorId, inquiryId));
        const status = e.code === ErrorCode.Conflict ? 409 : 400;
        return send(
          reply,
          status,
          verbalConsentRefusedPage({
            ...s,
            message: e.code === ErrorCode.Conflict ? s.c.consentNoPolicy : s.c.consentInvalid,
            inquiryUrl: inquiryUrl(operatorId, inquiryId),
          }),
        );
      }
      // The inquiry page shows its notice for this code (src/console/inquiry.routes.ts).
      return reply.redirect(`${inquiryUrl(operatorId, inquiryId)}?m=consent-recorded`, 303);
    },
  );
}
