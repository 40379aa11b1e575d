/**
 * The demo clinic with a staff account that holds every role, for the default local start
 * (`npm start`) and `soglasie demo`. The account's password is generated once and kept in the data
 * folder (readable by the app's user only), so every start can print the login again.
 *
 * @example
 *   const demo = await loadDemo(ctx); // idempotent
 *   demo.login; // { email: 'admin@lux-demo.example', password: '...' }
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { AppContext } from '../context.ts';
import { generatePassword, ROLES, systemPrincipal } from '../modules/staff/index.ts';
import { DEMO_DECLARATION } from '../modules/policy/index.ts';
import { ensureDemoOperator } from './demo-data.ts';

export const DEMO_STAFF_EMAIL = 'admin@lux-demo.example';

export interface DemoLoaded {
  operatorId: string;
  login: { email: string; password: string | undefined };
}

export function demoPasswordFile(ctx: AppContext): string {
  return path.join(ctx.config.dataDir, 'demo-login.txt');
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
  if (existing) {
    const password = existsSync(file) ? (await readFile(file, 'utf8')).trim() : undefined;
    return { operatorId, login: { email: DEMO_STAFF_EMAIL, password } };
  }
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
  return { operatorId, login: { email: DEMO_STAFF_EMAIL, password } };
}

export function describeDemoLogin(baseUrl: string, demo: DemoLoaded): string {
  const password = demo.login.password ?? '(changed since it was generated; not shown)';
  return (
    `Console: ${baseUrl}/console/login\n` +
    `Demo staff login: ${demo.login.email} / ${password}\n` +
    `(every role of the demo clinic; the password is also in the data folder, demo-login.txt)\n`
  );
}
