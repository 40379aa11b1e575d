/**
 * `soglasie policy export|import|lint|publish`: an operator's policy declaration from the terminal,
 * acting as the system (audited with actor `cli`). Import replaces the draft; publish refuses on
 * lint errors, like the console.
 *
 * @example
 *   soglasie policy export --operator lux-demo > policy.yaml
 *   soglasie policy import --operator lux-demo policy.yaml
 *   soglasie policy lint --operator lux-demo      # exit 1 on errors
 *   soglasie policy publish --operator lux-demo
 */
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import type { AppContext } from '../composition/context.ts';
import { systemPrincipal } from '../modules/staff/index.ts';
import type { LintIssue } from '../modules/policy/index.ts';
import { withRuntime, readAllStdin } from './command-support.ts';

const CLI = systemPrincipal('cli');

export interface PolicyIo {
  out(text: string): void;
  err(text: string): void;
}

function issueLines(issues: readonly LintIssue[]): string {
  return issues.map((i) => `${i.level}\t${i.path}\t${i.code}\t${i.message}\n`).join('');
}

// Field issues of a refused import or publish, one per line, so that a script can read them.
/** Prints the draft (or the declaration in force) as YAML. */
export async function policyExport(ctx: AppContext, operator: string, io: PolicyIo): Promise<void> {
  const operatorId = await ctx.services.staff.operatorIdOf(operator);
  const yaml = await ctx.services.policy.exportYaml(CLI, operatorId);
  if (yaml === undefined) throw new Error('This operator has no policy declaration yet.');
  io.out(yaml);
}

/** Saves YAML as the operator's draft and prints the linter's findings; returns them. */
export async function policyImport(
  ctx: AppContext,
  operator: string,
  yaml: string,
  io: PolicyIo,
): Promise<LintIssue[]> {
  const operatorId = await ctx.services.staff.operatorIdOf(operator);
  await ctx.services.policy.importYaml(CLI, operatorId, yaml);
  io.out('Draft saved.\n');
  const issues = await ctx.services.policy.lint(CLI, operatorId);
  io.err(issueLines(issues));
  return issues;
}

/** Prints the draft's findings, one per line; returns whether there are errors. */
export async function policyLint(ctx: AppContext, operator: string, io: PolicyIo): Promise<boolean> {
  const operatorId = await ctx.services.staff.operatorIdOf(operator);
  const issues = await ctx.services.policy.lint(CLI, operatorId);
  io.out(issues.length === 0 ? 'No errors or warnings.\n' : issueLines(issues));
  return issues.some((i) => i.level === 'error');
}

/** Publishes the draft; prints the publication number and each document's version and hash. */
export async function policyPublish(ctx: AppContext, operator: string, io: PolicyIo): Promise<number> {
  const operatorId = await ctx.services.staff.operatorIdOf(operator);
  const before = (await ctx.services.policy.current(operatorId))?.declarationVersion;
  const p = await ctx.services.policy.publish(CLI, operatorId);
  io.out(
    p.declarationVersion === before
      ? `Nothing changed: publication ${p.declarationVersion} stays in force.\n`
      : `Published: publication ${p.declarationVersion}.\n`,
  );
  for (const d of Object.values(p.documents)) io.out(`${d.kind}\tv${d.version}\t${d.sha256}\t${d.url}\n`);
  return p.declarationVersion;
}

const io: PolicyIo = {
  out: (t) => process.stdout.write(t),
  err: (t) => process.stderr.write(t),
};

export function registerPolicyCommands(program: Command): void {
  const policy = program.command('policy').description("Manage an operator's policy declaration");
  const operatorOption = ['--operator <slug or id>', 'the operator'] as const;

  policy
    .command('export')
    .description('Print the draft declaration (or the one in force) as YAML')
    .requiredOption(...operatorOption)
    .action(async (o: { operator: string }) => {
      await withRuntime((ctx) => policyExport(ctx, o.operator, io));
    });

  policy
    .command('import')
    .description('Replace the draft with a YAML file ("-" reads standard input); prints lint findings')
    .requiredOption(...operatorOption)
    .argument('<file>', 'YAML file, or - for standard input')
    .action(async (file: string, o: { operator: string }) => {
      const yaml = file === '-' ? await readAllStdin() : await readFile(file, 'utf8');
      await withRuntime(async (ctx) => {
        await policyImport(ctx, o.operator, yaml, io);
      });
    });

  policy
    .command('lint')
    .description('Check the draft; exit 1 when it has errors')
    .requiredOption(...operatorOption)
    .action(async (o: { operator: string }) => {
      await withRuntime(async (ctx) => {
        if (await policyLint(ctx, o.operator, io)) process.exitCode = 1;
      });
    });

  policy
    .command('publish')
    .description('Publish the draft as new document versions (refused on lint errors)')
    .requiredOption(...operatorOption)
    .action(async (o: { operator: string }) => {
      await withRuntime(async (ctx) => {
        await policyPublish(ctx, o.operator, io);
      });
    });
}
