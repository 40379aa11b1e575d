/**
 * One POST of a delivery: node's own http/https, a hard deadline for the whole exchange (connect,
 * TLS, headers), no redirects followed, and the response body never read (only its status code is
 * kept). Failures come back as short codes, never as the error's message (which can quote the URL,
 * and a URL may carry an integrator's token).
 *
 * In production mode the shared outbound guard (platform/http/outbound-guard.ts) refuses this
 * machine, link-local, private and multicast addresses, checked on the resolved address when the
 * connection is made (and on an IP literal before), except the installation's named exceptions.
 *
 * @example
 *   const r = await postWebhook(url, body, headers, { timeoutMs: 5000, guard });
 *   // { status: 200, durationMs: 42 } | { error: 'timeout', durationMs: 5000 }
 */
import http from 'node:http';
import https from 'node:https';
import { performance } from 'node:perf_hooks';
import {
  guardedLookup,
  OutboundRefused,
  refusedHost,
  type OutboundGuard,
} from '../../platform/http/outbound-guard.ts';

export interface PostOptions {
  timeoutMs: number;
  /** Which addresses may be reached (production: not this machine's networks). */
  guard: OutboundGuard;
}

export interface PostResult {
  /** The response's status code, when one came. */
  status?: number;
  /** A short code when no response came: timeout, connection_refused, dns_failed, tls_failed, ... */
  error?: string;
  durationMs: number;
}

class DeadlinePassed extends Error {
  override readonly name = 'DeadlinePassed';
  readonly code = 'DEADLINE';
}

export function postWebhook(
  url: string,
  body: string,
  headers: Readonly<Record<string, string>>,
  o: PostOptions,
): Promise<PostResult> {
  const started = performance.now();
  const elapsed = (): number => Math.max(0, Math.round(performance.now() - started));
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return Promise.resolve({ error: 'bad_url', durationMs: elapsed() });
  }
  if (refusedHost(o.guard, u.hostname)) {
    return Promise.resolve({ error: 'address_refused', durationMs: elapsed() });
  }
  return new Promise<PostResult>((resolve) => {
    let settled = false;
    const finish = (r: Omit<PostResult, 'durationMs'>): void => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      resolve({ ...r, durationMs: elapsed() });
    };
    const client = u.protocol === 'https:' ? https : http;
    const req = client.request(u, {
      method: 'POST',
      // A fresh connection per delivery: nothing of one integrator's connection is reused for another.
      agent: false,
      headers: {
        ...headers,
        'content-type': 'application/json; charset=utf-8',
        'content-length': String(Buffer.byteLength(body, 'utf8')),
        'user-agent': 'Soglasie-Webhooks/1',
      },
      ...(o.guard.refuse ? { lookup: guardedLookup(o.guard) } : {}),
    });
    const deadline = setTimeout(() => req.destroy(new DeadlinePassed()), o.timeoutMs);
    req.on('response', (res) => {
      const status = res.statusCode ?? 0;
      // The body is not ours to keep; the connection is closed without reading it.
      res.destroy();
      req.destroy();
      finish({ status });
    });
    req.on('error', (e) => finish({ error: errorCodeOf(e) }));
    req.end(body, 'utf8');
  });
}

/** A short, stable code for a failed exchange. */
export function errorCodeOf(e: unknown): string {
  if (e instanceof DeadlinePassed) return 'timeout';
  if (e instanceof OutboundRefused) return 'address_refused';
  const code = (e as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return 'network_error';
  switch (code) {
    case 'ECONNREFUSED':
      return 'connection_refused';
    case 'ECONNRESET':
    case 'EPIPE':
    case 'UND_ERR_SOCKET':
      return 'connection_reset';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EAI_FAIL':
      return 'dns_failed';
    case 'ETIMEDOUT':
    case 'ECONNABORTED':
      return 'timeout';
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return 'unreachable';
    case 'HPE_INVALID_CONSTANT':
    case 'HPE_INVALID_STATUS':
    case 'HPE_INVALID_HEADER_TOKEN':
      return 'bad_response';
    default:
      if (/^(ERR_TLS|ERR_SSL|CERT_|UNABLE_TO_|DEPTH_ZERO|SELF_SIGNED|ERR_CERT)/.test(code))
        return 'tls_failed';
      return 'network_error';
  }
}
