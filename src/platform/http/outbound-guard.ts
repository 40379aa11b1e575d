/**
 * The guard of outgoing requests to addresses an operator chose (webhook endpoints, a channel's API
 * base address). In production it refuses this machine, link-local (cloud metadata), private,
 * shared (carrier NAT), multicast, reserved and unspecified addresses, IPv4-mapped IPv6 forms
 * included, so a URL typed into the console cannot reach the installation's own network.
 *
 * The check runs on the resolved address at connect time (a `lookup` for node's http/https), not
 * only on the URL: a name that resolved to a public address when it was saved and to 10.0.0.1 now
 * (DNS rebinding) is refused when the connection is made. An IP literal in the URL skips DNS, so
 * `refusedHost` checks it before the request. Named exceptions (SOGLASIE_OUTBOUND_ALLOW: host names,
 * addresses, CIDR ranges) let a clinic reach its own CRM on a private network.
 *
 * @example
 *   const guard = outboundGuard({ refuse: config.mode === 'production', allow: config.outboundAllow });
 *   if (refusedHost(guard, url.hostname)) ...; // an IP literal or localhost
 *   http.request(url, { lookup: guardedLookup(guard) });
 */
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { BlockList, isIP, type LookupFunction } from 'node:net';

/** How names are resolved: node's `dns.lookup` with `all: true`; tests give a fixed table. */
export type Resolver = (
  hostname: string,
  family: number,
  callback: (err: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void,
) => void;

export interface OutboundGuard {
  /** Refuse the ranges below (production mode). */
  readonly refuse: boolean;
  /** Host names (lower case) let through whatever they resolve to. */
  readonly allowHosts: ReadonlySet<string>;
  /** Addresses and ranges let through. */
  readonly allowAddresses: BlockList;
  readonly resolve: Resolver;
}

const IPV4_REFUSED: readonly [string, number][] = [
  ['0.0.0.0', 8], // "this network", unspecified
  ['10.0.0.0', 8], // private
  ['100.64.0.0', 10], // shared address space (carrier-grade NAT)
  ['127.0.0.0', 8], // loopback
  ['169.254.0.0', 16], // link-local, cloud metadata
  ['172.16.0.0', 12], // private
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.168.0.0', 16], // private
  ['198.18.0.0', 15], // benchmarking
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, broadcast
];

const REFUSED = new BlockList();
for (const [net, bits] of IPV4_REFUSED) {
  REFUSED.addSubnet(net, bits, 'ipv4');
  // The same ranges written as IPv4-mapped IPv6 (::ffff:10.0.0.1).
  REFUSED.addSubnet(`::ffff:${net}`, 96 + bits, 'ipv6');
}
REFUSED.addSubnet('::', 96, 'ipv6'); // unspecified, loopback, IPv4-compatible
REFUSED.addSubnet('fc00::', 7, 'ipv6'); // unique local (private)
REFUSED.addSubnet('fe80::', 10, 'ipv6'); // link-local
REFUSED.addSubnet('fec0::', 10, 'ipv6'); // site-local (deprecated)
REFUSED.addSubnet('ff00::', 8, 'ipv6'); // multicast

const defaultResolver: Resolver = (hostname, family, callback) => {
  dnsLookup(hostname, { all: true, family }, callback);
};

/** An entry of SOGLASIE_OUTBOUND_ALLOW is a host name, an IP address, or a CIDR range. */
export function parseAllowEntry(
  entry: string,
):
  { kind: 'host'; host: string } | { kind: 'net'; address: string; bits: number; family: 4 | 6 } | undefined {
  const e = entry.trim().toLowerCase();
  const slash = e.indexOf('/');
  const address = slash === -1 ? e : e.slice(0, slash);
  const family = isIP(address);
  if (family === 4 || family === 6) {
    const max = family === 4 ? 32 : 128;
    const bits = slash === -1 ? max : Number(e.slice(slash + 1));
    if (!Number.isInteger(bits) || bits < 0 || bits > max || (slash !== -1 && e.slice(slash + 1) === '')) {
      return undefined;
    }
    return { kind: 'net', address, bits, family };
  }
  if (slash !== -1) return undefined;
  return /^(?=.{1,253}$)([a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9])?)(\.[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9])?)*\.?$/.test(
    e,
  )
    ? { kind: 'host', host: e.replace(/\.$/, '') }
    : undefined;
}

/** The guard for a mode and its exceptions (entries already checked by the configuration). */
export function outboundGuard(o: {
  refuse: boolean;
  allow?: readonly string[];
  resolve?: Resolver;
}): OutboundGuard {
  const allowHosts = new Set<string>();
  const allowAddresses = new BlockList();
  for (const raw of o.allow ?? []) {
    const entry = parseAllowEntry(raw);
    if (!entry) throw new Error(`Not a host name, address or CIDR range: ${raw}`);
    if (entry.kind === 'host') allowHosts.add(entry.host);
    else allowAddresses.addSubnet(entry.address, entry.bits, entry.family === 4 ? 'ipv4' : 'ipv6');
  }
  return { refuse: o.refuse, allowHosts, allowAddresses, resolve: o.resolve ?? defaultResolver };
}

/** Whether a connection to this IP address is refused. */
export function isRefusedAddress(guard: OutboundGuard, address: string): boolean {
  if (!guard.refuse) return false;
  const family = isIP(address);
  if (family === 0) return false;
  const type = family === 4 ? 'ipv4' : 'ipv6';
  return REFUSED.check(address, type) && !guard.allowAddresses.check(address, type);
}

/**
 * Whether a URL's host is refused before any lookup: an IP literal in a refused range, or
 * `localhost` (which many resolvers answer without DNS). Other names are checked at connect time.
 */
export function refusedHost(guard: OutboundGuard, hostname: string): boolean {
  if (!guard.refuse) return false;
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (guard.allowHosts.has(host.replace(/\.$/, ''))) return false;
  if (isIP(host) !== 0) return isRefusedAddress(guard, host);
  return host === 'localhost' || host.endsWith('.localhost') || host === 'localhost.';
}

export class OutboundRefused extends Error {
  override readonly name = 'OutboundRefused';
  readonly code = 'ADDRESS_REFUSED';
}

/**
 * A `lookup` for node's http/https/net that refuses the connection when any address of the name
 * is refused (all of them are checked: a client may fall back from one to the next).
 */
export function guardedLookup(guard: OutboundGuard): LookupFunction {
  return (hostname, options, callback) => {
    const family = options.family === 'IPv4' ? 4 : options.family === 'IPv6' ? 6 : (options.family ?? 0);
    guard.resolve(hostname, family, (err, addresses) => {
      if (err) return callback(err, '', 0);
      const allowedName = guard.allowHosts.has(hostname.toLowerCase().replace(/\.$/, ''));
      if (!allowedName && addresses.some((a) => isRefusedAddress(guard, a.address))) {
        return callback(new OutboundRefused('refused address'), '', 0);
      }
      if (options.all) {
        return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses);
      }
      const first = addresses[0];
      if (!first) return callback(Object.assign(new Error('no address'), { code: 'ENOTFOUND' }), '', 0);
      callback(null, first.address, first.family);
    });
  };
}

/** The installation's guard: refusing in production mode, with SOGLASIE_OUTBOUND_ALLOW's exceptions. */
export function outboundGuardFor(config: {
  readonly mode: 'local' | 'production';
  readonly outboundAllow: readonly string[];
}): OutboundGuard {
  return outboundGuard({ refuse: config.mode === 'production', allow: config.outboundAllow });
}
