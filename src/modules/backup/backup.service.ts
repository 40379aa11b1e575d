/**
 * Backup and restore of both databases as one consistent pair, through node-postgres alone (so it
 * works on the embedded server, which ships no pg_dump, and on an external one).
 *
 * The order is what makes a pair safe: the data database's snapshot is taken first, the keyring's
 * after it. Every subject in the data part then has its key in the keyring part, unless the
 * subject was destroyed in between, and then the key is gone and the subject stays unreadable
 * (shredded), as it should. Keys of subjects created in between are orphans the
 * `keyring.purge-orphans` job deletes. The other order would lose every patient created between
 * the two snapshots (their ciphertext without a key: 410 for ever).
 *
 * @example
 *   const manifest = await takeBackup({ urls: runtime.urls, masterKeys, dir: '/backups/2026-12-07' });
 *   const problems = (await checkBackup({ dir, masterKeys })).problems; // [] when sound
 *   await restoreBackup({ dir, urls: fresh.urls, masterKeys });        // into empty databases
 *   const report = await verifyRestored({ dataUrl, keyring, audit });
 */
import { createReadStream } from 'node:fs';
import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import pg from 'pg';
import type { MasterKeys } from '../../platform/crypto/master-key.ts';
import {
  BACKUP_FORMAT,
  BACKUP_FORMAT_VERSION,
  BackupError,
  readManifest,
  sha256OfFile,
  writeManifest,
  type DatabasePart,
  type Manifest,
} from '../../platform/db/backup/manifest.ts';
import {
  dumpTables,
  isEmptyDatabase,
  loadTables,
  openSnapshot,
  resetPublicSchema,
} from '../../platform/db/backup/snapshot.ts';
import { knownMigrations, migrate, MIGRATIONS_ROOT, type MigrationSet } from '../../platform/db/migrate.ts';
import type { AuditService } from '../audit/index.ts';
import type { KeyringService } from '../keyring/index.ts';

export interface DatabaseUrls {
  data: string;
  keyring: string;
}

export interface BackupOptions {
  /** Owner (or superuser) URLs of both databases, as `Runtime.urls` gives them. */
  urls: DatabaseUrls;
  masterKeys: MasterKeys;
  /** A new or empty folder. */
  dir: string;
  now?: () => Date;
  /** Runs after the data snapshot is taken and before the keyring's (tests put a destruction here). */
  afterDataSnapshot?: () => Promise<void>;
}

async function connect(url: string, name: string): Promise<pg.Client> {
  const c = new pg.Client({ connectionString: url, application_name: name });
  await c.connect();
  return c;
}

async function appVersion(): Promise<string> {
  const pkg = JSON.parse(await readFile(path.join(MIGRATIONS_ROOT, '..', 'package.json'), 'utf8')) as {
    version?: string;
  };
  return pkg.version ?? 'unknown';
}

async function prepareFolder(dir: string): Promise<void> {
  let entries: string[] = [];
  try {
    entries = await readdir(dir);
  } catch {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    return;
  }
  if (entries.length > 0) throw new BackupError(`${dir} is not empty: give a new folder for each backup.`);
}

/** Takes a backup of both databases into `dir` (data first, then keyring); returns its manifest. */
export async function takeBackup(o: BackupOptions): Promise<Manifest> {
  await prepareFolder(o.dir);
  const data = await connect(o.urls.data, 'soglasie-backup');
  let keyring: pg.Client | undefined;
  try {
    const dataAt = await openSnapshot(data);
    await o.afterDataSnapshot?.();
    keyring = await connect(o.urls.keyring, 'soglasie-backup');
    const keyringAt = await openSnapshot(keyring);
    const wrapping = await keyring.query<{ id: string }>(
      'SELECT master_key_id AS id FROM data_keys UNION SELECT master_key_id FROM named_keys ORDER BY 1',
    );
    // Both snapshots are fixed; reading them side by side uses both cores.
    const [dataPart, keyringPart] = await Promise.all([
      dumpTables(data, o.dir, 'data', dataAt),
      dumpTables(keyring, o.dir, 'keyring', keyringAt),
    ]);
    await Promise.all([data.query('COMMIT'), keyring.query('COMMIT')]);
    const manifest: Manifest = {
      format: BACKUP_FORMAT,
      formatVersion: BACKUP_FORMAT_VERSION,
      appVersion: await appVersion(),
      createdAt: (o.now?.() ?? new Date()).toISOString(),
      order: ['data', 'keyring'],
      masterKeyId: o.masterKeys.active.id,
      wrappingKeyIds: wrapping.rows.map((r) => r.id),
      databases: { data: dataPart, keyring: keyringPart },
    };
    await writeManifest(o.dir, manifest);
    return manifest;
  } catch (e) {
    await rm(o.dir, { recursive: true, force: true });
    throw e;
  } finally {
    await data.end().catch(() => undefined);
    await keyring?.end().catch(() => undefined);
  }
}

