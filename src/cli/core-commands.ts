import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { loadProcessConfig, type Config } from '../config/config.ts';
import { KeyringService } from '../modules/keyring/index.ts';
import { generateMasterKeyText, masterKeysOf, parseMasterKey } from '../platform/crypto/master-key.ts';
import { pino } from 'pino';
import { createLogger, type Logger } from '../platform/logger.ts';
import { openRuntime } from '../runtime.ts';
import { closeOnSignals, startServer } from '../server.ts';
import { serveOptions } from './serve-options.ts';

/** Loads config and a logger for a one-shot command; logs go to stderr so stdout stays for results. */
export function commandEnv(level?: string): { config: Config; log: Logger } {
  const config = loadProcessConfig();
  const log = createLogger(level ?? config.logLevel, pino.destination(2));
  return { config, log };
}

export function registerCoreCommands(program: Command): void {
  program
    .command('serve')
    .description('Start the HTTP server (and the embedded PostgreSQL unless DATABASE_URL is set)')
    .option('--demo', 'load the demo clinic and its demo staff account before starting')
    .action(async (o: { demo?: boolean }) => {
      const config = loadProcessConfig();
      const log = createLogger(config.logLevel);
      const server = await startServer(config, log, serveOptions({ demo: Boolean(o.demo) }));
      closeOnSignals(server, log);
    });

  program
    .command('migrate')
    .description('Apply pending migrations to the data and keyring databases, then exit')
    .action(async () => {
      const { config, log } = commandEnv();
      const runtime = await openRuntime(config, log);
      await runtime.close();
      process.stdout.write('Migrations are up to date.\n');
    });

  program
    .command('verify-audit')
    .description('Recompute the audit log hash chain; exit 1 and name the first broken entry if any')
    .action(async () => {
      const { config, log } = commandEnv('warn');
      const runtime = await openRuntime(config, log);
      try {
        const report = await runtime.ctx.services.audit.verify();
        if (report.ok) {
          process.stdout.write(`Audit log intact: ${report.checked} entries verified.\n`);
        } else {
          process.stdout.write(
            `Audit log BROKEN at entry ${report.firstBroken?.id}: ${report.firstBroken?.reason}. ` +
              `${report.checked} entries before it verified.\n`,
          );
          process.exitCode = 1;
        }
      } finally {
        await runtime.close();
      }
    });

  program
    .command('rotate-master-key')
    .description(
      'Re-wrap every key in the keyring with a new master key, without touching the data. ' +
        'Safe to interrupt and run again.',
    )
    .option('--new-key-file <path>', 'file holding the new master key (base64 of 32 bytes)')
    .option('--generate', 'generate the new key (local mode with a master key file only)')
    .action(async (o: { newKeyFile?: string; generate?: boolean }) => {
      const { config, log } = commandEnv('warn');
      if (Boolean(o.newKeyFile) === Boolean(o.generate)) {
        throw new Error('Give exactly one of --new-key-file <path> or --generate.');
      }
      const mk = config.masterKey;
      if (o.generate && mk.source !== 'file') {
        throw new Error(
          '--generate needs the master key in a file; with SOGLASIE_MASTER_KEY use --new-key-file.',
        );
      }
      const runtime = await openRuntime(config, log);
      try {
        let newText: string;
        let pendingFile: string | undefined;
        if (o.newKeyFile) {
          newText = (await readFile(o.newKeyFile, 'utf8')).trim();
        } else {
          // Kept beside the key file until the re-wrap finishes, so an interrupted run can resume.
          pendingFile = `${(mk as { path: string }).path}.new`;
          newText = existsSync(pendingFile)
            ? (await readFile(pendingFile, 'utf8')).trim()
            : generateMasterKeyText();
          await writeFile(pendingFile, newText + '\n', { mode: 0o600 });
        }
        const next = parseMasterKey(newText, 'The new master key');
        const current = runtime.ctx.masterKeys.active;
        const retired = [
          current,
          ...config.oldMasterKeys.map((t) => parseMasterKey(t, 'SOGLASIE_MASTER_KEY_OLD')),
        ];
        const keyring = new KeyringService(
          runtime.ctx.keyringDb,
          masterKeysOf(next, retired),
          runtime.ctx.clock,
        );
        const report = await keyring.rewrapAll();
        await runtime.ctx.services.audit.recordNow({
          actor: { type: 'system', id: 'cli' },
          action: 'keyring.rotate_master_key',
          objectType: 'master_key',
          objectId: next.id,
          result: 'success',
        });
        if (pendingFile && mk.source === 'file') {
          await rename(mk.path, `${mk.path}.retired-${current.id}`);
          await rename(pendingFile, mk.path);
        }
        process.stdout.write(
          `Re-wrapped ${report.dataKeys} data keys and ${report.namedKeys} named keys with master key ${next.id}.\n` +
            (mk.source === 'file' && pendingFile
              ? `The new key is in ${mk.path}; the old one was kept as ${mk.path}.retired-${current.id}: destroy it once backups made with it have expired.\n`
              : 'Now set SOGLASIE_MASTER_KEY (or the key file) to the new key and restart every instance.\n'),
        );
      } finally {
        await runtime.close();
      }
    });
}
