/**
 * Opens everything the app needs from a Config: the database server (embedded unless DATABASE_URL
 * is set), both databases migrated, the pools, the master keys and the services. `close()` undoes
 * it in reverse order, the embedded server last.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Config } from './config/config.ts';
import { createServices, type AppContext } from './composition/context.ts';
import { systemClock, type Clock } from './platform/clock.ts';
import { loadMasterKeys } from './platform/crypto/master-key.ts';
import {
  createPool,
  Database,
  databaseNameOf,
  ensureDatabase,
  siblingDatabaseUrl,
  withDatabase,
} from './platform/db/database.ts';
import {
  attachEmbeddedPostgres,
  startEmbeddedPostgres,
  type EmbeddedEvents,
  type EmbeddedServer,
} from './platform/db/embedded.ts';
import { DatabaseHealth } from './platform/db/health.ts';
import { migrate } from './platform/db/migrate.ts';
import { randomIds } from './platform/ids.ts';
import type { Logger } from './platform/logger.ts';

export interface Runtime {
  readonly ctx: AppContext;
  readonly embedded: EmbeddedServer | undefined;
  /** URLs the process connects with (for tools like pg_dump); they carry credentials: never log them. */
  readonly urls: { data: string; keyring: string };
  close(): Promise<void>;
}

export interface RuntimeOptions {
  clock?: Clock;
  /** Apply pending migrations (default true). */
  migrate?: boolean;
  poolSize?: number;
  /**
   * For one-shot commands: use the embedded server a running Soglasie process (`serve`) already
   * runs on the data folder instead of refusing (default false: `serve` must own its server).
   */
  attach?: boolean;
  /**
   * Create the data folder and the embedded cluster when missing (default true). Commands other
   * than `serve` and `demo` turn it off, so a command run in the wrong folder says so instead of
   * quietly making a second, empty installation.
   */
  createDataFolder?: boolean;
}

/** How one-shot commands (all but `serve` and `demo`) open the runtime. */
export const ONE_SHOT_COMMAND: RuntimeOptions = Object.freeze({ attach: true, createDataFolder: false });

/** Thrown when a command finds no data folder to work on (see `createDataFolder`). */
export class NoDataFolderError extends Error {
  override readonly name = 'NoDataFolderError';
  constructor(readonly dataDir: string) {
    super(
      `No Soglasie data folder at ${dataDir} (it has no embedded PostgreSQL in pg/). Run the command ` +
        'in the folder where `soglasie serve` keeps its data, or point at it with SOGLASIE_DATA_DIR=<folder> ' +
        '(or at an external database with DATABASE_URL). `soglasie serve` and `soglasie demo` create one.',
    );
  }
}

/**
 * Refuses with NoDataFolderError when the configuration points at the embedded server and the data
 * folder has none, for commands that must not create an installation.
 */
export function requireDataFolder(config: Config): void {
  if (!config.databaseUrl && !existsSync(path.join(config.dataDir, 'pg', 'PG_VERSION'))) {
    throw new NoDataFolderError(config.dataDir);
  }
}

async function openEmbedded(
  config: Config,
  log: Logger,
  opts: RuntimeOptions,
  events: EmbeddedEvents,
): Promise<EmbeddedServer> {
  const dir = path.join(config.dataDir, 'pg');
  if (opts.createDataFolder === false) requireDataFolder(config);
  if (opts.attach) {
    const running = await attachEmbeddedPostgres(dir);
    if (running) {
      log.debug({ port: running.port }, 'using the embedded PostgreSQL of the running server');
      return running;
    }
  }
  const pgLog = log.child({ component: 'embedded-postgres' });
  const embedded = await startEmbeddedPostgres({
    dir,
    port: config.embeddedPgPort,
    onLog: (line) => pgLog.debug(line.trim()),
    onLeftoverStopped: (info) =>
      log.warn(
        { ...info, dir },
        'stopped an embedded PostgreSQL left running by a Soglasie process that is gone; starting it again',
      ),
    events,
  });
  if (embedded.firstStart) log.info({ dir }, 'initialised the embedded PostgreSQL');
  return embedded;
}

export async function openRuntime(config: Config, log: Logger, opts: RuntimeOptions = {}): Promise<Runtime> {
  let embedded: EmbeddedServer | undefined;
  let dataUrl: string;
  // Set once the pools exist; the supervisor's events before that find none.
  let health: DatabaseHealth | undefined;
  const events: EmbeddedEvents = {
    onExit: (info) => {
      health?.serverExited();
      log.error(info, 'the embedded PostgreSQL exited unexpectedly; restarting it');
    },
    onRestartFailed: (info) => {
      health?.restartFailed();
      log.warn(info, 'the embedded PostgreSQL did not restart yet; trying again');
    },
    onRestarted: (info) => {
      health?.serverRestarted();
      log.warn(info, 'restarted the embedded PostgreSQL (it recovered from its write-ahead log)');
    },
  };
  if (config.databaseUrl) {
    dataUrl = config.databaseUrl;
  } else {
    embedded = await openEmbedded(config, log, opts, events);
    dataUrl = embedded.url('soglasie');
    await ensureDatabase(embedded.url('postgres'), 'soglasie');
  }
  const keyringUrl = config.keyringUrl ?? siblingDatabaseUrl(dataUrl, '_keyring');
  try {
    if (!config.keyringUrl) {
      await ensureDatabase(withDatabase(dataUrl, 'postgres'), databaseNameOf(keyringUrl));
    }
    if (opts.migrate !== false) {
      const d = await migrate(dataUrl, 'data');
      const k = await migrate(keyringUrl, 'keyring');
      if (d.applied.length + k.applied.length > 0) {
        log.info({ data: d.applied, keyring: k.applied }, 'applied migrations');
      }
    }
    const masterKeys = await loadMasterKeys(config, (file) =>
      log.warn(
        { file },
        'generated a new master key file in the data folder (local mode). Back it up apart from the ' +
          'database: without it the personal data cannot be decrypted.',
      ),
    );
    const poolSize = opts.poolSize ?? config.dbPoolSize;
    const db = new Database(createPool({ url: dataUrl, max: poolSize }));
    const keyringDb = new Database(
      createPool({
        url: keyringUrl,
        max: Math.max(2, Math.ceil(poolSize / 2)),
        applicationName: 'soglasie-keyring',
      }),
    );
    const clock = opts.clock ?? systemClock;
    health = new DatabaseHealth([db, keyringDb], clock, { embedded: embedded?.mode === 'started' });
    health.start();
    const dbHealth = health;
    const core = { config, log, clock, ids: randomIds, db, keyringDb, masterKeys, dbHealth };
    const ctx: AppContext = { ...core, services: createServices(core) };
    return {
      ctx,
      embedded,
      urls: { data: dataUrl, keyring: keyringUrl },
      close: async () => {
        dbHealth.stop();
        await Promise.allSettled([db.close(), keyringDb.close()]);
        if (embedded) await embedded.stop();
      },
    };
  } catch (e) {
    if (embedded) await embedded.stop();
    throw e;
  }
}