export interface CheckReport {
  manifest: Manifest;
  /** What is wrong, for people; empty when the backup is sound. */
  problems: string[];
  files: number;
  rows: number;
  bytes: number;
}

export interface CheckOptions {
  dir: string;
  /** The keys to restore with; without them the master key is not checked. */
  masterKeys?: MasterKeys;
  /** Also decompress every file and count its rows (slower; `restore --check` does it). */
  deep?: boolean;
}

async function countRows(file: string): Promise<number> {
  let rows = 0;
  await pipeline(
    createReadStream(file),
    createGunzip(),
    new Writable({
      write(chunk: Buffer, _enc, cb) {
        for (let i = chunk.indexOf(0x0a); i !== -1; i = chunk.indexOf(0x0a, i + 1)) rows += 1;
        cb();
      },
    }),
  );
  return rows;
}

async function migrationProblems(set: MigrationSet, part: DatabasePart): Promise<string[]> {
  const known = await knownMigrations(set);
  const problems: string[] = [];
  for (const m of part.migrations) {
    const checksum = known.get(m.name);
    if (checksum === undefined) {
      problems.push(
        `The ${set} migration ${m.name} is newer than this build: restore with the build that took it.`,
      );
    } else if (checksum !== m.checksum) {
      problems.push(`The ${set} migration ${m.name} differs from this build's file.`);
    }
  }
  return problems;
}

/** Checks a backup without restoring it: manifest, migrations, master key, every file's hash. */
export async function checkBackup(o: CheckOptions): Promise<CheckReport> {
  const manifest = await readManifest(o.dir);
  const problems: string[] = [];
  for (const set of ['data', 'keyring'] as const) {
    problems.push(...(await migrationProblems(set, manifest.databases[set])));
  }
  if (o.masterKeys) {
    for (const id of new Set([manifest.masterKeyId, ...manifest.wrappingKeyIds])) {
      if (!o.masterKeys.byId(id)) {
        problems.push(
          `The backup needs master key ${id}, which is not loaded (the active key is ${o.masterKeys.active.id}). ` +
            'Configure that key (or add it to SOGLASIE_MASTER_KEY_OLD).',
        );
      }
    }
  }
  let files = 0;
  let rows = 0;
  let bytes = 0;
  const root = path.resolve(o.dir);
  for (const set of ['data', 'keyring'] as const) {
    for (const t of manifest.databases[set].tables) {
      const file = path.resolve(root, t.file);
      if (!file.startsWith(root + path.sep)) {
        problems.push(`The file of ${set}.${t.name} lies outside the backup.`);
        continue;
      }
      files += 1;
      rows += t.rows;
      let actual: { sha256: string; bytes: number };
      try {
        actual = await sha256OfFile(file);
      } catch {
        problems.push(`${t.file} is missing.`);
        continue;
      }
      bytes += actual.bytes;
      if (actual.sha256 !== t.sha256 || actual.bytes !== t.bytes) {
        problems.push(`${t.file} does not match its SHA-256 in the manifest.`);
        continue;
      }
      if (o.deep) {
        const n = await countRows(file).catch(() => -1);
        if (n !== t.rows)
          problems.push(`${t.file} holds ${n < 0 ? 'unreadable data' : `${n} rows`}, not ${t.rows}.`);
      }
    }
  }
  return { manifest, problems, files, rows, bytes };
}

export interface RestoreOptions {
  dir: string;
  /** Owner (or superuser) URLs of the target databases, which must be empty. */
  urls: DatabaseUrls;
  masterKeys: MasterKeys;
}

