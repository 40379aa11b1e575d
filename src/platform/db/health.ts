/**
 * Whether the databases answer, as `/healthz` reports it and as the error handler asks when a
 * request failed for no known reason. A light watcher pings both pools (every 2 s while they
 * answer, every 250 ms while they do not) so the state and the time it began are known even when no
 * request comes; the embedded server's supervisor adds `restarting` and counts its restarts.
 *
 * @example
 *   const health = new DatabaseHealth([db, keyringDb], clock, { embedded: true });
 *   health.start();
 *   health.snapshot(); // { state: 'up', since: '2026-…', embedded: true, restarts: 0 }
 */
import type { Clock } from '../clock.ts';

export type DatabaseState = 'up' | 'down' | 'restarting';

export interface DatabaseHealthSnapshot {
  state: DatabaseState;
  /** When the state began (ISO 8601). */
  since: string;
  /** The database server is the embedded one, which this process restarts by itself. */
  embedded: boolean;
  /** Restarts of the embedded server since this process started. */
  restarts: number;
  /** Failed restart attempts in a row (embedded only); growing means it will not come back alone. */
  failedRestarts: number;
}

interface Pingable {
  ping(): Promise<void>;
}

const UP_INTERVAL_MS = 2000;
const DOWN_INTERVAL_MS = 250;
const PING_TIMEOUT_MS = 2000;

export class DatabaseHealth {
  private reachable = true;
  private restarting = false;
  private sinceAt: Date;
  private restartCount = 0;
  private failedCount = 0;
  private timer: NodeJS.Timeout | undefined;
  private probing: Promise<boolean> | undefined;

  constructor(
    private readonly dbs: readonly Pingable[],
    private readonly clock: Clock,
    private readonly opts: { embedded: boolean },
  ) {
    this.sinceAt = clock.now();
  }

  get state(): DatabaseState {
    return this.restarting ? 'restarting' : this.reachable ? 'up' : 'down';
  }

  snapshot(): DatabaseHealthSnapshot {
    return {
      state: this.state,
      since: this.sinceAt.toISOString(),
      embedded: this.opts.embedded,
      restarts: this.restartCount,
      failedRestarts: this.failedCount,
    };
  }

  /** Pings both databases now (one probe at a time) and records the answer. */
  probe(): Promise<boolean> {
    return (this.probing ??= this.pingAll().finally(() => (this.probing = undefined)));
  }

  /** The embedded server died; its supervisor restarts it. */
  serverExited(): void {
    this.change(() => {
      this.restarting = true;
      this.reachable = false;
    });
  }

  restartFailed(): void {
    this.failedCount++;
  }

  serverRestarted(): void {
    this.restartCount++;
    this.failedCount = 0;
    this.change(() => (this.restarting = false));
    // Up once the pools reach it again, which the next probe tells.
    void this.probe();
  }

  /** Starts the watcher; `stop()` ends it. */
  start(): void {
    const tick = (): void => {
      void this.probe().then((ok) => {
        if (this.timer) this.timer = setTimeout(tick, ok ? UP_INTERVAL_MS : DOWN_INTERVAL_MS).unref();
      });
    };
    this.timer = setTimeout(tick, UP_INTERVAL_MS).unref();
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private async pingAll(): Promise<boolean> {
    let timeout: NodeJS.Timeout | undefined;
    const ok = await Promise.race([
      Promise.all(this.dbs.map((d) => d.ping())).then(
        () => true,
        () => false,
      ),
      new Promise<boolean>((resolve) => (timeout = setTimeout(() => resolve(false), PING_TIMEOUT_MS))),
    ]);
    clearTimeout(timeout);
    if (ok !== this.reachable) this.change(() => (this.reachable = ok));
    return ok;
  }

  private change(fn: () => void): void {
    const before = this.state;
    fn();
    if (this.state !== before) this.sinceAt = this.clock.now();
  }
}
