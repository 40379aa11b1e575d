/**
 * `soglasie apikey create|list|revoke`: API keys for integrators (`POST /api/v1/inquiries`), from
 * the administrator's terminal, acting as the system (audited with actor `cli`). The key is printed
 * once, at creation; only its hash is kept.
 *
 * @example
 *   soglasie apikey create --operator lux-demo --name "CRM" --scope inquiries:write
 *   soglasie apikey list [--operator lux-demo]
 *   soglasie apikey revoke 0b6c…-uuid
 */
import { Option, type Command } from 'commander';
import type { AppContext } from '../composition/context.ts';
import { API_KEY_SCOPES, ApiKeyScope, DEFAULT_API_KEY_SCOPES } from '../modules/apikeys/index.ts';
import { systemPrincipal } from '../modules/staff/index.ts';
import { withRuntime, collect } from './command-support.ts';

const CLI = systemPrincipal('cli');

export interface Out {
  out(text: string): void;
}

export async function apiKeyCreate(
  ctx: AppContext,
  o: { operator: string; name: string; scope: string[] },
  io: Out,
): Promise<string> {
  const scopes = (o.scope.length > 0 ? o.scope : DEFAULT_API_KEY_SCOPES).map((s) => {
    const p = ApiKeyScope.safeParse(s);
    if (!p.success) throw new Error(`Unknown scope "${s}". Scopes: ${API_KEY_SCOPES.join(', ')}.`);
    return p.data;
  });
  const operatorId = await ctx.services.staff.operatorIdOf(o.operator);
  const k = await ctx.services.apiKeys.create(CLI, operatorId, { name: o.name, scopes });
  io.out(`Created API key ${k.id} (${k.name}) for ${o.operator}, scopes ${k.scopes.join(',')}.\n`);
  io.out(`Key, shown only now: ${k.key}\nSend it as the header  Authorization: Bearer <key>\n`);
  return k.id;
}

export async function apiKeyList(ctx: AppContext, o: { operator?: string }, io: Out): Promise<void> {
  const operatorId = o.operator === undefined ? undefined : await ctx.services.staff.operatorIdOf(o.operator);
  const keys = await ctx.services.apiKeys.list(CLI, operatorId);
  if (keys.length === 0) {
    io.out('No API keys yet. Create one with `soglasie apikey create`.\n');
    return;
  }
  const slugs = await ctx.services.staff.operatorSlugs([...new Set(keys.map((k) => k.operatorId))]);
  for (const k of keys) {
    const state = k.revokedAt ? `REVOKED ${k.revokedAt}` : 'active';
    io.out(
      `${k.id}\t${slugs.get(k.operatorId) ?? k.operatorId}\t${k.name}\tsgl_${k.prefix}_…\t${k.scopes.join(',')}\t` +
        `${state}\tlast used ${k.lastUsedAt ?? 'never'}\n`,
    );
  }
}

export async function apiKeyRevoke(ctx: AppContext, id: string, io: Out): Promise<void> {
  const k = await ctx.services.apiKeys.revoke(CLI, id);
  io.out(`Revoked API key ${k.id} (${k.name}) at ${k.revokedAt}.\n`);
}

const stdout: Out = { out: (t) => process.stdout.write(t) };

export function registerApiKeyCommands(program: Command): void {
  const cmd = program.command('apikey').description('Manage API keys for POST /api/v1/inquiries');
  cmd
    .command('create')
    .description('Create an API key for an operator; prints the key once')
    .requiredOption('--operator <slug or id>', 'the operator the key acts for')
    .requiredOption('--name <name>', 'what the key is for (for example the CRM it is given to)')
    // The shown default is the one the service applies, not the empty list the option starts with.
    .addOption(
      new Option('--scope <scope>', `a scope (repeatable): ${API_KEY_SCOPES.join(', ')}`)
        .argParser(collect)
        .default([], DEFAULT_API_KEY_SCOPES.join(' ')),
    )
    .action(async (o: { operator: string; name: string; scope: string[] }) => {
      await withRuntime(async (ctx) => {
        await apiKeyCreate(ctx, o, stdout);
      });
    });
  cmd
    .command('list')
    .description('List API keys (never the keys themselves)')
    .option('--operator <slug or id>', 'only this operator’s keys')
    .action(async (o: { operator?: string }) => {
      await withRuntime((ctx) => apiKeyList(ctx, o, stdout));
    });
  cmd
    .command('revoke <id>')
    .description('Revoke an API key; it stops working at once')
    .action(async (id: string) => {
      await withRuntime((ctx) => apiKeyRevoke(ctx, id, stdout));
    });
}
