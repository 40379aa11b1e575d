import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { systemPrincipal } from '../../modules/staff/index.ts';
import { createConsoleEnv, OPERATOR_CARD, type Browser, type ConsoleEnv } from '../shared/console.testing.ts';

const NORTH_ADMIN = 'admin@north.example';
const NORTH_AGENT = 'agent@north.example';
const SOUTH_ADMIN = 'admin@south.example';
const ROOT = 'root@install.example';

const CARD = {
  name: 'ООО «Клиника Север»',
  shortName: 'Клиника «Север»',
  ...OPERATOR_CARD,
  timeZone: 'Europe/Moscow',
};

/** Every field of the details form, as a browser sends it. */
const details = (over: Record<string, string> = {}): Record<string, string> => ({ ...CARD, ...over });

describe('console: operator settings', () => {
  let c: ConsoleEnv;
  let north: string;
  let south: string;
  let northAdminId: string;
  let rootId: string;
  const signedIn: Partial<Record<string, Browser>> = {};

  /** One signed-in browser per person for the whole file (each sign-in costs an argon2 hash). */
  async function as(email: string): Promise<Browser> {
    const existing = signedIn[email];
    if (existing) return existing;
    const b = c.browser();
    assert.equal((await b.login(email)).statusCode, 303, `sign-in of ${email}`);
    signedIn[email] = b;
    return b;
  }

  const row = async (id: string) =>
    (
      await (
        await c.env.admin()
      ).query<{
        name: string;
        short_name: string | null;
        inn: string;
        require_mfa: boolean;
        updated_at: Date;
      }>('SELECT name, short_name, inn, require_mfa, updated_at FROM operators WHERE id = $1', [id])
    ).rows[0]!;

  before(async () => {
    c = await createConsoleEnv();
    const system = systemPrincipal('test');
    const { operators } = c.env.ctx.services;
    north = (
      await operators.create(system, {
        slug: 'north',
        ...CARD,
        sites: [{ domain: 'north.example' }],
      })
    ).id;
    south = (
      await operators.create(system, {
        slug: 'south',
        ...CARD,
        name: 'ООО «Юг»',
        shortName: null,
        sites: [{ domain: 'south.example' }],
      })
    ).id;
    northAdminId = await c.createStaff({
      email: NORTH_ADMIN,
      roles: [{ operatorId: north, role: 'administrator' }],
    });
    await c.createStaff({ email: NORTH_AGENT, roles: [{ operatorId: north, role: 'agent' }] });
    await c.createStaff({ email: SOUTH_ADMIN, roles: [{ operatorId: south, role: 'administrator' }] });
    rootId = await c.createStaff({ email: ROOT, installationAdmin: true });
  });
  after(() => c.close());

  it('links each operator on the home page to its settings, and its staff for administrators', async () => {
    const admin = await as(NORTH_ADMIN);
    const home = (await admin.get('/console')).body;
    assert.match(home, new RegExp(`href="/console/operators/${north}"`));
    assert.match(home, new RegExp(`href="/console/operators/${north}/staff"`));
    const agent = (await (await as(NORTH_AGENT)).get('/console')).body;
    assert.match(agent, new RegExp(`href="/console/operators/${north}"`));
    assert.doesNotMatch(agent, /\/staff"/, 'agents get no staff link');
    const root = (await (await as(ROOT)).get('/console')).body;
    assert.match(root, /href="\/console\/operators\/new"/);
    assert.match(root, /href="\/console\/operators"/);
  });

  it("shows the administrator the card as a form, with the operator's sites and its MFA rule", async () => {
    const res = await (await as(NORTH_ADMIN)).get(`/console/operators/${north}`);
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['cache-control'], 'no-store');
    assert.match(res.body, /<html lang="ru">/);
    assert.match(res.body, /<h1>Клиника «Север»<\/h1>/);
    assert.match(res.body, new RegExp(`<form method="post" action="/console/operators/${north}"`));
    assert.match(res.body, /<label for="op-inn">ИНН<\/label>/);
    assert.match(res.body, /id="op-inn"[^>]*value="7707083893"/);
    assert.match(res.body, /id="op-timeZone"[^>]*value="Europe\/Moscow"/);
    assert.match(res.body, /<code id="operator-slug">north<\/code>/);
    assert.match(res.body, /<code class="site-domain">north\.example<\/code>/);
    assert.match(res.body, /id="mfa-rule" data-required="no"/);
    assert.match(res.body, /Сделать обязательным/);
    assert.match(res.body, /id="staff-link"/);
    assert.doesNotMatch(res.body, /<script|<style|style="/);
  });

  it('shows staff with operator.read the card read-only, without forms', async () => {
    const res = await (await as(NORTH_AGENT)).get(`/console/operators/${north}`);
    assert.equal(res.statusCode, 200);
    assert.match(res.body, /id="read-only"/);
    assert.match(res.body, /<dd>7707083893<\/dd>/);
    assert.match(res.body, /north\.example/);
    assert.doesNotMatch(res.body, /id="op-inn"/);
    assert.doesNotMatch(res.body, new RegExp(`action="/console/operators/${north}/(sites|mfa)`));
    assert.doesNotMatch(res.body, /id="staff-link"/);
  });

  it("refuses another operator's administrator, and anyone signed out", async () => {
    const other = await as(SOUTH_ADMIN);
    for (const url of [`/console/operators/${north}`, `/console/operators/${north}/staff`]) {
      const res = await other.get(url);
      assert.equal(res.statusCode, 403, url);
      assert.match(res.body, /Доступ запрещён/);
      assert.doesNotMatch(res.body, /7707083893|Север/);
    }
    const anon = await c.browser().get(`/console/operators/${north}`);
    assert.equal(anon.statusCode, 303);
    assert.equal(anon.headers.location, '/console/login');
    // Their own operator opens.
    assert.equal((await other.get(`/console/operators/${south}`)).statusCode, 200);
  });

  it('lets an installation administrator manage any operator', async () => {
    const res = await (await as(ROOT)).get(`/console/operators/${south}`);
    assert.equal(res.statusCode, 200);
    assert.match(res.body, /id="op-inn"/);
    assert.match(res.body, /id="staff-link"/);
  });

  it('saves the details, clears an emptied short name, and audits the change', async () => {
    const admin = await as(NORTH_ADMIN);
    c.env.clock.advance(60_000);
    const res = await admin.submit(
      `/console/operators/${north}`,
      `/console/operators/${north}`,
      details({ name: '  ООО «Клиника Север-2»  ', shortName: '', timeZone: 'Asia/Yekaterinburg' }),
    );
    assert.equal(res.statusCode, 303);
    assert.equal(res.headers.location, `/console/operators/${north}?m=saved`);
    const r = await row(north);
    assert.equal(r.name, 'ООО «Клиника Север-2»');
    assert.equal(r.short_name, null);
    assert.equal(r.updated_at.getTime(), c.env.clock.now().getTime());
    const page = await admin.get(res.headers.location);
    assert.match(page.body, /Сведения сохранены\./);
    assert.match(page.body, /id="op-timeZone"[^>]*value="Asia\/Yekaterinburg"/);
    const audit = await c.audit({ action: 'operator.update', objectId: north });
    assert.equal(audit.length, 1);
    assert.equal(audit[0]!.actor_id, northAdminId);
    assert.equal(audit[0]!.operator_id, north);
  });

  it('shows validation errors beside the fields, keeps what was typed and changes nothing', async () => {
    const admin = await as(NORTH_ADMIN);
    const before = await row(north);
    const auditBefore = (await c.audit()).length;
    const res = await admin.submit(
      `/console/operators/${north}`,
      `/console/operators/${north}`,
      details({
        name: '   ',
        inn: '7707083894',
        requestsEmail: 'не-почта',
        responsiblePerson: 'Сидоров <b>С. С.</b>',
        timeZone: 'Europe/Atlantis',
      }),
    );
    assert.equal(res.statusCode, 400);
    assert.match(res.body, /Сведения не сохранены: исправьте отмеченные поля\./);
    assert.match(
      res.body,
      /id="op-inn"[^>]*value="7707083894"[^>]*aria-invalid="true"[^>]*aria-describedby="op-inn-error"/,
    );
    assert.match(res.body, /<p class="field-error" id="op-inn-error">ИНН неверен/);
    assert.match(res.body, /id="op-name-error">Укажите полное наименование/);
    assert.match(res.body, /id="op-requestsEmail"[^>]*value="не-почта"/);
    assert.match(res.body, /id="op-requestsEmail-error">Укажите адрес электронной почты/);
    assert.match(res.body, /id="op-timeZone-error">Неизвестный часовой пояс/);
    // A valid field that was typed is kept too, escaped.
    assert.match(res.body, /value="Сидоров &lt;b&gt;С\. С\.&lt;\/b&gt;"/);
    assert.doesNotMatch(res.body, /id="op-ogrn-error"/, 'a valid field has no error');
    assert.deepEqual(await row(north), before);
    assert.equal((await c.audit()).length, auditBefore);
  });

  it('refuses a form without its CSRF token, or with an unknown field, and changes nothing', async () => {
    const admin = await as(NORTH_ADMIN);
    const before = await row(north);
    const auditBefore = (await c.audit()).length;
    const attempts = [
      admin.post(`/console/operators/${north}`, details({ name: 'Подмена' })),
      admin.post(`/console/operators/${north}/mfa`, { requireMfa: 'on' }),
      admin.post(`/console/operators/${north}/sites`, { domain: 'evil.example', title: '' }),
      admin.post(`/console/operators/new`, {
        slug: 'evil',
        ...details(),
        domain: 'evil.example',
        siteTitle: '',
      }),
    ];
    for (const res of await Promise.all(attempts)) {
      assert.equal(res.statusCode, 403);
      assert.match(res.body, /Форма устарела/);
    }
    const { site } = await siteOf(north);
    const removal = await admin.post(`/console/operators/${north}/sites/${site}/remove`, {});
    assert.equal(removal.statusCode, 403);
    const withSlug = await admin.submit(
      `/console/operators/${north}`,
      `/console/operators/${north}`,
      details({ slug: 'renamed' }),
    );
    assert.equal(withSlug.statusCode, 400, 'the identifier is not a field of the form');
    assert.deepEqual(await row(north), before);
    assert.equal((await c.audit()).length, auditBefore);
    assert.equal((await siteOf(north)).count, 1);
  });

  async function siteOf(operatorId: string): Promise<{ site: string; count: number }> {
    const { rows } = await (
      await c.env.admin()
    ).query<{ id: string }>('SELECT id FROM sites WHERE operator_id = $1 ORDER BY created_at', [operatorId]);
    return { site: rows[0]?.id ?? '', count: rows.length };
  }

  it('refuses changes by staff who may only read, and by the administrator of another operator', async () => {
    const before = await row(north);
    for (const email of [NORTH_AGENT, SOUTH_ADMIN]) {
      const b = await as(email);
      // Their own token: CSRF passes, access does not.
      const token = /name="_csrf" value="([^"]+)"/.exec((await b.get('/console')).body)![1]!;
      const edit = await b.post(`/console/operators/${north}`, {
        _csrf: token,
        ...details({ name: 'Чужое' }),
      });
      assert.equal(edit.statusCode, 403, email);
      assert.match(edit.body, /Доступ запрещён/);
      const mfa = await b.post(`/console/operators/${north}/mfa`, { _csrf: token, requireMfa: 'on' });
      assert.equal(mfa.statusCode, 403);
      const site = await b.post(`/console/operators/${north}/sites`, {
        _csrf: token,
        domain: 'foreign.example',
        title: '',
      });
      assert.equal(site.statusCode, 403);
      const { site: siteId } = await siteOf(north);
      const removal = await b.post(`/console/operators/${north}/sites/${siteId}/remove`, { _csrf: token });
      assert.equal(removal.statusCode, 403);
    }
    assert.deepEqual(await row(north), before);
    assert.equal((await siteOf(north)).count, 1);
  });

  it('adds a site (a Cyrillic domain shown as typed), refuses a bad or taken one, and removes one', async () => {
    const admin = await as(NORTH_ADMIN);
    const url = `/console/operators/${north}`;
    const added = await admin.submit(url, `${url}/sites`, { domain: 'Клиника-Север.РФ', title: '' });
    assert.equal(added.statusCode, 303);
    assert.equal(added.headers.location, `${url}?m=site-added`);
    const page = await admin.get(added.headers.location);
    assert.match(page.body, /Сайт добавлен\./);
    assert.match(page.body, /<code class="site-domain">клиника-север\.рф<\/code>/);
    const { rows } = await (
      await c.env.admin()
    ).query<{ id: string; domain: string }>(
      "SELECT id, domain FROM sites WHERE operator_id = $1 AND domain LIKE 'xn--%'",
      [north],
    );
    assert.equal(rows.length, 1);
    assert.equal((await c.audit({ action: 'site.add', objectId: rows[0]!.id })).length, 1);

    const bad = await admin.submit(url, `${url}/sites`, {
      domain: 'https://clinic.example/path',
      title: 'Мой сайт',
    });
    assert.equal(bad.statusCode, 400);
    assert.match(
      bad.body,
      /id="site-domain"[^>]*value="https:\/\/clinic\.example\/path"[^>]*aria-invalid="true"/,
    );
    assert.match(bad.body, /id="site-domain-error">Неверное доменное имя/);
    assert.match(bad.body, /id="site-title"[^>]*value="Мой сайт"/);

    // Taken, by this operator or another: the same answer.
    const taken = await admin.submit(url, `${url}/sites`, { domain: 'NORTH.example', title: '' });
    assert.equal(taken.statusCode, 409);
    assert.match(taken.body, /id="site-domain-error">Этот домен уже подключён\./);
    assert.equal((await siteOf(north)).count, 2);

    const removed = await admin.submit(url, `${url}/sites/${rows[0]!.id}/remove`, {});
    assert.equal(removed.statusCode, 303);
    assert.equal(removed.headers.location, `${url}?m=site-removed`);
    assert.equal((await siteOf(north)).count, 1);
    assert.equal((await c.audit({ action: 'site.remove', objectId: rows[0]!.id })).length, 1);
    assert.doesNotMatch((await admin.get(url)).body, /клиника-север/);
    // The site of another operator cannot be removed through this one.
    const { site: southSite } = await siteOf(south);
    assert.equal((await admin.submit(url, `${url}/sites/${southSite}/remove`, {})).statusCode, 404);
    assert.equal((await siteOf(south)).count, 1);
  });

  it('makes two-factor sign-in mandatory: staff without it land on enrolment after signing in', async () => {
    const root = await as(ROOT);
    const url = `/console/operators/${south}`;
    const strictAgent = 'agent@south.example';
    await c.createStaff({ email: strictAgent, roles: [{ operatorId: south, role: 'agent' }] });

    const on = await root.submit(url, `${url}/mfa`, { requireMfa: 'on' });
    assert.equal(on.statusCode, 303);
    assert.equal(on.headers.location, `${url}?m=mfa-on`);
    assert.equal((await row(south)).require_mfa, true);
    const page = await root.get(on.headers.location);
    assert.match(page.body, /id="mfa-rule" data-required="yes"/);
    assert.match(page.body, /Двухфакторный вход стал обязательным/);
    const audit = await c.audit({ action: 'operator.mfa_required', objectId: south });
    assert.equal(audit.length, 1);
    assert.equal(audit[0]!.actor_id, rootId);

    const agent = c.browser();
    const login = await agent.login(strictAgent);
    assert.equal(login.headers.location, '/console/mfa');
    assert.match((await agent.get('/console/mfa')).body, /Ваша организация требует двухфакторного входа/);
    // The operator's own administrator, already signed in, is sent to enrolment on the next page.
    const southAdmin = await as(SOUTH_ADMIN);
    const next = await southAdmin.get(url);
    assert.equal(next.statusCode, 303);
    assert.equal(next.headers.location, '/console/mfa');

    const off = await root.submit(url, `${url}/mfa`, { requireMfa: 'off' });
    assert.equal(off.headers.location, `${url}?m=mfa-off`);
    assert.equal((await row(south)).require_mfa, false);
    assert.equal((await c.audit({ action: 'operator.mfa_optional', objectId: south })).length, 1);
    assert.equal((await c.browser().login(strictAgent)).headers.location, '/console');
    assert.equal((await southAdmin.get(url)).statusCode, 200);
  });

  it('lists operators: all of them for installation administrators, their own for others', async () => {
    const root = await (await as(ROOT)).get('/console/operators');
    assert.equal(root.statusCode, 200);
    assert.match(root.body, new RegExp(`href="/console/operators/${north}"`));
    assert.match(root.body, new RegExp(`href="/console/operators/${south}"`));
    assert.match(root.body, /href="\/console\/operators\/new"/);
    const agent = await (await as(NORTH_AGENT)).get('/console/operators');
    assert.match(agent.body, new RegExp(`href="/console/operators/${north}"`));
    assert.doesNotMatch(agent.body, new RegExp(south));
    assert.doesNotMatch(agent.body, /operators\/new/);
  });

  it('lets only installation administrators create an operator with its first site', async () => {
    const admin = await as(NORTH_ADMIN);
    const refused = await admin.get('/console/operators/new');
    assert.equal(refused.statusCode, 403);
    const token = /name="_csrf" value="([^"]+)"/.exec((await admin.get('/console')).body)![1]!;
    const form = {
      slug: 'east',
      ...details({ name: 'ООО «Восток»' }),
      domain: 'east.example',
      siteTitle: '',
    };
    assert.equal((await admin.post('/console/operators/new', { _csrf: token, ...form })).statusCode, 403);

    const root = await as(ROOT);
    const blank = await root.get('/console/operators/new');
    assert.equal(blank.statusCode, 200);
    assert.match(blank.body, /id="new-timeZone"[^>]*value="Europe\/Moscow"/);
    const count = async () =>
      (await (await c.env.admin()).query<{ n: number }>('SELECT count(*)::int AS n FROM operators')).rows[0]!
        .n;
    const before = await count();

    const bad = await root.submit('/console/operators/new', '/console/operators/new', {
      ...form,
      slug: 'East Clinic',
      ogrn: '1027700132196',
      domain: 'east example',
      requireMfa: 'on',
    });
    assert.equal(bad.statusCode, 400);
    assert.match(bad.body, /Организация не создана/);
    assert.match(bad.body, /id="new-slug"[^>]*value="East Clinic"[^>]*aria-invalid="true"/);
    assert.match(bad.body, /id="new-slug-error">Идентификатор:/);
    assert.match(bad.body, /id="new-ogrn-error">ОГРН неверен/);
    assert.match(bad.body, /id="new-domain"[^>]*value="east example"/);
    assert.match(bad.body, /id="new-domain-error">Неверное доменное имя/);
    assert.match(bad.body, /id="new-name"[^>]*value="ООО «Восток»"/);
    assert.match(bad.body, /id="new-requireMfa"[^>]*checked/);
    assert.equal(await count(), before);

    const taken = await root.submit('/console/operators/new', '/console/operators/new', {
      ...form,
      slug: 'north',
    });
    assert.equal(taken.statusCode, 409);
    assert.match(taken.body, /с таким идентификатором или сайт с таким доменом уже есть/);
    assert.equal(await count(), before);

    const created = await root.submit('/console/operators/new', '/console/operators/new', {
      ...form,
      requireMfa: 'on',
    });
    assert.equal(created.statusCode, 303);
    const m = /^\/console\/operators\/([0-9a-f-]{36})\?m=created$/.exec(created.headers.location as string);
    assert.ok(m, String(created.headers.location));
    const id = m[1]!;
    const r = await row(id);
    assert.equal(r.name, 'ООО «Восток»');
    assert.equal(r.require_mfa, true);
    assert.equal((await siteOf(id)).count, 1);
    assert.equal((await c.audit({ action: 'operator.create', objectId: id, actorId: rootId })).length, 1);
    assert.equal((await c.audit({ action: 'site.add', actorId: rootId })).length, 1);
    const page = await root.get(created.headers.location as string);
    assert.match(page.body, /Организация создана/);
    assert.match(page.body, /east\.example/);
  });

  it('speaks English to those who chose it, validation messages included', async () => {
    const root = await as(ROOT);
    await root.submit('/console', '/console/lang', { lang: 'en', back: '/console' });
    const url = `/console/operators/${north}`;
    const page = await root.get(url);
    assert.match(page.body, /<html lang="en">/);
    assert.match(page.body, /Operator&#39;s details/);
    const bad = await root.submit(url, url, details({ inn: '123' }));
    assert.equal(bad.statusCode, 400);
    assert.match(bad.body, /id="op-inn-error">Invalid INN/);
    await root.submit('/console', '/console/lang', { lang: 'ru', back: '/console' });
  });
});
