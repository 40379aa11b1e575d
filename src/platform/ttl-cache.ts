/**
 * A small in-process cache whose entries live for a fixed time on the injected clock. For answers
 * that every request asks for and that change only when an administrator changes something (which
 * site a Host is, an operator's card, an API key): the owning service clears it on its own writes,
 * so in one process a change shows at once; another process sees it within the time to live.
 *
 * Concurrent misses for one key share one load, a failed load is not remembered, and the table is
 * bounded (emptied when full: the keys are hosts and ids, and a flood of new ones must not grow it).
 *
 * @example
 *   const cache = new TtlCache<Site | undefined>(clock, 5000);
 *   const site = await cache.get(host, () => repo.findSite(db, host));
 *   cache.clear(); // after a write
 */
import type { Clock } from './clock.ts';

export class TtlCache<V> {
  private readonly entries = new Map<string, { value: Promise<V>; until: number }>();

  constructor(
    private readonly clock: Clock,
    private readonly ttlMs: number,
    private readonly maxEntries = 1000,
  ) {}

  get(key: string, load: () => Promise<V>): Promise<V> {
    const now = this.clock.now().getTime();
    const hit = this.entries.get(key);
    if (hit && hit.until > now) return hit.value;
    if (this.entries.size >= this.maxEntries) this.entries.clear();
    const value = load();
    const entry = { value, until: now + this.ttlMs };
    this.entries.set(key, entry);
    value.catch(() => {
      if (this.entries.get(key) === entry) this.entries.delete(key);
    });
    return value;
  }

  delete(key: string): void {
    this.entries.delete(key);
  }

  clear(): void {
    this.entries.clear();
  }
}
