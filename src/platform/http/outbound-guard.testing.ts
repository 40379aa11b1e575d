/**
 * Test support: DNS at the edge of the world for the outbound guard, so a test can make a name
 * resolve to this machine (as a rebinding name server would) without a real name server.
 *
 * @example
 *   const guard = outboundGuard({ refuse: true, resolve: fixedResolver({ 'crm.example': ['127.0.0.1'] }) });
 */
import type { Resolver } from './outbound-guard.ts';

/** DNS at the edge of the world: a fixed table, as a rebinding name server would answer. */
export function fixedResolver(table: Record<string, string[]>): Resolver {
  return (hostname, _family, callback) => {
    const addresses = table[hostname];
    if (!addresses) return callback(Object.assign(new Error('not found'), { code: 'ENOTFOUND' }), []);
    callback(
      null,
      addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 })),
    );
  };
}
