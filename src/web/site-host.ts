/**
 * Which clinic a request is for, from its Host header, remembered for a few seconds per host: every
 * public page and form POST asks, and the answer (three small queries) changes only when an
 * administrator adds or removes a site. Unknown hosts are remembered too, so a flood of requests
 * with a made-up Host costs no queries; the table is bounded and simply emptied when full.
 *
 * @example
 *   const hosts = new HostCache((h) => ctx.services.operators.findByHost(h), ctx.clock);
 *   const match = await hosts.find(req.host); // { operator, site } | undefined
 */
import type { HostMatch } from '../modules/operators/index.ts';
import type { Clock } from '../platform/clock.ts';

export class HostCache {
  private readonly entries = new Map<string, { match: HostMatch | undefined; until: number }>();

  constructor(
    private readonly lookup: (host: string) => Promise<HostMatch | undefined>,
    private readonly clock: Clock,
    private readonly ttlMs = 5000,
    private readonly maxEntries = 1000,
  ) {}

  async find(host: string | undefined): Promise<HostMatch | undefined> {
    if (!host || host.length > 300) return undefined;
    const key = host.toLowerCase();
    const now = this.clock.now().getTime();
    const hit = this.entries.get(key);
    if (hit && hit.until > now) return hit.match;
    const match = await this.lookup(key);
    if (this.entries.size >= this.maxEntries) this.entries.clear();
    this.entries.set(key, { match, until: now + this.ttlMs });
    return match;
  }
}
