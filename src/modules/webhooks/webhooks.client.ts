/**
 * One POST of a delivery: node's own http/https, a hard deadline for the whole exchange (connect,
 * TLS, headers), no redirects followed, and the response body never read (only its status code is
 * kept). Failures come back as short codes, never as the error's message (which can quote the URL,
 * and a URL may carry an integrator's token).
 *
 * In production mode, addresses of this machine and link-local ones (169.254.0.0/16, where cloud
 * metadata services live) are refused after DNS resolution, so an endpoint's host name cannot be
 * pointed at the installation itself. Private networks stay allowed: clinics run their CRM there.
 *
 * @example
 *   const r = await postWebhook(url, body, headers, { timeoutMs: 5000, refuseLocal: true });
 *   // { status: 200, durationMs: 42 } | { error: 'timeout', durationMs: 5000 }
 */
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import { BlockList, isIP, type LookupFunction } from 'node:net';
import { performance } from 'node:perf_hooks';

export interface PostOptions {
  timeoutMs: number;
  /** Refuse loopback, link-local and unspecified addresses (production mode). */
  refuseLocal: boolean;
}

export interface PostResult {
  /** The response's status code, when one came. */
  status?: number;
  /** A short code when no response came: timeout, connection_refused, dns_failed, tls_failed, ... */
  error?: string;
  durationMs: number;
}

const LOCAL = new BlockList();
LOCAL.addSubnet('127.0.0.0', 8, 'ipv4');
LOCAL.addSubnet('0.0.0.0', 8, 'ipv4');
LOCAL.addSubnet('169.254.0.0', 16, 'ipv4');
LOCAL.addSubnet('224.0.0.0', 4, 'ipv4');
LOCAL.addAddress('255.255.255.255', 'ipv4');
LOCAL.addAddress('::1', 'ipv6');
LOCAL.addAddress('::', 'ipv6');
LOCAL.addSubnet('fe80::', 10, 'ipv6');
LOCAL.addSubnet('ff00::', 8, 'ipv6');
// IPv4-mapped IPv6 addresses of the ranges above.
LOCAL.addSubnet('::ffff:127.0.0.0', 104, 'ipv6');
LOCAL.addSubnet('::ffff:169.254.0.0', 112, 'ipv6');
LOCAL.addSubnet('::ffff:0.0.0.0', 104, 'ipv6');

/** Whether an IP address is one production deliveries refuse. */
export function isLocalAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return false;
  return LOCAL.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

class AddressRefused extends Error {
  override readonly name = 'AddressRefused';
  readonly code = 'ADDRESS_REFUSED';
}

class DeadlinePassed extends Error {
  override readonly name = 'DeadlinePassed';
  readonly code = 'DEADLINE';
}

/** DNS resolution that refuses the request when any address of the name is a local one. */
const guardedLookup: LookupFunction = (hostname, options, callback) => {
  dnsLookup(hostname, { ...options, all: true }, (err, addresses: LookupAddress[]) => {
    if (err) return callback(err, '', 0);
    if (addresses.some((a) => isLocalAddress(a.address))) return callback(new AddressRefused(), '', 0);
    if (options.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses);
    const first = addresses[0];
    if (!first) return callback(Object.assign(new Error('no address'), { code: 'ENOTFOUND' }), '', 0);
    callback(null, first.address, first.family);
  });
};

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
  const host = u.hostname.replace(/^\[|\]$/g, '');
  if (o.refuseLocal && (isLocalAddress(host) || host === 'localhost')) {
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
      ...(o.refuseLocal ? { lookup: guardedLookup } : {}),
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
  if (e instanceof AddressRefused) return 'address_refused';
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
