// The real commands, as an administrator runs them on the embedded database: back up a data
// folder, check the backup, restore it into a fresh folder (refused without the master key, and
// into a folder already restored), and a tampered backup fails its check.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';

const exec = promisify(execFile);

/** Runs `soglasie <args>` on the embedded server of `dataDir`; never the test's own databases. */
async function soglasie(
  dataDir: string,
  args: string[],
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await exec(process.execPath, ['bin/soglasie.mjs', ...args], {
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        HOME: process.env.HOME ?? tmpdir(),
        SOGLASIE_DATA_DIR: dataDir,
        SOGLASIE_LOG_LEVEL: 'warn',
      },
    });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const x = e as { code?: number; stdout?: string; stderr?: string };
    return { code: x.code ?? -1, stdout: x.stdout ?? '', stderr: x.stderr ?? '' };
  }
}

describe('soglasie backup and restore on the embedded database', () => {
  let root: string;
  let source: string;
  let backup: string;
  let target: string;

  before(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'soglasie-cli-backup-'));
    // As root the embedded server runs as `postgres`, which must reach the folders.
    await chmod(root, 0o755);
    source = path.join(root, 'source');
    backup = path.join(root, 'backup');
    target = path.join(root, 'target');
    const demo = await soglasie(source, ['demo']);
    assert.equal(demo.code, 0, demo.stderr);
  });
  after(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('backs up, checks, and restores into a fresh folder with the master key only', async () => {
    const b = await soglasie(source, ['backup', backup]);
    assert.equal(b.code, 0, b.stderr);
    assert.match(b.stdout, /^Backup written to .+: \d+ files, .+; master key id [0-9a-f]{16}\.$/m);

    const check = await soglasie(target, ['restore', '--check', backup]);
    assert.equal(check.code, 0, check.stderr);
    assert.match(check.stdout, /The backup is sound\./);
    assert.match(check.stdout, /the master key was not checked/);
    assert.equal(existsSync(path.join(target, 'pg')), false, 'a check started a database');

    const noKey = await soglasie(target, ['restore', backup]);
    assert.equal(noKey.code, 1);
    assert.match(noKey.stderr, /No master key at .*master\.key/);
    assert.equal(existsSync(path.join(target, 'master.key')), false, 'a key was generated');

    await mkdir(target, { recursive: true });
    await copyFile(path.join(source, 'master.key'), path.join(target, 'master.key'));
    const r = await soglasie(target, ['restore', backup]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Audit log: intact, \d+ entries\./);

    const audit = await soglasie(target, ['verify-audit']);
    assert.equal(audit.code, 0, audit.stdout);
    const again = await soglasie(target, ['restore', backup]);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /not empty/);
  });

  it('a tampered backup fails its check', async () => {
    const manifest = JSON.parse(await readFile(path.join(backup, 'manifest.json'), 'utf8')) as {
      databases: { data: { tables: { name: string; file: string }[] } };
    };
    const file = path.join(backup, manifest.databases.data.tables.find((t) => t.name === 'audit_log')!.file);
    const bytes = await readFile(file);
    bytes[bytes.length - 12] = bytes[bytes.length - 12]! ^ 0x01;
    await writeFile(file, bytes);
    const check = await soglasie(source, ['restore', '--check', backup]);
    assert.equal(check.code, 1);
    assert.match(check.stdout, /PROBLEM: data\/audit_log\.copy\.gz does not match its SHA-256/);
    assert.match(check.stderr, /The backup is NOT sound\./);
  });
});
