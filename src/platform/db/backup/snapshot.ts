/**
 * A logical copy of one database through node-postgres alone (the embedded server ships no
 * pg_dump): every table of the `public` schema in one REPEATABLE READ snapshot, each through
 * `COPY ... TO STDOUT` (text format) into its own gzip file; and the way back into a database
 * whose schema the project's migrations recreated at the same versions.
 *
 * @example
 *   const snap = await openSnapshot(client);           // the snapshot is taken here
 *   const part = await dumpTables(client, dir, 'data');  // then read at leisure
 *   await loadTables(otherClient, dir, part);            // into an empty, migrated database
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip, createGzip } from 'node:zlib';
import pg from 'pg';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';
import {
  BackupError,
  sha256OfFile,
  type DatabasePart,
  type SequenceEntry,
  type TableEntry,
} from './manifest.ts';

/** Restores record their own migrations; this table is recreated by them, not copied. */
const MIGRATIONS_TABLE = 'schema_migrations';
const NEWLINE = 0x0a;

/**
 * Opens a read-only REPEATABLE READ transaction on `client` and takes its snapshot at once: what
 * is read through `client` afterwards is the database as of this moment. The caller commits.
 */
export async function openSnapshot(client: pg.Client): Promise<Date> {
  await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
  // Tables with personal data refuse an unscoped read from a role under row-level security; an
  // owner or superuser is not under it, but a backup role made for the purpose may be.
  await client.query(`SET LOCAL soglasie.scope = '*'`);
  const { rows } = await client.query<{ at: Date }>('SELECT now() AS at');
  return rows[0]!.at;
}

/** Ordinary tables of `public`, parents before the tables that reference them. */
export async function listTables(client: pg.Client): Promise<{ name: string; columns: string[] }[]> {
  const { rows } = await client.query<{ name: string; columns: string[] }>(
    `SELECT c.relname AS name,
            array_agg(a.attname::text ORDER BY a.attnum) AS columns
       FROM pg_class c
       JOIN pg_namespace n ON n.oid = c.relnamespace
       JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = ''
      WHERE n.nspname = 'public' AND c.relkind = 'r' AND c.relname <> $1
      GROUP BY c.relname
      ORDER BY c.relname`,
    [MIGRATIONS_TABLE],
  );
  const refs = await client.query<{ child: string; parent: string }>(
    `SELECT c.relname AS child, p.relname AS parent
       FROM pg_constraint k
       JOIN pg_class c ON c.oid = k.conrelid
       JOIN pg_class p ON p.oid = k.confrelid
       JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE k.contype = 'f' AND n.nspname = 'public' AND c.oid <> p.oid`,
  );
  const parents = new Map<string, Set<string>>(rows.map((r) => [r.name, new Set<string>()]));
  for (const r of refs.rows) parents.get(r.child)?.add(r.parent);
  const ordered: { name: string; columns: string[] }[] = [];
  const placed = new Set<string>();
  while (ordered.length < rows.length) {
    const next = rows.filter(
      (r) => !placed.has(r.name) && [...parents.get(r.name)!].every((p) => placed.has(p) || !parents.has(p)),
    );
    if (next.length === 0) throw new BackupError('The tables reference each other in a cycle.');
    for (const r of next) {
      ordered.push(r);
      placed.add(r.name);
    }
  }
  return ordered;
}

export async function listSequences(client: pg.Client): Promise<SequenceEntry[]> {
  const { rows } = await client.query<{ name: string; last_value: string | null }>(
    `SELECT sequencename AS name, last_value::text AS last_value
       FROM pg_sequences WHERE schemaname = 'public' ORDER BY sequencename`,
  );
  return rows.map((r) => ({ name: r.name, lastValue: r.last_value }));
}

export async function appliedMigrations(client: pg.Client): Promise<{ name: string; checksum: string }[]> {
  const { rows } = await client.query<{ name: string; checksum: string }>(
    `SELECT name, checksum FROM ${MIGRATIONS_TABLE} ORDER BY name`,
  );
  return rows;
}

/** Counts rows of COPY's text format as it passes: each row ends in a newline, and newlines inside values are escaped. */
class RowCounter extends Transform {
  rows = 0;
  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    for (let i = chunk.indexOf(NEWLINE); i !== -1; i = chunk.indexOf(NEWLINE, i + 1)) this.rows += 1;
    cb(null, chunk);
  }
}

/**
 * Copies every table through `client`, which must be inside `openSnapshot`'s transaction, into
 * `<dir>/<prefix>/<table>.copy.gz`; returns what the manifest records of them.
 */
