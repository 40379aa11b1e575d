import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  embeddedOwnerFile,
  inspectEmbeddedFolder,
  processAlive,
  readPostmasterPid,
} from './embedded-lock.ts';

// The live cases (a server left by a killed serve, one a running serve holds) are in
// src/server.crash.test.ts with real processes; these are the lock files' edges.
describe('embedded folder lock', () => {
  let base: string;
  let dir: string;
  before(async () => {
    base = await mkdtemp(path.join(os.tmpdir(), 'soglasie-lock-'));
    dir = path.join(base, 'pg');
    await mkdir(dir);
  });
  after(() => rm(base, { recursive: true, force: true }));

  const pidFile = (pid: number, dataDir = dir) =>
    writeFile(
      path.join(dir, 'postmaster.pid'),
      `${pid}\n${dataDir}\n1765000000\n54321\n${dataDir}\n127.0.0.1\n  1234 5678\nready   \n`,
    );

  it('reads postmaster.pid; a folder without one is free', async () => {
    assert.equal(readPostmasterPid(dir), undefined);
    assert.deepEqual(inspectEmbeddedFolder(dir), { kind: 'free' });
    await pidFile(4242);
    assert.deepEqual(readPostmasterPid(dir), { pid: 4242, dataDir: dir, port: 54321, socketDir: dir });
  });

  it('a postmaster.pid whose process is gone, or is not a PostgreSQL server on this folder, is free', async () => {
    const child = spawn(process.execPath, ['-e', '']);
    await new Promise((r) => child.on('exit', r));
    assert.equal(processAlive(child.pid!), false);
    await pidFile(child.pid!);
    assert.deepEqual(inspectEmbeddedFolder(dir), { kind: 'free' });
    // A live PID reused by another program: PostgreSQL's own lock check decides, we stop nothing.
    await pidFile(process.pid);
    await writeFile(embeddedOwnerFile(dir), JSON.stringify({ pid: 1, started: null }));
    assert.deepEqual(inspectEmbeddedFolder(dir), { kind: 'free' });
    await pidFile(process.pid, path.join(base, 'other'));
    assert.deepEqual(inspectEmbeddedFolder(dir), { kind: 'free' });
  });
});
