/**
 * `soglasie staff add` and `soglasie staff list`: staff accounts from the administrator's terminal,
 * acting as the system (audited with actor `cli`).
 *
 * @example
 *   soglasie staff add --email admin@clinic.example --name "Анна Петрова" \
 *     --operator lux-demo --role administrator
 *   printf '%s\n' "$PASSWORD" | soglasie staff add --email a@b.example --name A --installation-admin --password-stdin
 */
import type { Command } from 'commander';
import type { AppContext } from '../composition/context.ts';
import {
  generatePassword,
  LocaleSchema,
  RoleSchema,
  ROLES,
  systemPrincipal,
} from '../modules/staff/index.ts';
import { withRuntime, readAllStdin, collect } from './command-support.ts';

export interface StaffAddOptions {
  email: string;
  name: string;
  operator: string[];
  role: string[];
  installationAdmin?: boolean;
  passwordStdin?: boolean;
  locale?: string;
}

export interface CommandIo {
  out(text: string): void;
  readStdin(): Promise<string>;
}

const CLI = systemPrincipal('cli');

function usage(message: string): Error {
  return new Error(message);
}

/** Creates the account; prints its id and, when generated, the password (once). */
export async function staffAdd(ctx: AppContext, o: StaffAddOptions, io: CommandIo): Promise<string> {
  if (o.operator.length !== o.role.length) {
    throw usage('Give one --role for each --operator, in the same order.');
  }
  if (o.operator.length === 0 && !o.installationAdmin) {
    throw usage(
      'Give --operator <slug> --role <role> (repeatable) or --installation-admin: an account needs one.',
    );
  }
  const roles = [];
  for (let i = 0; i < o.operator.length; i++) {
    const role = RoleSchema.safeParse(o.role[i]);
    if (!role.success) throw usage(`Unknown role "${o.role[i]}". Roles: ${ROLES.join(', ')}.`);
    roles.push({ operatorId: await ctx.services.staff.operatorIdOf(o.operator[i]!), role: role.data });
  }
  const locale = LocaleSchema.safeParse(o.locale ?? 'ru');
  if (!locale.success) throw usage('--locale must be ru or en.');

  let password: string;
  let generated = false;
  if (o.passwordStdin) {
    password = (await io.readStdin()).replace(/\r?\n$/, '');
  } else {
    password = generatePassword();
    generated = true;
  }
  const dto = await ctx.services.staff.create(CLI, {
    email: o.email,
    displayName: o.name,
    password,
    locale: locale.data,
    installationAdmin: Boolean(o.installationAdmin),
    roles,
  });
  io.out(`Created staff account ${dto.id} (${dto.email}).\n`);
  if (generated) {
    io.out(`Password, shown only now: ${password}\nSign in at /console/login and change it there.\n`);
  }
  return dto.id;
}

/** One line per account: e-mail, name, flags, roles as operator-slug:role. */
export async function staffList(ctx: AppContext, io: Pick<CommandIo, 'out'>): Promise<void> {
  const all = await ctx.services.staff.list(CLI);
  const slugs = await ctx.services.staff.operatorSlugs([
    ...new Set(all.flatMap((s) => s.roles.map((r) => r.operatorId))),
  ]);
  if (all.length === 0) {
    io.out('No staff accounts yet. Create one with `soglasie staff add`.\n');
    return;
  }
  for (const s of all) {
    const flags = [
      s.installationAdmin ? 'installation-admin' : null,
      s.mfaEnabled ? 'mfa' : null,
      s.disabled ? 'DISABLED' : null,
    ].filter(Boolean);
    const roles = s.roles.map((r) => `${slugs.get(r.operatorId) ?? r.operatorId}:${r.role}`);
    io.out(`${s.email}\t${s.displayName}\t${flags.join(',') || '-'}\t${roles.join(' ') || '-'}\t${s.id}\n`);
  }
}

export function registerStaffCommands(program: Command): void {
  const staff = program.command('staff').description('Manage staff accounts');

  staff
    .command('add')
    .description('Create a staff account; prints a generated password once unless --password-stdin')
    .requiredOption('--email <email>', 'sign-in e-mail (unique, case-insensitive)')
    .requiredOption('--name <display name>', 'name shown in the console')
    .option('--operator <slug or id>', 'operator for the next --role (repeatable)', collect, [])
    .option('--role <role>', `role in that operator: ${ROLES.join(', ')} (repeatable)`, collect, [])
    .option('--installation-admin', 'may create operators and manage staff everywhere')
    .option('--locale <ru|en>', 'interface language', 'ru')
    .option('--password-stdin', 'read the password from standard input instead of generating one')
    .action(async (o: StaffAddOptions) => {
      await withRuntime(async (ctx) => {
        await staffAdd(ctx, o, { out: (t) => process.stdout.write(t), readStdin: readAllStdin });
      });
    });

  staff
    .command('list')
    .description('List staff accounts: e-mail, name, flags, roles')
    .action(async () => {
      await withRuntime((ctx) => staffList(ctx, { out: (t) => process.stdout.write(t) }));
    });
}