export async function dumpTables(
  client: pg.Client,
  dir: string,
  prefix: string,
  snapshotAt: Date,
): Promise<DatabasePart> {
  await mkdir(path.join(dir, prefix), { recursive: true, mode: 0o700 });
  const tables: TableEntry[] = [];
  for (const t of await listTables(client)) {
    const file = `${prefix}/${t.name}.copy.gz`;
    const counter = new RowCounter();
    const cols = t.columns.map((c) => pg.escapeIdentifier(c)).join(', ');
    await pipeline(
      client.query(copyTo(`COPY ${pg.escapeIdentifier(t.name)} (${cols}) TO STDOUT`)),
      counter,
      createGzip({ level: 3 }),
      createWriteStream(path.join(dir, file), { mode: 0o600 }),
    );
    const { sha256, bytes } = await sha256OfFile(path.join(dir, file));
    tables.push({ name: t.name, columns: t.columns, file, rows: counter.rows, bytes, sha256 });
  }
  return {
    snapshotAt: snapshotAt.toISOString(),
    migrations: await appliedMigrations(client),
    tables,
    sequences: await listSequences(client),
  };
}

/** Whether the database has no table, view or sequence of its own in `public` yet. */
export async function isEmptyDatabase(client: pg.Client): Promise<boolean> {
  const { rows } = await client.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')`,
  );
  return rows[0]!.n === 0;
}

/**
 * Puts a database that was empty before a failed restore back as it was: the `public` schema as
 * PostgreSQL 15 creates it, without anything the migrations made. Only for a database that
 * `isEmptyDatabase` found empty before the restore began.
 */
export async function resetPublicSchema(client: pg.Client): Promise<void> {
  await client.query('ROLLBACK').catch(() => undefined);
  await client.query(
    'DROP SCHEMA public CASCADE; CREATE SCHEMA public AUTHORIZATION pg_database_owner; GRANT USAGE ON SCHEMA public TO PUBLIC',
  );
}

/**
 * Loads a dumped part into the database of `client`, whose schema the migrations just recreated at
 * the part's versions. One transaction: the rows the migrations seeded are replaced, the tables'
 * own triggers (the audit log's append-only guard, the status-count deltas) are off while the
 * rows go in exactly as they were, each table's count is checked, sequences are set; then the
 * triggers are back on and it commits. Any failure leaves nothing behind but the empty schema.
 */
export async function loadTables(client: pg.Client, dir: string, part: DatabasePart): Promise<void> {
  const present = new Map((await listTables(client)).map((t) => [t.name, t]));
  for (const t of part.tables) {
    const here = present.get(t.name);
    if (!here) throw new BackupError(`The backup's table ${t.name} does not exist after migrating.`);
    const missing = t.columns.filter((c) => !here.columns.includes(c));
    if (missing.length > 0) throw new BackupError(`The table ${t.name} lacks columns ${missing.join(', ')}.`);
  }
  // Parents first, so that foreign keys (which stay on) find their rows.
  const order = [...present.keys()].filter((n) => part.tables.some((t) => t.name === n));
  const byName = new Map(part.tables.map((t) => [t.name, t]));
  const ids = order.map((n) => pg.escapeIdentifier(n));
  await client.query('BEGIN');
  try {
    await client.query(`SET LOCAL soglasie.scope = '*'`);
    for (const id of ids) await client.query(`ALTER TABLE ${id} DISABLE TRIGGER USER`);
    if (ids.length > 0) await client.query(`TRUNCATE ${ids.join(', ')}`);
    for (const name of order) {
      const t = byName.get(name)!;
      const cols = t.columns.map((c) => pg.escapeIdentifier(c)).join(', ');
      const sink = client.query(copyFrom(`COPY ${pg.escapeIdentifier(name)} (${cols}) FROM STDIN`));
      await pipeline(createReadStream(path.join(dir, t.file)), createGunzip(), sink);
      if (sink.rowCount !== t.rows) {
        throw new BackupError(`The table ${name} loaded ${sink.rowCount} rows; the manifest says ${t.rows}.`);
      }
    }
    for (const s of part.sequences) {
      await client.query(
        s.lastValue === null
          ? 'SELECT setval($1::regclass, 1, false)'
          : 'SELECT setval($1::regclass, $2::bigint, true)',
        s.lastValue === null ? [pg.escapeIdentifier(s.name)] : [pg.escapeIdentifier(s.name), s.lastValue],
      );
    }
    // Deferred foreign keys check the loaded rows now: a table with pending checks cannot be altered.
    await client.query('SET CONSTRAINTS ALL IMMEDIATE');
    for (const id of ids) await client.query(`ALTER TABLE ${id} ENABLE TRIGGER USER`);
    await client.query('COMMIT');
  } catch (e) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw e;
  }
  // Fresh tables have no statistics: without them the first queries (the verification's key
  // lookups among them) may plan sequential scans of a million rows.
  await client.query('ANALYZE');
}