/**
 * Restores a backup into a pair of empty databases: checks it first (nothing is written when a
 * file, a migration or the master key is wrong), recreates each schema with this build's
 * migrations at the backup's versions, loads the rows, then applies the migrations added since.
 * Call `verifyRestored` afterwards.
 */
export async function restoreBackup(o: RestoreOptions): Promise<Manifest> {
  const check = await checkBackup({ dir: o.dir, masterKeys: o.masterKeys });
  if (check.problems.length > 0) throw new BackupError(check.problems.join('\n'));
  const m = check.manifest;
  const sets = ['data', 'keyring'] as const;
  const clients = {
    data: await connect(o.urls.data, 'soglasie-restore'),
    keyring: undefined as pg.Client | undefined,
  };
  try {
    clients.keyring = await connect(o.urls.keyring, 'soglasie-restore');
    for (const set of sets) {
      if (!(await isEmptyDatabase(clients[set]!))) {
        throw new BackupError(
          `The ${set} database is not empty. Restore only into empty databases (a new SOGLASIE_DATA_DIR, ` +
            'or new databases for DATABASE_URL and SOGLASIE_KEYRING_URL).',
        );
      }
    }
    try {
      // Migrations one database after the other: both create the server-wide role soglasie_app, and
      // two first migrations at once race on it. The loads are independent: both run at once.
      for (const set of sets) {
        const only = new Set(m.databases[set].migrations.map((x) => x.name));
        await migrate(o.urls[set], set, { only });
      }
      const loads = await Promise.allSettled(
        sets.map((set) => loadTables(clients[set]!, o.dir, m.databases[set])),
      );
      for (const l of loads) if (l.status === 'rejected') throw l.reason;
      // The backup may predate migrations this build has: they run on the restored rows as on any upgrade.
      for (const set of sets) await migrate(o.urls[set], set);
    } catch (e) {
      // Both were empty: leave them so, and the restore can simply be run again.
      for (const set of sets) await resetPublicSchema(clients[set]!);
      throw e;
    }
    return m;
  } finally {
    await clients.data.end().catch(() => undefined);
    await clients.keyring?.end().catch(() => undefined);
  }
}

export interface RestoreReport {
  auditOk: boolean;
  auditChecked: number;
  auditProblem?: string;
  subjects: number;
  /** Subjects whose key opened with the loaded master keys. */
  readable: number;
  /**
   * Subjects without a key: destroyed after the data snapshot and before the keyring's, so their
   * key is gone and they stay shredded (the destruction record was written after the data part).
   */
  withoutKey: number;
}

/**
 * Verifies a restored pair: the audit chain, and that every subject's key is in the keyring and
 * opens with the loaded master keys (a subject without one was destroyed while the backup was
 * taken). Reads the subjects' ids through the owner's connection: a tool over the whole
 * installation, like the migrations.
 */
export async function verifyRestored(o: {
  dataUrl: string;
  keyring: Pick<KeyringService, 'getDataKeys'>;
  audit: Pick<AuditService, 'verify'>;
  pageSize?: number;
}): Promise<RestoreReport> {
  const audit = await o.audit.verify();
  const data = await connect(o.dataUrl, 'soglasie-restore');
  let subjects = 0;
  let readable = 0;
  try {
    await data.query(`SET soglasie.scope = '*'`);
    const page = (after: string): Promise<string[]> =>
      data
        .query<{ id: string }>('SELECT id FROM subjects WHERE id > $1 ORDER BY id LIMIT $2', [
          after,
          o.pageSize ?? 5000,
        ])
        .then((r) => r.rows.map((x) => x.id));
    // The next page of ids is read from the data database while this page's keys are unwrapped.
    let next = page('00000000-0000-0000-0000-000000000000');
    for (;;) {
      const ids = await next;
      if (ids.length === 0) break;
      next = page(ids[ids.length - 1]!);
      // Awaited on the next turn; handled here too, should unwrapping this page throw first.
      next.catch(() => undefined);
      readable += (await o.keyring.getDataKeys(ids)).size;
      subjects += ids.length;
    }
  } finally {
    await data.end();
  }
  return {
    auditOk: audit.ok,
    auditChecked: audit.checked,
    auditProblem: audit.ok ? undefined : `entry ${audit.firstBroken?.id}: ${audit.firstBroken?.reason}`,
    subjects,
    readable,
    withoutKey: subjects - readable,
  };
}
