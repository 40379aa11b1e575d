/**
 * `soglasie backup <dir>` and `soglasie restore [--check] <dir>`: both databases as one consistent
 * pair (see src/modules/backup), on the embedded server or an external one.
 */
import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import type { Config } from '../config/config.ts';
import {
  BackupError,
  checkBackup,
  restoreBackup,
  takeBackup,
  verifyRestored,
  type CheckReport,
} from '../modules/backup/index.ts';
import { loadMasterKeys, type MasterKeys } from '../platform/crypto/master-key.ts';
import { openRuntime } from '../runtime.ts';
import { commandEnv } from './core-commands.ts';

const out = (line: string): void => {
  process.stdout.write(line + '\n');
};

const mb = (bytes: number): string => `${(bytes / 1_048_576).toFixed(1)} MB`;

/** The configured master keys, or undefined when the key file is not there (never generates one). */
async function existingMasterKeys(config: Config): Promise<MasterKeys | undefined> {
  if (config.masterKey.source === 'file' && !existsSync(config.masterKey.path)) return undefined;
  return loadMasterKeys(config, () => undefined);
}

function describeCheck(dir: string, r: CheckReport): void {
  const m = r.manifest;
  out(`Backup ${dir}: taken ${m.createdAt} by Soglasie ${m.appVersion} (format ${m.formatVersion}).`);
  for (const set of ['data', 'keyring'] as const) {
    const p = m.databases[set];
    const rows = p.tables.reduce((n, t) => n + t.rows, 0);
    out(
      `  ${set}: snapshot ${p.snapshotAt}, ${p.tables.length} tables, ${rows} rows, ` +
        `migrations up to ${p.migrations.at(-1)?.name ?? '(none)'}`,
    );
  }
  out(`  master key id ${m.masterKeyId}; ${r.files} files, ${mb(r.bytes)}`);
}

export function registerBackupCommands(program: Command): void {
  program
    .command('backup')
    .argument('<dir>', 'a new (or empty) folder for this backup')
    .description('Back up the data and keyring databases as one consistent pair (data first, then keyring)')
    .addHelpText(
      'after',
      `
Writes one gzip file per table and manifest.json (versions, row counts, SHA-256 of every file,
the master key's id). The master key itself is never written: keep it apart from the backups.
Check a backup with \`soglasie restore --check <dir>\`.`,
    )
    .action(async (dir: string) => {
      const { config, log } = commandEnv('warn');
      const runtime = await openRuntime(config, log);
      try {
        const m = await takeBackup({
          urls: runtime.urls,
          masterKeys: runtime.ctx.masterKeys,
          dir,
          now: () => runtime.ctx.clock.now(),
        });
        await runtime.ctx.services.audit.recordNow({
          actor: { type: 'system', id: 'cli' },
          action: 'backup.create',
          objectType: 'backup',
          objectId: m.createdAt,
          result: 'success',
        });
        const files = [...m.databases.data.tables, ...m.databases.keyring.tables];
        out(
          `Backup written to ${dir}: ${files.length} files, ${mb(files.reduce((n, t) => n + t.bytes, 0))}; ` +
            `${m.databases.data.tables.find((t) => t.name === 'subjects')?.rows ?? 0} patients; ` +
            `master key id ${m.masterKeyId}.`,
        );
      } catch (e) {
        throw e instanceof BackupError ? new Error(e.message) : e;
      } finally {
        await runtime.close();
      }
    });

  program
    .command('restore')
    .argument('<dir>', 'a folder written by `soglasie backup`')
    .option(
      '--check',
      'only check the backup (every file, its rows, the migrations, the master key); change nothing',
    )
    .description(
      'Restore a backup into empty databases (a new SOGLASIE_DATA_DIR, or new databases), then verify it',
    )
    .addHelpText(
      'after',
      `
Restore needs the master key the backup names (its id is in manifest.json): put the key file in
place (or set SOGLASIE_MASTER_KEY) first. Non-empty databases are refused. After loading, the
audit chain is recomputed and every patient's key is opened.`,
    )
    .action(async (dir: string, o: { check?: boolean }) => {
      const { config, log } = commandEnv('warn');
      if (o.check) {
        const masterKeys = await existingMasterKeys(config);
        const report = await checkBackup({ dir, masterKeys, deep: true }).catch((e: unknown) => {
          throw e instanceof BackupError ? new Error(e.message) : e;
        });
        describeCheck(dir, report);
        if (!masterKeys) out('  the master key was not checked: no key is configured here');
        for (const p of report.problems) out(`PROBLEM: ${p}`);
        // Thrown rather than process.exitCode, which does not survive to the exit here.
        if (report.problems.length > 0) throw new Error('The backup is NOT sound.');
        out('The backup is sound.');
        return;
      }
      if (config.masterKey.source === 'file' && !existsSync(config.masterKey.path)) {
        throw new Error(
          `No master key at ${config.masterKey.path}. Put the master key the backup names there ` +
            '(or set SOGLASIE_MASTER_KEY) before restoring; a new key would open nothing.',
        );
      }
      const runtime = await openRuntime(config, log, { migrate: false });
      try {
        const m = await restoreBackup({ dir, urls: runtime.urls, masterKeys: runtime.ctx.masterKeys });
        const r = await verifyRestored({
          dataUrl: runtime.urls.data,
          keyring: runtime.ctx.services.keyring,
          audit: runtime.ctx.services.audit,
        });
        out(`Restored the backup taken ${m.createdAt}.`);
        out(`Audit log: ${r.auditOk ? `intact, ${r.auditChecked} entries` : `BROKEN at ${r.auditProblem}`}.`);
        out(`Patients: ${r.subjects}, ${r.readable} with their key.`);
        if (r.withoutKey > 0) {
          out(
            `${r.withoutKey} patients have no key: destroyed while the backup was taken, they stay unreadable.`,
          );
        }
        if (!r.auditOk) throw new Error('The restored audit log does not verify: keep the old installation.');
      } catch (e) {
        throw e instanceof BackupError ? new Error(e.message) : e;
      } finally {
        await runtime.close();
      }
    });
}
