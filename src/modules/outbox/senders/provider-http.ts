/**
 * The HTTP call every provider sender makes: one request with a deadline, the reply's status and
 * JSON body (bounded), and failures turned into `SendFailed` with a short code (`<provider>-network`,
 * `<provider>-timeout`). Nothing here logs or records the URL (a Telegram URL holds the bot's
 * token), the request (the recipient and the text) or the reply (providers quote both).
 *
 * Also: the structural interface through which senders read an operator's channel credentials
 * (contract 5: the channels module's ChannelConnectionsService satisfies it; tests pass a map).
 *
 * @example
 *   const r = await providerRequest('telegram', `${base}/bot${token}/sendMessage`, {
 *     method: 'POST', json: { chat_id: '42', text: 'Готово' } }, 10_000);
 *   if (r.status === 429) ...
 */
import { z } from 'zod';
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
}

export const DEFAULT_PROVIDER_TIMEOUT_MS = 15_000;

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

/** One HTTP request to a provider; throws SendFailed on a network failure or the deadline. */
export async function providerRequest(
  code: string,
  url: string,
  init: { method: 'POST'; headers?: Record<string, string>; json?: unknown; form?: URLSearchParams },
  timeoutMs: number,
): Promise<ProviderReply> {
  const headers: Record<string, string> = { accept: 'application/json', ...init.headers };
  let body: string | undefined;
  if (init.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(init.json);
  } else if (init.form) {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    body = init.form.toString();
  }
  let res: Response;
  try {
    res = await fetch(url, {
      method: init.method,
      headers,
      body,
      redirect: 'error',
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (e) {
    const timedOut = e instanceof Error && (e.name === 'TimeoutError' || e.name === 'AbortError');
    throw new SendFailed(`${code}-${timedOut ? 'timeout' : 'network'}`);
  }
  let text: string;
  try {
    const buf = Buffer.from(await res.arrayBuffer());
    text = buf.length > MAX_REPLY_BYTES ? '' : buf.toString('utf8');
  } catch {
    throw new SendFailed(`${code}-network`);
  }
  let parsed: unknown;
  try {
    parsed = text === '' ? undefined : JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  return { status: res.status, body: parsed };
}

/** A `Retry-After` or `retry_after` in seconds as ms, bounded to a day; undefined if absent. */
export function retryAfterMs(seconds: unknown): number | undefined {
  const n = typeof seconds === 'string' ? Number(seconds) : seconds;
  if (typeof n !== 'number' || !Number.isFinite(n) || n < 0) return undefined;
  return Math.min(Math.ceil(n), 86_400) * 1000;
}
