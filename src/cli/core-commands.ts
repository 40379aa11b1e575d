import type { Command } from 'commander';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { loadProcessConfig, type Config } from '../config/config.ts';
import { generateMasterKeyText, loadMasterKeys, parseMasterKey } from '../platform/crypto/master-key.ts';
import { pino } from 'pino';
import { createLogger, type Logger } from '../platform/logger.ts';
import { ONE_SHOT_COMMAND, openRuntime, requireDataFolder } from '../runtime.ts';
import { closeOnSignals, startServer } from '../server.ts';
import { describeDemoLogin, loadDemo } from './demo.ts';
import { serveOptions } from '../composition/surfaces.ts';

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
      const runtime = await openRuntime(config, log, ONE_SHOT_COMMAND);
      await runtime.close();
      process.stdout.write('Migrations are up to date.\n');
    });

  program
    .command('demo')
    .description('Load the demo clinic (an MRI centre modelled on the seed policy) and its staff login')
    .action(async () => {
      const { config, log } = commandEnv('warn');
      // Creates the data folder when missing, like `serve --demo`.
      const runtime = await openRuntime(config, log, { attach: true });
      try {
        const demo = await loadDemo(runtime.ctx);
        process.stdout.write(`Demo clinic ready (operator ${demo.operatorId}).\n`);
        process.stdout.write(describeDemoLogin(config.publicUrl, demo));
      } finally {
        await runtime.close();
      }
    });

  program
    .command('verify-audit')
    .description('Recompute the audit log hash chain; exit 1 and name the first broken entry if any')
    .action(async () => {
      const { config, log } = commandEnv('warn');
      const runtime = await openRuntime(config, log, ONE_SHOT_COMMAND);
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
      'Re-wrap every key in the keyring with the active master key, without touching the data. ' +
        'Safe to interrupt and run again.',
    )
    .option('--generate', 'key-file mode: generate a new master key and make it the active one first')
    .option('--new-key-file <path>', 'key-file mode: make the key in this file the active one first')
    .addHelpText(
      'after',
      `
With the key in a file (local mode): --generate (or --new-key-file) keeps the old key beside the
file as <file>.retired-<id>, swaps the new one in atomically, then re-wraps. Restart the server
afterwards. Delete the retired file once the keyring backups made before the rotation have expired.

With SOGLASIE_MASTER_KEY: deploy the new key as SOGLASIE_MASTER_KEY and the old one in
SOGLASIE_MASTER_KEY_OLD on every instance, restart them, then run this command without options.
When it reports nothing left to re-wrap, remove the old key from SOGLASIE_MASTER_KEY_OLD.`,
    )
    .action(async (o: { newKeyFile?: string; generate?: boolean }) => {
      const { config, log } = commandEnv('warn');
      if (o.newKeyFile && o.generate) throw new Error('Give at most one of --generate and --new-key-file.');
      const mk = config.masterKey;
      if ((o.generate || o.newKeyFile) && mk.source !== 'file') {
        throw new Error(
          'With SOGLASIE_MASTER_KEY, deploy the new key as SOGLASIE_MASTER_KEY and the old one in ' +
            'SOGLASIE_MASTER_KEY_OLD, restart, then run `soglasie rotate-master-key` without options.',
        );
      }
      if (mk.source === 'file' && (o.generate || o.newKeyFile)) {
        // Before a key file is written: in the wrong folder that would start a second installation.
        requireDataFolder(config);
        await installNewKeyFile(config, mk.path, o.newKeyFile);
      }
      // Opened after the swap, so the runtime's active key is the new one and the old is retired.
      const runtime = await openRuntime(config, log, ONE_SHOT_COMMAND);
      try {
        const report = await runtime.ctx.services.keyring.rewrapAll();
        const active = runtime.ctx.masterKeys.active;
        await runtime.ctx.services.audit.recordNow({
          actor: { type: 'system', id: 'cli' },
          action: 'keyring.rewrap',
          objectType: 'master_key',
          objectId: active.id,
          result: 'success',
        });
        process.stdout.write(
          `Re-wrapped ${report.dataKeys} data keys and ${report.namedKeys} named keys; every key is now ` +
            `wrapped by master key ${active.id}. Restart running servers so they load it.\n`,
        );
      } finally {
        await runtime.close();
      }
    });
}

/**
 * Makes a new key the active one in key-file mode without a moment in which no key file exists:
 * the old key is first copied to `<file>.retired-<id>` (still loaded for unwrapping), then the new
 * key replaces the file by an atomic rename.
 */
async function installNewKeyFile(
  config: Config,
  keyFile: string,
  newKeyFile: string | undefined,
): Promise<void> {
  const current = (await loadMasterKeys(config, () => undefined)).active;
  const text = newKeyFile ? (await readFile(newKeyFile, 'utf8')).trim() : generateMasterKeyText();
  const next = parseMasterKey(text, 'The new master key');
  if (next.id === current.id) throw new Error('The new master key is the current one.');
  await writeFile(`${keyFile}.retired-${current.id}`, current.key.toString('base64') + '\n', { mode: 0o600 });
  const pending = `${keyFile}.new`;
  await writeFile(pending, text + '\n', { mode: 0o600 });
  await rename(pending, keyFile);
}
