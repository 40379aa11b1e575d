/**
 * Cold start of `soglasie serve` on the embedded PostgreSQL: spawn to the first 200 from /readyz,
 * on a fresh data folder (initdb, both databases, migrations, master key) and again on the same
 * folder; then idle memory of the app and of PostgreSQL after 5 s, and the SIGTERM shutdown time.
 *
 *   npx tsx bench/cold-start.ts [runs=3]
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import {
  childEnv,
  descendants,
  median,
  printTable,
  pssKiB,
  removeDir,
  round,
  ROOT,
  rssKiB,
  startServe,
  tempDir,
  writeResult,
} from './lib.ts';

const runs = Number(process.argv[2] ?? 3);
const loadMs: number[] = [];
const firstMs: number[] = [];
const laterMs: number[] = [];
const shutdownMs: number[] = [];
const dirs: string[] = [];

function cmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
  } catch {
    return '';
  }
}

/** Spawn to exit of `soglasie --help`: loading the code through tsx, no database. */
async function moduleLoadMs(): Promise<number> {
  const t = performance.now();
  const child = spawn(process.execPath, [path.join(ROOT, 'bin/soglasie.mjs'), '--help'], {
    cwd: ROOT,
    env: childEnv({}),
    stdio: 'ignore',
  });
  await new Promise((resolve) => child.once('exit', resolve));
  return performance.now() - t;
}

try {
  for (let i = 0; i < runs; i++) loadMs.push(await moduleLoadMs());
  for (let i = 0; i < runs; i++) {
    const dir = await tempDir('cold');
    dirs.push(dir);
    const first = await startServe({ dataDir: dir });
    firstMs.push(first.readyMs);
    const s1 = await first.stop();
    if (s1.code !== 0) throw new Error(`serve exited with ${s1.code}:\n${first.stderr()}`);
    shutdownMs.push(s1.ms);
    const later = await startServe({ dataDir: dir });
    laterMs.push(later.readyMs);
    const s2 = await later.stop();
    if (s2.code !== 0) throw new Error(`serve exited with ${s2.code}:\n${later.stderr()}`);
    shutdownMs.push(s2.ms);
    process.stdout.write(
      `run ${i + 1}: first ${round(first.readyMs)} ms, later ${round(later.readyMs)} ms\n`,
    );
  }

  // Idle memory: one more start on the first folder, 5 s of nothing, then measure.
  const idle = await startServe({ dataDir: dirs[0]! });
  await delay(5000);
  const appPid = idle.child.pid!;
  const pg = descendants(appPid).filter((p) => /postgres/.test(cmdline(p)));
  const postmaster = pg.filter((p) => cmdline(p).includes(dirs[0]!));
  const mem = {
    appRssMiB: rssKiB(appPid) / 1024,
    appPssMiB: pssKiB(appPid) / 1024,
    postgresProcesses: pg.length,
    postmasterHasDataDir: postmaster.length === 1,
    postgresRssSumMiB: pg.reduce((s, p) => s + rssKiB(p), 0) / 1024,
    postgresPssSumMiB: pg.reduce((s, p) => s + pssKiB(p), 0) / 1024,
  };
  const idleStop = await idle.stop();
  shutdownMs.push(idleStop.ms);
  await delay(200);
  const leftovers = pg.filter((p) => cmdline(p) !== '');

  printTable('cold start of `soglasie serve` (spawn to first 200 on /readyz), ms', [
    {
      case: 'loading the code only (soglasie --help)',
      median: round(median(loadMs)),
      runs: loadMs.map((x) => round(x, 0)).join(' '),
    },
    {
      case: 'first run (initdb + migrate)',
      median: round(median(firstMs)),
      runs: firstMs.map((x) => round(x, 0)).join(' '),
    },
    {
      case: 'later runs (same folder)',
      median: round(median(laterMs)),
      runs: laterMs.map((x) => round(x, 0)).join(' '),
    },
    {
      case: 'shutdown on SIGTERM',
      median: round(median(shutdownMs)),
      runs: shutdownMs.map((x) => round(x, 0)).join(' '),
    },
  ]);
  printTable('idle memory after 5 s, MiB', [
    { process: 'app (node)', rss: round(mem.appRssMiB), pss: round(mem.appPssMiB) },
    {
      process: `embedded PostgreSQL (${mem.postgresProcesses} processes)`,
      rss: round(mem.postgresRssSumMiB),
      pss: round(mem.postgresPssSumMiB),
    },
  ]);
  process.stdout.write(
    'RSS counts shared memory (shared_buffers) once per PostgreSQL process; PSS splits it among them.\n' +
      `exit code on SIGTERM: ${idleStop.code}; PostgreSQL processes left after stop: ${leftovers.length}\n`,
  );
  await writeResult('cold-start', {
    moduleLoadMs: { median: median(loadMs), runs: loadMs },
    firstRunMs: { median: median(firstMs), runs: firstMs },
    laterRunMs: { median: median(laterMs), runs: laterMs },
    shutdownMs: { median: median(shutdownMs), runs: shutdownMs },
    idleMemory: mem,
    exitCode: idleStop.code,
    postgresLeftAfterStop: leftovers.length,
  });
} finally {
  for (const d of dirs) await removeDir(d);
}
