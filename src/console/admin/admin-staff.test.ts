import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { systemPrincipal } from '../../modules/staff/index.ts';
import { createConsoleEnv, OPERATOR_CARD, type Browser, type ConsoleEnv } from '../shared/console.testing.ts';
import { assertNoPersonalDataInLogs } from '../../../test/log-check.ts';

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

  /** Invites through the staff page; the link's path (shown once) and the page. */
  async function invite(who: Browser, email: string, role = 'agent', displayName = 'Приглашённый') {
    const res = await who.submit(staffUrl, staffUrl, { displayName, email, role });
    assert.equal(res.statusCode, 200, res.body);
    const link = /<code class="secret" id="invitation-link">([^<]+)<\/code>/.exec(res.body)?.[1];
    assert.ok(link, 'the link is on the page');
    return { res, path: new URL(link).pathname };
  }

  const invitations = async () =>
    (await (await c.env.admin()).query<{ n: number }>('SELECT count(*)::int AS n FROM staff_invitations'))
      .rows[0]!.n;

  it('invites by a link shown once; a new person sets a password and joins this operator only', async () => {
    const admin = await as(ADMIN);
    const email = 'New.Person@North.example';
    const { res, path } = await invite(admin, email, 'moderator', 'Новая Сотрудница');
    assert.equal(res.headers['cache-control'], 'no-store');
    assert.match(res.body, /Приглашение создано/);
    assert.match(path, /^\/console\/invitations\/[A-Za-z0-9_-]{43}$/);
    assert.equal(await accountByEmail(email), undefined, 'no account before the invitation is accepted');
    const audit = await c.audit({ action: 'staff.invite.moderator' });
    assert.deepEqual(
      audit.map((a) => [a.actor_id, a.operator_id]),
      [[adminId, north]],
    );
    const token = path.split('/').pop()!;
    assertNoPersonalDataInLogs(c.env.logs, [token, 'New.Person', 'new.person']);

    const newcomer = c.browser();
    const page = await newcomer.get(path);
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /Вас приглашают в организацию «Север» с ролью «Модератор отзывов»/);
    const weak = await newcomer.submit(path, `${path}/password`, { password: 'короткий' });
    assert.equal(weak.statusCode, 400);
    assert.equal(await accountByEmail(email), undefined);
    const done = await newcomer.submit(path, `${path}/password`, { password: 'новый-пароль-2026-ок' });
    assert.equal(done.statusCode, 200);
    assert.match(done.body, /Готово/);

    const account = await accountByEmail(email);
    assert.ok(account);
    assert.deepEqual(await rolesOf(account.id, north), ['moderator']);
    assert.equal((await c.audit({ action: 'staff.role_grant.moderator', objectId: account.id })).length, 1);
    assert.equal((await newcomer.get(path)).statusCode, 404, 'the link works once');
    assert.equal((await newcomer.login(email, 'новый-пароль-2026-ок')).statusCode, 303);
    const home = await newcomer.get('/console');
    assert.match(home.body, /Север/);
    assert.doesNotMatch(home.body, /Юг/);
    const list = await admin.get(staffUrl);
    assert.match(cardOf(list.body, account.id), /Новая Сотрудница/);
  });

  it('answers alike for an e-mail of another operator’s staff, and grants nothing until its owner accepts', async () => {
    const admin = await as(ADMIN);
    const strip = (body: string, email: string) =>
      body
        .replace(/<code class="secret" id="invitation-link">[^<]+<\/code>/, '')
        .replace(/name="_csrf" value="[^"]+"/g, '')
        .replace(/content="[A-Za-z0-9_-]{20,}"/g, '')
        .replace(email, 'EMAIL');
    const elsewhere = await invite(admin, SOUTH_ADMIN);
    const nobody = await invite(admin, 'nobody@nowhere.example');
    assert.equal(strip(elsewhere.res.body, SOUTH_ADMIN), strip(nobody.res.body, 'nobody@nowhere.example'));
    const southAdminId = (await accountByEmail(SOUTH_ADMIN))!.id;
    assert.deepEqual(await rolesOf(southAdminId, north), [], 'no role before acceptance');

    // The link's holder (here the inviter) cannot take the account over, nor learn it exists.
    const holder = c.browser();
    const attempt = await holder.submit(elsewhere.path, `${elsewhere.path}/password`, {
      password: 'захват-учётки-2026',
    });
    const fresh = await holder.submit(nobody.path, `${nobody.path}/password`, {
      password: 'захват-учётки-2026',
    });
    assert.equal(attempt.statusCode, fresh.statusCode);
    const bare = (body: string) =>
      body.replace(/\/console\/invitations\/[A-Za-z0-9_-]+/g, '').replace(/"[A-Za-z0-9_-]{20,}"/g, '');
    assert.equal(bare(attempt.body), bare(fresh.body));
    assert.deepEqual(await rolesOf(southAdminId, north), []);
    assert.equal((await c.browser().login(SOUTH_ADMIN, 'захват-учётки-2026')).statusCode, 401);

    // Someone else signed in cannot accept it.
    const agent = await as(AGENT);
    assert.match((await agent.get(elsewhere.path)).body, /для другой учётной записи/);
    assert.equal((await agent.submit(elsewhere.path, `${elsewhere.path}/accept`, {})).statusCode, 404);

    // Its owner, signed in, accepts it.
    const southAdmin = await as(SOUTH_ADMIN);
    const accepted = await southAdmin.submit(elsewhere.path, `${elsewhere.path}/accept`, {});
    assert.equal(accepted.statusCode, 303);
    assert.deepEqual(await rolesOf(southAdminId, north), ['agent']);
    assert.equal((await southAdmin.get(elsewhere.path)).statusCode, 404);
  });

  it('grants a role directly only to someone already here, unless an installation administrator does', async () => {
    const outsider = await c.createStaff({
      email: 'outsider@south.example',
      roles: [{ operatorId: south, role: 'agent' }],
    });
    const admin = await as(ADMIN);
    const auditBefore = (await c.audit()).length;
    const refused = await admin.submit(staffUrl, `${staffUrl}/${outsider}/roles/grant`, {
      role: 'administrator',
    });
    assert.equal(refused.statusCode, 404, 'like an unknown id');
    assert.deepEqual(await rolesOf(outsider, north), []);
    assert.equal((await c.audit()).length, auditBefore);
    const root = await as(ROOT);
    const direct = await root.submit('/console', `${staffUrl}/${outsider}/roles/grant`, { role: 'agent' });
    assert.equal(direct.statusCode, 303);
    assert.deepEqual(await rolesOf(outsider, north), ['agent']);
  });

  it('keeps what was typed when an invitation is refused, and writes nothing', async () => {
    const admin = await as(ADMIN);
    const count = async () =>
      (await (await c.env.admin()).query<{ n: number }>('SELECT count(*)::int AS n FROM staff')).rows[0]!.n;
    const before = [await count(), await invitations()];
    const bad = await admin.submit(staffUrl, staffUrl, {
      displayName: 'Пётр <Тест>',
      email: 'не-почта',
      role: 'privacy_officer',
    });
    assert.equal(bad.statusCode, 400);
    assert.match(bad.body, /Приглашение не создано/);
    assert.match(bad.body, /id="add-email"[^>]*value="не-почта"[^>]*aria-invalid="true"/);
    assert.match(bad.body, /id="add-email-error">Укажите адрес электронной почты/);
    assert.match(bad.body, /id="add-displayName"[^>]*value="Пётр &lt;Тест&gt;"/);
    assert.match(bad.body, /<option value="privacy_officer"\s+selected>/);
    assert.doesNotMatch(bad.body, /id="invitation-link"/);

    const noToken = await admin.post(staffUrl, {
      displayName: 'Без токена',
      email: 'x@north.example',
      role: 'agent',
    });
    assert.equal(noToken.statusCode, 403);
    const southAdmin = await as(SOUTH_ADMIN);
    const foreign = await southAdmin.submit(
      '/console',
      `/console/operators/${south}/staff`.replace(south, north),
      {
        displayName: 'Чужой',
        email: 'foreign@south.example',
        role: 'administrator',
      },
    );
    assert.equal(foreign.statusCode, 403);
    assert.deepEqual([await count(), await invitations()], before);
  });

  it("revokes someone's last role: they leave the list and keep no role here", async () => {
    const admin = await as(ADMIN);
    const temp = await c.createStaff({
      email: 'temp@north.example',
      displayName: 'Временный',
      roles: [{ operatorId: north, role: 'agent' }],
    });
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
