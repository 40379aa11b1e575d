/**
 * The providers' webhooks, one path per provider and connection (the token names the connection):
 *
 *   POST /hooks/telegram/:token    Telegram Bot API updates      secret header     replay: 200
 *   GET  /hooks/whatsapp/:token    Meta's verification handshake verify token      (echoes challenge)
 *   POST /hooks/whatsapp/:token    WhatsApp Cloud API            X-Hub-Signature-256 replay: 200
 *   POST /hooks/max/:token         MAX Bot API updates           secret header     replay: 200
 *   POST /hooks/sms/:token         inbound SMS (our format)      our HMAC + time   replay: 409
 *   POST /hooks/telephony/:token   call events (our format)      our HMAC + time   replay: 409
 *
 * A provider that retries until it gets a 2xx (Telegram, MAX, Meta) is answered 200 for a replay,
 * so a lost answer does not make it retry forever (or hold its queue); our own formats get a 409
 * that tells the sender not to retry. Every other refusal stores nothing: 404 for an unknown or
 * disabled connection (or another provider's), 401 for a bad secret or signature (or a timestamp
 * more than five minutes off), 400 for a malformed body, 413 for one over the provider's limit, 415
 * for anything but JSON. The body is read raw by this plugin's own parser (signatures are over the
 * exact bytes) without changing the app's parsers elsewhere, and is never logged.
 *
 * @example
 *   curl -X POST https://soglasie.example/hooks/telegram/<token> \
 *     -H 'X-Telegram-Bot-Api-Secret-Token: <secret>' -H 'Content-Type: application/json' \
 *     -d '{"update_id":10,"message":{…}}'
 */
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { App } from '../../app.ts';
import type { AppContext } from '../../composition/context.ts';
import { AppError, ErrorCode } from '../../platform/errors.ts';
import { hookSegment, type ChannelProvider } from './channels.schemas.ts';
import type { ChannelConnectionsService, ResolvedConnection } from './connections.service.ts';
import { parseJsonBody, type InboundEvent } from './inbound.schemas.ts';
import type { ChannelInboundService } from './inbound.service.ts';
import { parseMaxUpdate } from './max.webhook.ts';
import {
  HUB_SIGNATURE_HEADER,
  MAX_SECRET_HEADER,
  safeEqual,
  SIGNATURE_HEADER,
  singleHeader,
  TELEGRAM_SECRET_HEADER,
  TIMESTAMP_HEADER,
  verifyHubSignature,
  verifySecretHeader,
  verifyTimestamped,
} from './signatures.ts';
import { parseInboundSms } from './sms.webhook.ts';
import { parseTelegramUpdate } from './telegram.webhook.ts';
import { parseTelephonyEvent } from './telephony.webhook.ts';
import { parseWhatsAppNotification, whatsAppChallenge } from './whatsapp.webhook.ts';

/** Body limits per provider: far above a real message, far below what would cost us. */
export const WEBHOOK_BODY_LIMITS: Readonly<Record<ChannelProvider, number>> = {
  telegram: 64 * 1024,
  max: 64 * 1024,
  // Meta batches up to a thousand changes in one notification.
  whatsapp: 1024 * 1024,
  sms_ru: 32 * 1024,
  telephony: 16 * 1024,
};

const TokenParams = z.object({ token: z.string().max(200) });

const Received = z.object({ ok: z.literal(true), stored: z.number(), duplicates: z.number() });

interface Deps {
  connections: ChannelConnectionsService;
  inbound: ChannelInboundService;
  now: () => Date;
}

