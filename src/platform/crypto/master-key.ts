/**
 * The master key wraps every data key in the keyring. It comes from SOGLASIE_MASTER_KEY (base64 of
 * 32 bytes) or a key file; in local mode a key file is generated in the data folder on first start.
 * Its id is derived from the key itself, so wrapped keys record which master key wrapped them and
 * rotation can tell old from new without any state.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Config } from '../../config/config.ts';
import { ConfigError } from '../../config/config.ts';
import { KEY_LEN } from './aead.ts';

export interface MasterKey {
  readonly id: string;
  readonly key: Buffer;
}

export interface MasterKeys {
  /** The key new wraps use. */
  readonly active: MasterKey;
  /** Finds the key with this id among the active and retired ones. */
  byId(id: string): MasterKey | undefined;
}

export function masterKeyId(key: Buffer): string {
  return createHash('sha256').update('soglasie/master-key-id/v1').update(key).digest('hex').slice(0, 16);
}

export function parseMasterKey(text: string, origin: string): MasterKey {
  const trimmed = text.trim();
  const key = /^[A-Za-z0-9+/_-]+={0,2}$/.test(trimmed) ? Buffer.from(trimmed, 'base64') : Buffer.alloc(0);
  if (key.length !== KEY_LEN) {
    throw new ConfigError(
      `${origin} must be 32 random bytes in base64 (44 characters). Generate one with:\n` +
        `  node -e "console.log(require('crypto').randomBytes(32).toString('base64'))"`,
    );
  }
  return { id: masterKeyId(key), key };
}

export function generateMasterKeyText(): string {
  return randomBytes(KEY_LEN).toString('base64');
}

export function masterKeysOf(active: MasterKey, retired: readonly MasterKey[]): MasterKeys {
  const all = new Map([...retired, active].map((k) => [k.id, k]));
  return { active, byId: (id) => all.get(id) };
}

/**
 * Loads the master keys named by the configuration. `onGenerated` is told the path of a key file
 * generated on this start (local mode only), so the caller can say so clearly.
 */
export async function loadMasterKeys(
  config: Config,
  onGenerated: (file: string) => void,
): Promise<MasterKeys> {
  let active: MasterKey;
  const mk = config.masterKey;
  const retiredFiles = mk.source === 'file' ? await retiredKeyFiles(mk.path) : [];
  if (mk.source === 'env') {
    active = parseMasterKey(mk.value, 'SOGLASIE_MASTER_KEY');
  } else if (existsSync(mk.path)) {
    active = parseMasterKey(await readFile(mk.path, 'utf8'), `The master key file ${mk.path}`);
  } else if (mk.generateIfMissing && retiredFiles.length === 0) {
    await mkdir(path.dirname(mk.path), { recursive: true });
    const text = generateMasterKeyText();
    await writeFile(mk.path, text + '\n', { mode: 0o600, flag: 'wx' });
    onGenerated(mk.path);
    active = parseMasterKey(text, mk.path);
  } else {
    throw new ConfigError(
      `The master key file ${mk.path} does not exist` +
        (retiredFiles.length > 0 ? ' although retired keys lie beside it (an interrupted rotation?)' : '') +
        '. Restore it from its backup, or set SOGLASIE_MASTER_KEY_FILE to an existing file or ' +
        'SOGLASIE_MASTER_KEY to the key itself. A new key is never generated over existing data.',
    );
  }
  const retired = config.oldMasterKeys.map((t, i) => parseMasterKey(t, `SOGLASIE_MASTER_KEY_OLD[${i}]`));
  for (const f of retiredFiles)
    retired.push(parseMasterKey(await readFile(f, 'utf8'), `The retired key file ${f}`));
  return masterKeysOf(active, retired);
}

/** Retired keys kept beside the key file by `rotate-master-key`: `<file>.retired-<id>`. */
export async function retiredKeyFiles(keyFile: string): Promise<string[]> {
  const dir = path.dirname(keyFile);
  const prefix = `${path.basename(keyFile)}.retired-`;
  if (!existsSync(dir)) return [];
  return (await readdir(dir))
    .filter((f) => f.startsWith(prefix))
    .sort()
    .map((f) => path.join(dir, f));
}
