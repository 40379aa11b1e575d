/**
 * A backup's manifest (`manifest.json` in the backup's folder): what was taken, in which order, at
 * which schema versions, and how to check every file. It names the master key by its id only.
 * The manifest is written last, so a folder without one is an unfinished backup.
 *
 * @example
 *   const m = await readManifest(dir); // throws BackupError when missing or malformed
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';

export const MANIFEST_FILE = 'manifest.json';
export const BACKUP_FORMAT = 'soglasie-backup';
export const BACKUP_FORMAT_VERSION = 1;

/** A backup that cannot be taken, checked or restored; the message says why, never with data. */
export class BackupError extends Error {
  override readonly name = 'BackupError';
}

const TableEntry = z.object({
  name: z.string().regex(/^[a-z_][a-z0-9_]*$/),
  columns: z.array(z.string().regex(/^[a-z_][a-z0-9_]*$/)).min(1),
  file: z.string().regex(/^[a-z_]+\/[a-z_][a-z0-9_]*\.copy\.gz$/),
  rows: z.number().int().min(0),
  bytes: z.number().int().min(0),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
});
export type TableEntry = z.infer<typeof TableEntry>;

const SequenceEntry = z.object({
  name: z.string().regex(/^[a-z_][a-z0-9_]*$/),
  /** null: never used (setval(..., false) on restore). */
  lastValue: z
    .string()
    .regex(/^-?\d+$/)
    .nullable(),
});
export type SequenceEntry = z.infer<typeof SequenceEntry>;

const DatabasePart = z.object({
  /** When this database's snapshot was taken (the server's clock). */
  snapshotAt: z.iso.datetime({ offset: true }),
  /** Applied migrations at the snapshot, with the SHA-256 of each file. */
  migrations: z.array(z.object({ name: z.string(), checksum: z.string() })),
  tables: z.array(TableEntry),
  sequences: z.array(SequenceEntry),
});
export type DatabasePart = z.infer<typeof DatabasePart>;

export const Manifest = z.object({
  format: z.literal(BACKUP_FORMAT),
  formatVersion: z.literal(BACKUP_FORMAT_VERSION),
  appVersion: z.string(),
  createdAt: z.iso.datetime({ offset: true }),
  /**
   * The data database's snapshot is taken first, the keyring's after it: every key a subject in
   * the data part needs is then in the keyring part, unless the subject was destroyed in between.
   */
  order: z.tuple([z.literal('data'), z.literal('keyring')]),
  /** The active master key's id when the backup was taken (never the key). */
  masterKeyId: z.string().regex(/^[0-9a-f]{16}$/),
  /** Every master key id that wraps a key in the keyring part: all are needed to restore. */
  wrappingKeyIds: z.array(z.string().regex(/^[0-9a-f]{16}$/)),
  databases: z.object({ data: DatabasePart, keyring: DatabasePart }),
});
export type Manifest = z.infer<typeof Manifest>;

export async function readManifest(dir: string): Promise<Manifest> {
  let text: string;
  try {
    text = await readFile(path.join(dir, MANIFEST_FILE), 'utf8');
  } catch {
    throw new BackupError(`${dir} holds no ${MANIFEST_FILE}: not a backup, or an unfinished one.`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new BackupError(`${MANIFEST_FILE} is not valid JSON.`);
  }
  const format = (json as { formatVersion?: unknown } | null)?.formatVersion;
  if (typeof format === 'number' && format > BACKUP_FORMAT_VERSION) {
    throw new BackupError(
      `The backup's format ${format} is newer than this build reads (${BACKUP_FORMAT_VERSION}).`,
    );
  }
  const parsed = Manifest.safeParse(json);
  if (!parsed.success) {
    const where = parsed.error.issues[0]?.path.join('.') ?? '';
    throw new BackupError(`${MANIFEST_FILE} is malformed (at "${where}").`);
  }
  return parsed.data;
}

/** Writes the manifest through a temporary file and a rename: it appears whole or not at all. */
export async function writeManifest(dir: string, m: Manifest): Promise<void> {
  const tmp = path.join(dir, `${MANIFEST_FILE}.tmp`);
  await writeFile(tmp, JSON.stringify(m, null, 2) + '\n', { mode: 0o600 });
  await rename(tmp, path.join(dir, MANIFEST_FILE));
}

export async function sha256OfFile(file: string): Promise<{ sha256: string; bytes: number }> {
  const h = createHash('sha256');
  let bytes = 0;
  for await (const chunk of createReadStream(file)) {
    h.update(chunk as Buffer);
    bytes += (chunk as Buffer).length;
  }
  return { sha256: h.digest('hex'), bytes };
}
