/**
 * Forward-only SQL migrations, one set per database (`migrations/data`, `migrations/keyring`).
 * Each file runs once, in its own transaction, under an advisory lock so that instances starting
 * together do not race; an applied file that has changed since stops the start.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

export const MIGRATIONS_ROOT = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../../migrations',
);

export type MigrationSet = 'data' | 'keyring';

export interface MigrationResult {
  applied: string[];
}

const LOCK_ID = 0x50_67_1a_00; // arbitrary, constant

export interface MigrateOptions {
  /** Apply only these files (a restore recreates the schema a backup was taken at). */
  only?: ReadonlySet<string>;
}

/** The migration files of a set, in order, with their SHA-256 (what `schema_migrations` records). */
export async function knownMigrations(set: MigrationSet): Promise<Map<string, string>> {
  const dir = path.join(MIGRATIONS_ROOT, set);
  const files = (await readdir(dir)).filter((f) => /^\d{4}_[a-z0-9_]+\.sql$/.test(f)).sort();
  const known = new Map<string, string>();
  for (const file of files) {
    known.set(
      file,
      createHash('sha256')
        .update(await readFile(path.join(dir, file), 'utf8'))
        .digest('hex'),
    );
  }
  return known;
}

export async function migrate(
  url: string,
  set: MigrationSet,
  opts: MigrateOptions = {},
): Promise<MigrationResult> {
  const dir = path.join(MIGRATIONS_ROOT, set);
  const files = (await readdir(dir))
    .filter((f) => /^\d{4}_[a-z0-9_]+\.sql$/.test(f))
    .filter((f) => !opts.only || opts.only.has(f))
    .sort();
  const client = new pg.Client({ connectionString: url, application_name: 'soglasie-migrate' });
  // A server dying mid-migration fails the query in flight; without a listener pg would also throw
  // the connection's error as an uncaught exception.
  client.on('error', () => undefined);
  await client.connect();
  const applied: string[] = [];
  try {
    await client.query('SET client_min_messages = warning');
    await client.query('SELECT pg_advisory_lock($1)', [LOCK_ID]);
    await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      name text PRIMARY KEY, checksum text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
    const { rows } = await client.query<{ name: string; checksum: string }>(
      'SELECT name, checksum FROM schema_migrations',
    );
    const done = new Map(rows.map((r) => [r.name, r.checksum]));
    for (const file of files) {
      const sql = await readFile(path.join(dir, file), 'utf8');
      const checksum = createHash('sha256').update(sql).digest('hex');
      const previous = done.get(file);
      if (previous !== undefined) {
        if (previous !== checksum) {
          throw new Error(
            `Migration ${set}/${file} was changed after it was applied. Migrations are forward-only: ` +
              'restore the file and add a new migration instead.',
          );
        }
        continue;
      }
      await client.query('BEGIN');
      try {
        await client.query(sql);
        await client.query('INSERT INTO schema_migrations (name, checksum) VALUES ($1, $2)', [
          file,
          checksum,
        ]);
        await client.query('COMMIT');
      } catch (e) {
        await client.query('ROLLBACK');
        throw new Error(`Migration ${set}/${file} failed: ${e instanceof Error ? e.message : String(e)}`, {
          cause: e,
        });
      }
      applied.push(file);
    }
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [LOCK_ID]).catch(() => undefined);
    await client.end();
  }
  return { applied };
}
