/**
 * Opens everything the app needs from a Config: the database server (embedded unless DATABASE_URL
 * is set), both databases migrated, the pools, the master keys and the services. `close()` undoes
 * it in reverse order, the embedded server last.
 */
import path from 'node:path';
import type { Config } from './config/config.ts';
import { createServices, type AppContext } from './context.ts';
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
import { startEmbeddedPostgres, type EmbeddedServer } from './platform/db/embedded.ts';
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
}

export async function openRuntime(config: Config, log: Logger, opts: RuntimeOptions = {}): Promise<Runtime> {
  let embedded: EmbeddedServer | undefined;
  let dataUrl: string;
  if (config.databaseUrl) {
    dataUrl = config.databaseUrl;
  } else {
    const pgLog = log.child({ component: 'embedded-postgres' });
    embedded = await startEmbeddedPostgres({
      dir: path.join(config.dataDir, 'pg'),
      port: config.embeddedPgPort,
      onLog: (line) => pgLog.debug(line.trim()),
    });
    if (embedded.firstStart)
      log.info({ dir: path.join(config.dataDir, 'pg') }, 'initialised the embedded PostgreSQL');
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
    const core = { config, log, clock: opts.clock ?? systemClock, ids: randomIds, db, keyringDb, masterKeys };
    const ctx: AppContext = { ...core, services: createServices(core) };
    return {
      ctx,
      embedded,
      urls: { data: dataUrl, keyring: keyringUrl },
      close: async () => {
        await Promise.allSettled([db.close(), keyringDb.close()]);
        if (embedded) await embedded.stop();
      },
    };
  } catch (e) {
    if (embedded) await embedded.stop();
    throw e;
  }
}
