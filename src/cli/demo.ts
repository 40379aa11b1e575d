/**
 * The demo clinic with a staff account that holds every role, for the default local start
 * (`npm start`) and `soglasie demo`. The account's password is generated once, printed that once,
 * and kept in the data folder (readable by the app's user only); later starts print only where it
 * is kept, so it does not end up in every terminal scroll-back and captured service log.
 *
 * @example
 *   const demo = await loadDemo(ctx); // idempotent
 *   demo.login; // { email: 'admin@lux-demo.example', password: '...' } on the first load only
 *   demo.passwordFile; // '/srv/soglasie/data/demo-login.txt'
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { AppContext } from '../composition/context.ts';
import { generatePassword, ROLES, systemPrincipal } from '../modules/staff/index.ts';
import { DEMO_DECLARATION } from '../modules/policy/index.ts';
import { ensureDemoOperator } from './demo-data.ts';

export const DEMO_STAFF_EMAIL = 'admin@lux-demo.example';

export interface DemoLoaded {
  operatorId: string;
  /** The password only when this load created the account; afterwards it is read from the file. */
  login: { email: string; password: string | undefined };
  /** Where the generated password is kept (absolute). */
  passwordFile: string;
}

export function demoPasswordFile(ctx: AppContext): string {
  return path.resolve(ctx.config.dataDir, 'demo-login.txt');
}

export async function loadDemo(ctx: AppContext): Promise<DemoLoaded> {
  if (ctx.config.mode === 'production') {
    throw new Error('The demo clinic is for local mode only (SOGLASIE_MODE=local).');
  }
  const { operatorId } = await ensureDemoOperator(ctx);
  const system = systemPrincipal('demo');
  // The demo clinic's site and forms need a published policy; an edited one is left alone.
  const inForce = await ctx.services.policy.current(operatorId);
  if (!inForce) {
    await ctx.services.policy.saveDraft(system, operatorId, DEMO_DECLARATION);
    await ctx.services.policy.publish(system, operatorId);
  } else if (!inForce.documentsEn) {
    // Published before the English documents existed: publishing the same declaration again adds
    // them, unless the draft holds edits not yet published (those are the administrator's call).
    const draft = await ctx.services.policy.getDraft(system, operatorId);
    if (draft && JSON.stringify(draft.declaration) === JSON.stringify(inForce.declaration)) {
      await ctx.services.policy.publish(system, operatorId);
    }
  }
  const file = demoPasswordFile(ctx);
  const existing = await ctx.services.staff.idByEmail(system, DEMO_STAFF_EMAIL);
  if (existing)
    return { operatorId, login: { email: DEMO_STAFF_EMAIL, password: undefined }, passwordFile: file };
  const password = generatePassword();
  await ctx.services.staff.create(system, {
    email: DEMO_STAFF_EMAIL,
    displayName: 'Демо-администратор',
    password,
    locale: 'ru',
    installationAdmin: true,
    roles: ROLES.map((role) => ({ operatorId, role })),
  });
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, password + '\n', { mode: 0o600 });
  return { operatorId, login: { email: DEMO_STAFF_EMAIL, password }, passwordFile: file };
}

export function describeDemoLogin(baseUrl: string, demo: DemoLoaded): string {
  const where = `(every role of the demo clinic; the password is kept in ${demo.passwordFile})\n`;
  if (demo.login.password === undefined) {
    return (
      `Console: ${baseUrl}/console/login\n` +
      `Demo staff login: ${demo.login.email}; its password was printed when it was created ` +
      `and is kept in ${demo.passwordFile}\n`
    );
  }
  return (
    `Console: ${baseUrl}/console/login\n` +
    `Demo staff login: ${demo.login.email} / ${demo.login.password}\n` +
    where
  );
}