export async function channelWebhooks(app: App, ctx: AppContext): Promise<void> {
  const deps: Deps = {
    connections: ctx.services.channels,
    inbound: ctx.services.channelInbound,
    now: () => ctx.clock.now(),
  };
  await app.register(async (hooks: App) => {
    // Signatures are over the exact bytes: this plugin keeps JSON bodies raw. Its own context only:
    // the app's strict parsers stay as they are for every other route.
    hooks.removeAllContentTypeParsers();
    hooks.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_req, body: Buffer, done) => {
      done(null, body);
    });

    const post = <P extends ChannelProvider>(
      provider: P,
      handle: (req: FastifyRequest, connection: ResolvedConnection<P>, now: Date) => InboundEvent[],
    ) =>
      hooks.post(
        `/hooks/${hookSegment(provider)}/:token`,
        {
          bodyLimit: WEBHOOK_BODY_LIMITS[provider],
          schema: { params: TokenParams, response: { 200: Received } },
        },
        async (req) => {
          const connection = await resolve(deps, provider, req.params.token);
          const r = await deps.inbound.receive(connection, handle(req, connection, deps.now()));
          if (r.duplicates > 0 && r.stored === 0 && (provider === 'telephony' || provider === 'sms_ru')) {
            throw new AppError(
              ErrorCode.Conflict,
              'Это событие уже получено; не отправляйте его снова / This event was already received; do not retry it',
            );
          }
          return { ok: true as const, stored: r.stored, duplicates: r.duplicates };
        },
      );

    post('telegram', (req, c) => {
      const header = singleHeader(req.headers[TELEGRAM_SECRET_HEADER]);
      if (!verifySecretHeader(header, c.credentials.webhookSecret)) throw badSignature();
      return parseTelegramUpdate(parseJsonBody(req.body));
    });

    post('max', (req, c) => {
      const header = singleHeader(req.headers[MAX_SECRET_HEADER]);
      if (!verifySecretHeader(header, c.credentials.webhookSecret)) throw badSignature();
      return parseMaxUpdate(parseJsonBody(req.body));
    });

    post('whatsapp', (req, c) => {
      const header = singleHeader(req.headers[HUB_SIGNATURE_HEADER]);
      if (!Buffer.isBuffer(req.body) || !verifyHubSignature(req.body, header, c.credentials.appSecret)) {
        throw badSignature();
      }
      return parseWhatsAppNotification(parseJsonBody(req.body), c.credentials.phoneNumberId);
    });

    post('sms_ru', (req, c, now) => {
      checkTimestamped(req, c.credentials.webhookSecret, now);
      return parseInboundSms(parseJsonBody(req.body));
    });

    post('telephony', (req, c, now) => {
      checkTimestamped(req, c.credentials.secret, now);
      return parseTelephonyEvent(parseJsonBody(req.body));
    });

    // Meta's handshake when the callback URL is set: echo the challenge if the verify token is ours.
    hooks.get(
      '/hooks/whatsapp/:token',
      { schema: { params: TokenParams, querystring: z.record(z.string(), z.unknown()) } },
      async (req, reply) => {
        const c = await resolve(deps, 'whatsapp', req.params.token);
        const challenge = whatsAppChallenge(req.query, c.credentials.verifyToken, safeEqual);
        if (challenge === undefined) {
          throw new AppError(ErrorCode.Forbidden, 'The verification token does not match');
        }
        return reply.code(200).type('text/plain; charset=utf-8').send(challenge);
      },
    );
  });
}

async function resolve<P extends ChannelProvider>(
  deps: Deps,
  provider: P,
  token: string,
): Promise<ResolvedConnection<P>> {
  const c = await deps.connections.resolve(provider, token);
  if (!c) throw new AppError(ErrorCode.NotFound, 'Not found');
  return c;
}

function checkTimestamped(req: FastifyRequest, secret: string, now: Date): void {
  if (!Buffer.isBuffer(req.body)) throw badSignature();
  const check = verifyTimestamped(
    req.body,
    {
      timestamp: singleHeader(req.headers[TIMESTAMP_HEADER]),
      signature: singleHeader(req.headers[SIGNATURE_HEADER]),
    },
    secret,
    now,
  );
  if (check === 'stale') {
    throw new AppError(
      ErrorCode.Unauthenticated,
      'The signature’s timestamp is more than five minutes from our clock',
    );
  }
  if (check !== 'ok') throw badSignature();
}

function badSignature(): AppError {
  return new AppError(ErrorCode.Unauthenticated, 'The webhook’s signature or secret does not match');
}
