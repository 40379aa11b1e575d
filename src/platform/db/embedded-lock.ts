/**
 * Who holds the embedded PostgreSQL's data folder. PostgreSQL's own `postmaster.pid` names the
 * server (its PID, data folder, port and socket folder); our `pg.owner` file beside the folder names
 * the Soglasie process that started it (its PID and the kernel's start time of that process, so a
 * reused PID is not taken for it). Together they tell three cases apart:
 *
 * - `free`: no live server on the folder (a stale `postmaster.pid` is PostgreSQL's to handle);
 * - `running`: a live Soglasie process started the live server: attach to it or refuse;
 * - `orphan`: the server outlived the Soglasie process that started it (`kill -9`, a crash): stop
 *   it and start again.
 *
 * @example
 *   const found = inspectEmbeddedFolder('/srv/soglasie/data/pg');
 *   if (found.kind === 'orphan') await stopOrphanedPostmaster(found.postmasterPid);
 */
import { readFileSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';

export interface Postmaster {
  pid: number;
  dataDir: string;
  port: number;
  /** The first Unix socket folder; empty when the server listens on TCP only. */
  socketDir: string;
}

export type FolderOccupant =
  | { kind: 'free' }
  | { kind: 'running'; ownerPid: number; postmaster: Postmaster }
  | { kind: 'orphan'; ownerPid: number | undefined; postmaster: Postmaster };

interface OwnerRecord {
  pid: number;
  /** The process's start time in clock ticks since boot (Linux), to tell a reused PID apart. */
  started: string | null;
}

/** `<dir>.owner`: beside the cluster folder, like its password file. */
export function embeddedOwnerFile(dir: string): string {
  return `${path.resolve(dir)}.owner`;
}

/** The fields of `postmaster.pid` (PostgreSQL 10+ layout), or undefined without a readable one. */
export function readPostmasterPid(dir: string): Postmaster | undefined {
  let text: string;
  try {
    text = readFileSync(path.join(dir, 'postmaster.pid'), 'utf8');
  } catch {
    return undefined;
  }
  const lines = text.split('\n');
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  if (!Number.isInteger(pid) || pid <= 0 || !Number.isInteger(port)) return undefined;
  return { pid, dataDir: lines[1] ?? '', port, socketDir: (lines[4] ?? '').trim() };
}

/** Fields of /proc/<pid>/stat after the command name: [0] is the state, [1] the parent's PID. */
function statFields(pid: number): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

function startTicks(pid: number): string | null {
  return statFields(pid)?.[19] ?? null;
}

/** Whether the process exists and is not a zombie waiting to be reaped. */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  return statFields(pid)?.[0] !== 'Z';
}

function commandLine(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  } catch {
    return undefined;
  }
}

function readOwner(dir: string): OwnerRecord | undefined {
  try {
    const o = JSON.parse(readFileSync(embeddedOwnerFile(dir), 'utf8')) as Partial<OwnerRecord>;
    return typeof o.pid === 'number' ? { pid: o.pid, started: o.started ?? null } : undefined;
  } catch {
    return undefined;
  }
}

function ownerAlive(o: OwnerRecord): boolean {
  if (!processAlive(o.pid)) return false;
  // Where /proc tells start times, a different one means the PID now belongs to another process.
  const now = startTicks(o.pid);
  return o.started === null || now === null || now === o.started;
}

/** Who holds the cluster folder `dir` now (see the module's comment). */
export function inspectEmbeddedFolder(dir: string): FolderOccupant {
  const resolved = path.resolve(dir);
  const pm = readPostmasterPid(resolved);
  if (!pm || !processAlive(pm.pid)) return { kind: 'free' };
  const cmd = commandLine(pm.pid);
  // A live PID that is not a PostgreSQL server on this folder is a reused PID: PostgreSQL itself
  // decides about its stale lock file.
  if (path.resolve(pm.dataDir) !== resolved || (cmd !== undefined && !cmd.includes('postgres'))) {
    return { kind: 'free' };
  }
  const owner = readOwner(resolved);
  if (owner && ownerAlive(owner)) return { kind: 'running', ownerPid: owner.pid, postmaster: pm };
  if (!owner) {
    // Started before owner files existed, or by another tool: take it for an orphan only when its
    // parent is gone (re-parented to init or a sub-reaper that is not Node).
    const parent = Number(statFields(pm.pid)?.[1] ?? NaN);
    const parentCmd = Number.isInteger(parent) ? commandLine(parent) : undefined;
    if (parent > 1 && parentCmd !== undefined && /node/.test(parentCmd)) {
      return { kind: 'running', ownerPid: parent, postmaster: pm };
    }
  }
  return { kind: 'orphan', ownerPid: owner?.pid, postmaster: pm };
}

/** Records this process as the one that starts and supervises the server of `dir`. */
export async function takeOwnership(dir: string): Promise<void> {
  const record: OwnerRecord = { pid: process.pid, started: startTicks(process.pid) };
  await writeFile(embeddedOwnerFile(dir), JSON.stringify(record) + '\n', { mode: 0o600 });
}

/** Removes the owner file if it is still this process's. */
export async function releaseOwnership(dir: string): Promise<void> {
  if (readOwner(path.resolve(dir))?.pid === process.pid) await rm(embeddedOwnerFile(dir), { force: true });
}

async function waitForExit(pid: number, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (processAlive(pid)) {
    if (Date.now() > deadline) return false;
    await delay(25);
  }
  return true;
}

/**
 * Stops a server left behind: a fast shutdown (SIGINT: open transactions roll back, a checkpoint
 * is written), then an immediate one (SIGQUIT: crash recovery at the next start), then SIGKILL.
 * Returns how it ended.
 */
export async function stopOrphanedPostmaster(pid: number): Promise<'fast' | 'immediate' | 'killed'> {
  const steps = [
    ['SIGINT', 'fast', 20_000],
    ['SIGQUIT', 'immediate', 10_000],
    ['SIGKILL', 'killed', 10_000],
  ] as const;
  for (const [signal, how, ms] of steps) {
    try {
      process.kill(pid, signal);
    } catch {
      return how;
    }
    if (await waitForExit(pid, ms)) return how;
  }
  throw new Error(`The PostgreSQL server left behind (PID ${pid}) did not stop; stop it by hand.`);
}
