/**
 * The HTTP call every provider sender makes: one request with a deadline, the reply's status and
 * JSON body (bounded), and failures turned into `SendFailed` with a short code (`<provider>-network`,
 * `<provider>-timeout`, `<provider>-address_refused`). Nothing here logs or records the URL (a
 * Telegram URL holds the bot's token), the request (the recipient and the text) or the reply
 * (providers quote both).
 *
 * The base address is the operator's to choose, so in production the shared outbound guard refuses
 * this machine's, link-local, private and multicast addresses, on the address actually connected
 * to (platform/http/outbound-guard.ts). Node's own http/https make the request: its `lookup` hook
 * is where that check sits. Redirects are not followed.
 *
 * Also: the structural interface through which senders read an operator's channel credentials
 * (contract 5: the channels module's ChannelConnectionsService satisfies it; tests pass a map).
 *
 * @example
 *   const r = await providerRequest('telegram', `${base}/bot${token}/sendMessage`, {
 *     method: 'POST', json: { chat_id: '42', text: 'Готово' } }, requestOptions({ guard }));
 *   if (r.status === 429) ...
 */
import http from 'node:http';
import https from 'node:https';
import { z } from 'zod';
import {
  guardedLookup,
  OutboundRefused,
  outboundGuard,
  refusedHost,
  type OutboundGuard,
} from '../../../platform/http/outbound-guard.ts';
import { SendFailed } from './sender.ts';

/** The providers whose credentials the senders ask for. */
export type SenderProvider = 'telegram' | 'whatsapp' | 'sms_ru' | 'max';

/**
 * Where a sender finds an operator's credentials for a provider: an object with at least the
 * fields the sender needs (each sender validates its own), or null when the operator has not
 * connected the provider.
 */
export interface ChannelCredentialSource {
  credentials(operatorId: string, provider: SenderProvider): Promise<unknown>;
}

export interface ProviderSenderOptions {
  /** The deadline of one request; 15 s by default. */
  timeoutMs?: number;
  /** Which addresses may be reached; by default every one (local mode). */
  guard?: OutboundGuard;
}

export const DEFAULT_PROVIDER_TIMEOUT_MS = 15_000;

export interface RequestOptions {
  timeoutMs: number;
  guard: OutboundGuard;
}

const OPEN = outboundGuard({ refuse: false });

/** A sender's options with their defaults filled in. */
export function requestOptions(o: ProviderSenderOptions): RequestOptions {
  return { timeoutMs: o.timeoutMs ?? DEFAULT_PROVIDER_TIMEOUT_MS, guard: o.guard ?? OPEN };
}

/** A provider's base URL: http(s), no trailing slash. */
export const ApiBaseUrl = z.url({ protocol: /^https?$/ }).transform((u) => u.replace(/\/+$/, ''));

/** Reads and checks the operator's credentials; SendFailed(`<code>-not_connected`) without them. */
export async function credentialsOf<T>(
  source: ChannelCredentialSource,
  operatorId: string,
  provider: SenderProvider,
  code: string,
  schema: z.ZodType<T>,
): Promise<T> {
  const raw = await source.credentials(operatorId, provider);
  if (raw === null || raw === undefined) throw new SendFailed(`${code}-not_connected`);
  const parsed = schema.safeParse(raw);
  // Never echo the credentials, not even in an error.
  if (!parsed.success) throw new SendFailed(`${code}-bad_credentials`);
  return parsed.data;
}

export interface ProviderReply {
  status: number;
  /** The JSON body, or undefined when there was none or it was not JSON. */
  body: unknown;
}

const MAX_REPLY_BYTES = 256 * 1024;

/** One HTTP request to a provider; throws SendFailed on a network failure, a refused address or the deadline. */
export async function providerRequest(
  code: string,
  url: string,
  init: { method: 'POST'; headers?: Record<string, string>; json?: unknown; form?: URLSearchParams },
  o: RequestOptions,
): Promise<ProviderReply> {
  const headers: Record<string, string> = { accept: 'application/json', ...init.headers };
  let body = '';
  if (init.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(init.json);
  } else if (init.form) {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    body = init.form.toString();
  }
  headers['content-length'] = String(Buffer.byteLength(body, 'utf8'));
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new SendFailed(`${code}-bad_url`);
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') throw new SendFailed(`${code}-bad_url`);
  if (refusedHost(o.guard, u.hostname)) throw new SendFailed(`${code}-address_refused`);
  const { status, text } = await exchange(u, init.method, headers, body, o).catch((e: unknown) => {
    if (e instanceof OutboundRefused) throw new SendFailed(`${code}-address_refused`);
    throw new SendFailed(`${code}-${e instanceof DeadlinePassed ? 'timeout' : 'network'}`);
  });
  let parsed: unknown;
  try {
    parsed = text === '' ? undefined : JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  return { status, body: parsed };
}

class DeadlinePassed extends Error {
  override readonly name = 'DeadlinePassed';
}

/** The exchange itself: the status and the reply's text ('' when over the bound). */
function exchange(
  u: URL,
  method: string,
  headers: Record<string, string>,
  body: string,
  o: RequestOptions,
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const client = u.protocol === 'https:' ? https : http;
    const req = client.request(u, {
      method,
      headers,
      // A fresh connection per request: the lookup below runs for every one.
      agent: false,
      ...(o.guard.refuse ? { lookup: guardedLookup(o.guard) } : {}),
    });
    const deadline = setTimeout(() => req.destroy(new DeadlinePassed()), o.timeoutMs);
    req.on('error', (e) => {
      clearTimeout(deadline);
      reject(e);
    });
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size <= MAX_REPLY_BYTES) chunks.push(c);
      });
      res.on('error', (e) => {
        clearTimeout(deadline);
        reject(e);
      });
      res.on('end', () => {
        clearTimeout(deadline);
        resolve({
          status: res.statusCode ?? 0,
          text: size > MAX_REPLY_BYTES ? '' : Buffer.concat(chunks).toString('utf8'),
        });
      });
    });
    req.end(body, 'utf8');
  });
}

/** A `Retry-After` or `retry_after` in seconds as ms, bounded to a day; undefined if absent. */
export function retryAfterMs(seconds: unknown): number | undefined {
  const n = typeof seconds === 'string' ? Number(seconds) : seconds;
  if (typeof n !== 'number' || !Number.isFinite(n) || n < 0) return undefined;
  return Math.min(Math.ceil(n), 86_400) * 1000;
}
