import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { systemPrincipal } from '../modules/staff/index.ts';
import { createConsoleEnv, OPERATOR_CARD, type Browser, type ConsoleEnv } from './console.testing.ts';

const ADMIN = 'admin@north.example';
const AGENT = 'agent@north.example';
const SHARED = 'shared@both.example';
const SOUTH_ADMIN = 'admin@south.example';
const ROOT = 'root@install.example';

describe("console: an operator's staff", () => {
  let c: ConsoleEnv;
  let north: string;
  let south: string;
  let adminId: string;
  let agentId: string;
  let sharedId: string;
  const signedIn: Partial<Record<string, Browser>> = {};
  let staffUrl: string;

  async function as(email: string, password?: string): Promise<Browser> {
    const existing = signedIn[email];
    if (existing) return existing;
    const b = c.browser();
    assert.equal((await b.login(email, password)).statusCode, 303, `sign-in of ${email}`);
    signedIn[email] = b;
    return b;
  }

  const rolesOf = async (staffId: string, operatorId: string): Promise<string[]> =>
    (
      await (
        await c.env.admin()
      ).query<{ role: string }>(
        'SELECT role FROM staff_roles WHERE staff_id = $1 AND operator_id = $2 ORDER BY role',
        [staffId, operatorId],
      )
    ).rows.map((r) => r.role);

  const accountByEmail = async (email: string) =>
    (
      await (
        await c.env.admin()
      ).query<{ id: string; disabled_at: Date | null }>(
        'SELECT id, disabled_at FROM staff WHERE email_lower = lower($1)',
        [email],
      )
    ).rows[0];

  /** The list item of one person on the staff page. */
  const cardOf = (body: string, staffId: string): string => {
    const card = body
      .split('<li class="staff-card"')
      .find((part) => part.startsWith(` data-staff-id="${staffId}"`));
    assert.ok(card, `staff ${staffId} is listed`);
    // The last card runs on into the rest of the page; stop at the next heading.
    return card.split('<h2>')[0]!;
  };

  before(async () => {
    c = await createConsoleEnv();
    const system = systemPrincipal('test');
    const card = { ...OPERATOR_CARD, timeZone: 'Europe/Moscow' };
    north = (await c.env.ctx.services.operators.create(system, { slug: 'north', name: 'Север', ...card })).id;
    south = (await c.env.ctx.services.operators.create(system, { slug: 'south', name: 'Юг', ...card })).id;
    staffUrl = `/console/operators/${north}/staff`;
    adminId = await c.createStaff({
      email: ADMIN,
      displayName: 'Ирина Админова',
      roles: [{ operatorId: north, role: 'administrator' }],
    });
    agentId = await c.createStaff({
      email: AGENT,
      displayName: 'Олег <i>Агентов</i>',
      roles: [{ operatorId: north, role: 'agent' }],
    });
    sharedId = await c.createStaff({
      email: SHARED,
      displayName: 'Общий Сотрудник',
      roles: [
        { operatorId: north, role: 'agent' },
        { operatorId: south, role: 'agent' },
      ],
    });
    await c.createStaff({
      email: SOUTH_ADMIN,
      displayName: 'Южный Админ',
      roles: [{ operatorId: south, role: 'administrator' }],
    });
    await c.createStaff({ email: ROOT, displayName: 'Root', installationAdmin: true });
  });
  after(() => c.close());

  it("lists the operator's staff with their roles there, MFA and status, escaped", async () => {
    const res = await (await as(ADMIN)).get(staffUrl);
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['cache-control'], 'no-store');
    assert.match(res.body, /<h1>Сотрудники: Север<\/h1>/);
    for (const [id, email] of [
      [adminId, ADMIN],
      [agentId, AGENT],
      [sharedId, SHARED],
    ] as const) {
      assert.match(res.body, new RegExp(`data-staff-id="${id}"`));
      assert.match(res.body, new RegExp(email.replace('.', '\\.')));
    }
    assert.doesNotMatch(res.body, /admin@south|Южный/, "another operator's staff are not listed");
    assert.match(res.body, /Олег &lt;i&gt;Агентов&lt;\/i&gt;/);
    const shared = cardOf(res.body, sharedId);
    assert.match(shared, /data-role="agent"/);
    assert.equal([...shared.matchAll(/data-role=/g)].length, 1, 'roles elsewhere are not shown');
    assert.match(shared, /data-mfa="off"/);
    assert.match(shared, /data-disabled="no"/);
    assert.match(cardOf(res.body, adminId), /\(это вы\)/);
    assert.doesNotMatch(res.body, /<script|<style|style="/);
  });

  it('is refused to staff without staff.manage and to the administrator of another operator', async () => {
    for (const email of [AGENT, SOUTH_ADMIN]) {
      const res = await (await as(email)).get(staffUrl);
      assert.equal(res.statusCode, 403, email);
      assert.match(res.body, /Доступ запрещён/);
      assert.doesNotMatch(res.body, /agent@north/);
      const disable = await (await as(email)).get(`${staffUrl}/${agentId}/disable`);
      assert.equal(disable.statusCode, 403);
    }
    assert.equal((await as(ROOT)).cookies.size > 0, true);
    assert.equal((await (await as(ROOT)).get(staffUrl)).statusCode, 200, 'installation administrators may');
    assert.equal((await c.browser().get(staffUrl)).headers.location, '/console/login');
  });

  it('grants and revokes roles, audited; refuses the same for other operators and without CSRF', async () => {
    const admin = await as(ADMIN);
    const granted = await admin.submit(staffUrl, `${staffUrl}/${agentId}/roles/grant`, { role: 'moderator' });
    assert.equal(granted.statusCode, 303);
    assert.equal(granted.headers.location, `${staffUrl}?m=granted`);
    assert.deepEqual(await rolesOf(agentId, north), ['agent', 'moderator']);
    const page = await admin.get(granted.headers.location);
    assert.match(page.body, /Роль выдана\./);
    assert.match(cardOf(page.body, agentId), /data-role="moderator"/);
    const grantAudit = await c.audit({ action: 'staff.role_grant.moderator', objectId: agentId });
    assert.equal(grantAudit.length, 1);
    assert.equal(grantAudit[0]!.actor_id, adminId);
    assert.equal(grantAudit[0]!.operator_id, north);

    const revoked = await admin.submit(staffUrl, `${staffUrl}/${agentId}/roles/revoke`, {
      role: 'moderator',
    });
    assert.equal(revoked.headers.location, `${staffUrl}?m=revoked`);
    assert.deepEqual(await rolesOf(agentId, north), ['agent']);
    assert.equal((await c.audit({ action: 'staff.role_revoke.moderator', objectId: agentId })).length, 1);

    const auditBefore = (await c.audit()).length;
    const noToken = await admin.post(`${staffUrl}/${agentId}/roles/grant`, { role: 'privacy_officer' });
    assert.equal(noToken.statusCode, 403);
    assert.match(noToken.body, /Форма устарела/);
    const noTokenRevoke = await admin.post(`${staffUrl}/${agentId}/roles/revoke`, { role: 'agent' });
    assert.equal(noTokenRevoke.statusCode, 403);
    const badRole = await admin.submit(staffUrl, `${staffUrl}/${agentId}/roles/grant`, { role: 'superuser' });
    assert.equal(badRole.statusCode, 400);
    // Through the other operator's pages, with a valid token of their own: refused.
    const southAdmin = await as(SOUTH_ADMIN);
    const foreign = await southAdmin.submit('/console', `${staffUrl}/${agentId}/roles/grant`, {
      role: 'administrator',
    });
    assert.equal(foreign.statusCode, 403);
    const foreignRevoke = await southAdmin.submit('/console', `${staffUrl}/${agentId}/roles/revoke`, {
      role: 'agent',
    });
    assert.equal(foreignRevoke.statusCode, 403);
    assert.deepEqual(await rolesOf(agentId, north), ['agent']);
    assert.equal((await c.audit()).length, auditBefore);
  });

  it('adds an account for this operator and shows its generated password once', async () => {
    const admin = await as(ADMIN);
    const email = 'New.Person@North.example';
    const res = await admin.submit(staffUrl, staffUrl, {
      displayName: 'Новая Сотрудница',
      email,
      role: 'moderator',
    });
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['cache-control'], 'no-store');
    assert.match(res.body, /Учётная запись создана/);
    const password = /<code class="secret" id="new-password">([^<]+)<\/code>/.exec(res.body)?.[1];
    assert.ok(password, 'the password is on the page');
    assert.match(password, /^[A-Za-z0-9_-]{5}(-[A-Za-z0-9_-]{5}){3}$/);
    assert.match(res.body, /Пароль показан один раз/);

    const account = await accountByEmail(email);
    assert.ok(account);
    assert.deepEqual(await rolesOf(account.id, north), ['moderator']);
    const audit = await c.audit({ action: 'staff.create', objectId: account.id });
    assert.equal(audit.length, 1);
    assert.equal(audit[0]!.actor_id, adminId);
    assert.equal((await c.audit({ action: 'staff.role_grant.moderator', objectId: account.id })).length, 1);

    // Nowhere else: not on the list, not in the logs, not in the audit.
    const list = await admin.get(staffUrl);
    assert.match(cardOf(list.body, account.id), /Новая Сотрудница/);
    assert.equal(list.body.includes(password), false);
    assert.equal(c.env.logs.join('\n').includes(password), false);
    assert.equal(c.env.logs.join('\n').includes('New.Person'), false);

    // The password works, for an account that sees this operator only.
    const newcomer = c.browser();
    assert.equal((await newcomer.login(email, password)).statusCode, 303);
    const home = await newcomer.get('/console');
    assert.match(home.body, /Север/);
    assert.doesNotMatch(home.body, /Юг/);
  });

  it('keeps what was typed when the new account is refused, and creates nothing', async () => {
    const admin = await as(ADMIN);
    const count = async () =>
      (await (await c.env.admin()).query<{ n: number }>('SELECT count(*)::int AS n FROM staff')).rows[0]!.n;
    const before = await count();
    const bad = await admin.submit(staffUrl, staffUrl, {
      displayName: 'Пётр <Тест>',
      email: 'не-почта',
      role: 'privacy_officer',
    });
    assert.equal(bad.statusCode, 400);
    assert.match(bad.body, /Учётная запись не создана/);
    assert.match(bad.body, /id="add-email"[^>]*value="не-почта"[^>]*aria-invalid="true"/);
    assert.match(bad.body, /id="add-email-error">Укажите адрес электронной почты/);
    assert.match(bad.body, /id="add-displayName"[^>]*value="Пётр &lt;Тест&gt;"/);
    assert.match(bad.body, /<option value="privacy_officer"\s+selected>/);
    assert.doesNotMatch(bad.body, /id="new-password"/);

    const taken = await admin.submit(staffUrl, staffUrl, {
      displayName: 'Копия',
      email: AGENT.toUpperCase(),
      role: 'agent',
    });
    assert.equal(taken.statusCode, 409);
    assert.match(taken.body, /id="add-email-error">Учётная запись с такой электронной почтой уже есть/);
    assert.doesNotMatch(taken.body, /id="new-password"/);

    const noToken = await admin.post(staffUrl, {
      displayName: 'Без токена',
      email: 'x@north.example',
      role: 'agent',
    });
    assert.equal(noToken.statusCode, 403);
    const southAdmin = await as(SOUTH_ADMIN);
    const foreign = await southAdmin.submit('/console', staffUrl, {
      displayName: 'Чужой',
      email: 'foreign@south.example',
      role: 'administrator',
    });
    assert.equal(foreign.statusCode, 403);
    assert.equal(await count(), before);
  });

  it("revokes someone's last role: they leave the list and keep no role here", async () => {
    const admin = await as(ADMIN);
    const created = await admin.submit(staffUrl, staffUrl, {
      displayName: 'Временный',
      email: 'temp@north.example',
      role: 'agent',
    });
    assert.equal(created.statusCode, 200);
    const temp = (await accountByEmail('temp@north.example'))!.id;
    const res = await admin.submit(staffUrl, `${staffUrl}/${temp}/roles/revoke`, { role: 'agent' });
    assert.equal(res.statusCode, 303);
    assert.equal(res.headers.location, `${staffUrl}?m=revoked`);
    assert.deepEqual(await rolesOf(temp, north), []);
    const page = await admin.get(res.headers.location);
    assert.match(page.body, /Роль снята\./);
    assert.doesNotMatch(page.body, new RegExp(temp));
    assert.equal((await c.audit({ action: 'staff.role_revoke.agent', objectId: temp })).length, 1);
    // Nothing left to manage here: the disable page no longer knows them.
    assert.equal((await admin.get(`${staffUrl}/${temp}/disable`)).statusCode, 404);
  });

  it('disables an account after a confirmation page, ending its sessions', async () => {
    const agent = await as(AGENT);
    const admin = await as(ADMIN);
    const list = await admin.get(staffUrl);
    assert.match(cardOf(list.body, agentId), new RegExp(`href="${staffUrl}/${agentId}/disable"`));
    assert.doesNotMatch(cardOf(list.body, adminId), /\/disable"/, 'no disabling oneself from the list');

    const confirm = await admin.get(`${staffUrl}/${agentId}/disable`);
    assert.equal(confirm.statusCode, 200);
    assert.match(confirm.body, /Включить учётную запись снова в консоли нельзя/);
    assert.match(confirm.body, new RegExp(`action="${staffUrl}/${agentId}/disable"`));

    assert.equal((await admin.post(`${staffUrl}/${agentId}/disable`, {})).statusCode, 403, 'CSRF');
    assert.equal((await accountByEmail(AGENT))!.disabled_at, null);

    const res = await admin.submit(`${staffUrl}/${agentId}/disable`, `${staffUrl}/${agentId}/disable`, {});
    assert.equal(res.statusCode, 303);
    assert.equal(res.headers.location, `${staffUrl}?m=disabled`);
    assert.notEqual((await accountByEmail(AGENT))!.disabled_at, null);
    assert.equal((await c.audit({ action: 'staff.disable', objectId: agentId, actorId: adminId })).length, 1);
    assert.equal((await agent.get('/console')).statusCode, 303, "the agent's session is over");
    const after = await admin.get(res.headers.location);
    assert.match(after.body, /Учётная запись отключена, все её сеансы завершены/);
    assert.match(cardOf(after.body, agentId), /data-disabled="yes"/);
    assert.doesNotMatch(cardOf(after.body, agentId), /\/disable"/);
  });

  it('does not let an operator administrator disable someone who also works for another operator', async () => {
    const admin = await as(ADMIN);
    const list = await admin.get(staffUrl);
    assert.doesNotMatch(cardOf(list.body, sharedId), /\/disable"/);
    const page = await admin.get(`${staffUrl}/${sharedId}/disable`);
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /отключить учётную запись может только администратор установки/);
    assert.doesNotMatch(page.body, /action="[^"]*\/disable"/);
    const res = await admin.submit('/console', `${staffUrl}/${sharedId}/disable`, {});
    assert.equal(res.statusCode, 403);
    assert.equal((await accountByEmail(SHARED))!.disabled_at, null);
    // The installation administrator may.
    const root = await as(ROOT);
    assert.match((await root.get(`${staffUrl}/${sharedId}/disable`)).body, /Да, отключить/);
  });

  it('sends an administrator who gives up their own administrator role back home', async () => {
    const admin = await as(ADMIN);
    const res = await admin.submit(staffUrl, `${staffUrl}/${adminId}/roles/revoke`, {
      role: 'administrator',
    });
    assert.equal(res.statusCode, 303);
    assert.equal(res.headers.location, '/console');
    assert.deepEqual(await rolesOf(adminId, north), []);
    assert.equal((await admin.get(staffUrl)).statusCode, 403);
  });
});
