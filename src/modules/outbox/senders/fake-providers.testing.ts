/**
 * Test support (imported by tests only): local HTTP servers on 127.0.0.1 that speak the providers'
 * real protocols, as their documentation describes them: the Telegram Bot API's `sendMessage`,
 * SMS.ru's `/sms/send` (form fields, `json=1` answers with a status per number), the WhatsApp
 * Cloud API's `/<phone-number-id>/messages`, and the MAX Bot API's `POST /messages?user_id=`. Each
 * records what it received (one entry per delivery, for counting) and answers success unless a
 * test sets `reply`.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseUrlEncoded } from '../../../platform/http/body-parsers.ts';

export interface FakeReply {
  status: number;
  body: unknown;
}

export interface FakeProvider<R> {
  /** The base URL to put in the credentials (`http://127.0.0.1:<port>`). */
  readonly baseUrl: string;
  /** Accepted messages, in order. */
  readonly received: R[];
  /** Every request, accepted or not. */
  requests: number;
  /** Overrides the success answer for a request; undefined answers success. */
  reply: (r: R) => FakeReply | undefined;
  close(): Promise<void>;
}

async function bodyOf(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function send(res: ServerResponse, r: FakeReply): void {
  res.writeHead(r.status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(r.body));
}

async function start<R>(
  parse: (req: IncomingMessage, url: URL, body: string) => R | FakeReply,
  success: (r: R, n: number) => unknown,
): Promise<FakeProvider<R>> {
  let n = 0;
  const fake: FakeProvider<R> = {
    baseUrl: '',
    received: [],
    requests: 0,
    reply: () => undefined,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
  const server = createServer((req, res) => {
    void (async () => {
      fake.requests++;
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const parsed = parse(req, url, await bodyOf(req));
      if (typeof parsed === 'object' && parsed !== null && 'status' in parsed && 'body' in parsed) {
        return send(res, parsed);
      }
      const r = parsed;
      const over = fake.reply(r);
      if (over) return send(res, over);
      fake.received.push(r);
      n++;
      send(res, { status: 200, body: success(r, n) });
    })();
  });
  server.keepAliveTimeout = 1;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  (fake as { baseUrl: string }).baseUrl = `http://127.0.0.1:${port}`;
  return fake;
}

// --- Telegram Bot API -----------------------------------------------------------------------------

export interface TelegramReceived {
  token: string;
  chatId: string;
  text: string;
}

const tgError = (code: number, description: string, parameters?: object): FakeReply => ({
  status: code,
  body: { ok: false, error_code: code, description, ...(parameters ? { parameters } : {}) },
});

/** Telegram's answers for the common failures, as the Bot API sends them. */
export const telegramErrors = {
  tooManyRequests: (retryAfter: number) =>
    tgError(429, `Too Many Requests: retry after ${retryAfter}`, { retry_after: retryAfter }),
  blocked: () => tgError(403, 'Forbidden: bot was blocked by the user'),
  chatNotFound: () => tgError(400, 'Bad Request: chat not found'),
  unauthorized: () => tgError(401, 'Unauthorized'),
  serverError: () => tgError(502, 'Bad Gateway'),
};

export function startFakeTelegram(): Promise<FakeProvider<TelegramReceived>> {
  return start<TelegramReceived>(
    (req, url, body) => {
      const m = /^\/bot([^/]+)\/sendMessage$/.exec(url.pathname);
      if (req.method !== 'POST' || !m) return tgError(404, 'Not Found');
      let json: { chat_id?: unknown; text?: unknown };
      try {
        json = JSON.parse(body) as typeof json;
      } catch {
        return tgError(400, 'Bad Request: invalid JSON');
      }
      if (typeof json.text !== 'string' || json.text === '')
        return tgError(400, 'Bad Request: message text is empty');
      return { token: decodeURIComponent(m[1]!), chatId: String(json.chat_id), text: json.text };
    },
    (r, n) => ({
      ok: true,
      result: {
        message_id: n,
        date: 1767225600,
        chat: { id: Number(r.chatId), type: 'private' },
        text: r.text,
      },
    }),
  );
}

// --- SMS.ru ---------------------------------------------------------------------------------------

export interface SmsRuReceived {
  apiId: string;
  to: string;
  msg: string;
  from: string | undefined;
}

/** SMS.ru's answer for one number with this code (100 = accepted). */
export function smsRuAnswer(number: string, code: number): FakeReply {
  const ok = code === 100;
  return {
    status: 200,
    body: {
      status: 'OK',
      status_code: 100,
      sms: {
        [number]: ok
          ? { status: 'OK', status_code: 100, sms_id: '000000-10000001' }
          : { status: 'ERROR', status_code: code, status_text: 'Ошибка' },
      },
      balance: 4122.56,
    },
  };
}

/** SMS.ru's answer when the request as a whole fails (wrong api_id, no money, ...). */
export function smsRuRequestError(code: number): FakeReply {
  return { status: 200, body: { status: 'ERROR', status_code: code, status_text: 'Ошибка' } };
}

export function startFakeSmsRu(): Promise<FakeProvider<SmsRuReceived>> {
  return start<SmsRuReceived>(
    (req, url, body) => {
      if (req.method !== 'POST' || url.pathname !== '/sms/send') return { status: 404, body: {} };
      const f = parseUrlEncoded(body);
      const one = (k: string) => (typeof f[k] === 'string' ? f[k] : undefined);
      if (one('json') !== '1') return { status: 200, body: 'not json' };
      if (!one('api_id')) return smsRuRequestError(200);
      if (!one('msg')) return smsRuRequestError(203);
      return { apiId: one('api_id')!, to: one('to') ?? '', msg: one('msg')!, from: one('from') };
    },
    (r) => smsRuAnswer(r.to, 100).body,
  );
}

// --- WhatsApp Cloud API ---------------------------------------------------------------------------

export interface WhatsAppReceived {
  phoneNumberId: string;
  token: string;
  to: string;
  text: string;
}

export function whatsappError(status: number, code: number): FakeReply {
  return {
    status,
    body: { error: { message: '(#' + code + ') error', type: 'OAuthException', code, fbtrace_id: 'Axyz' } },
  };
}

export function startFakeWhatsApp(): Promise<FakeProvider<WhatsAppReceived>> {
  return start<WhatsAppReceived>(
    (req, url, body) => {
      const m = /^\/v\d+\.\d+\/(\d+)\/messages$/.exec(url.pathname);
      if (req.method !== 'POST' || !m) return whatsappError(404, 100);
      const auth = /^Bearer (.+)$/.exec(req.headers.authorization ?? '');
      if (!auth) return whatsappError(401, 190);
      const json = JSON.parse(body) as {
        messaging_product?: string;
        to?: string;
        type?: string;
        text?: { body?: string };
      };
      if (json.messaging_product !== 'whatsapp' || json.type !== 'text' || !json.text?.body || !json.to) {
        return whatsappError(400, 100);
      }
      return { phoneNumberId: m[1]!, token: auth[1]!, to: json.to, text: json.text.body };
    },
    (r, n) => ({
      messaging_product: 'whatsapp',
      contacts: [{ input: r.to, wa_id: r.to }],
      messages: [{ id: `wamid.TEST${n}` }],
    }),
  );
}

// --- MAX Bot API ----------------------------------------------------------------------------------

export interface MaxReceived {
  token: string;
  userId: string;
  text: string;
}

export function startFakeMax(): Promise<FakeProvider<MaxReceived>> {
  return start<MaxReceived>(
    (req, url, body) => {
      if (req.method !== 'POST' || url.pathname !== '/messages') return { status: 404, body: {} };
      const token = req.headers.authorization;
      if (!token || url.searchParams.has('access_token')) {
        return { status: 401, body: { code: 'verify.token', message: 'Invalid access_token' } };
      }
      const json = JSON.parse(body) as { text?: string };
      const userId = url.searchParams.get('user_id');
      if (!userId || !json.text) return { status: 400, body: { code: 'proto.payload', message: 'Bad' } };
      return { token, userId, text: json.text };
    },
    (r, n) => ({
      message: {
        recipient: { user_id: Number(r.userId), chat_type: 'dialog' },
        body: { mid: `mid.${n}`, seq: n, text: r.text },
        timestamp: 1767225600000,
      },
    }),
  );
}

/** Credentials per operator and provider, as the channels module would return them. */
export function credentialMap(
  entries: Record<string, Partial<Record<'telegram' | 'whatsapp' | 'sms_ru' | 'max', object>>>,
) {
  return {
    credentials: async (operatorId: string, provider: 'telegram' | 'whatsapp' | 'sms_ru' | 'max') =>
      entries[operatorId]?.[provider] ?? null,
  };
}
