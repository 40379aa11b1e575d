import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createConsoleEnv, type ConsoleEnv } from '../shared/console.testing.ts';

describe('console home, language and CSRF', () => {
  let c: ConsoleEnv;
  let agentId: string;
  const AGENT = 'agent@clinic.example';
  const ADMIN = 'root@clinic.example';

  before(async () => {
    c = await createConsoleEnv();
    const north = await c.createOperator({ slug: 'north', name: 'Клиника «Север»' });
    const south = await c.createOperator({ slug: 'south', name: 'Клиника «Юг»' });
    await c.createOperator({ slug: 'west', name: 'Клиника «Запад»' });
    agentId = await c.createStaff({
      email: AGENT,
      displayName: 'Мария <b>Смирнова</b>',
      roles: [
        { operatorId: north, role: 'agent' },
        { operatorId: north, role: 'moderator' },
        { operatorId: south, role: 'privacy_officer' },
      ],
    });
    await c.createStaff({ email: ADMIN, displayName: 'Администратор', installationAdmin: true });
  });
  after(() => c.close());

  it("lists the person's operators and roles, escaping what they typed", async () => {
    const b = c.browser();
    await b.login(AGENT);
    const res = await b.get('/console');
    assert.equal(res.statusCode, 200);
    assert.match(res.body, /Ваши организации и роли/);
    assert.match(res.body, /Клиника «Север»/);
    assert.match(res.body, /Клиника «Юг»/);
    assert.doesNotMatch(res.body, /Запад/, 'an operator without a role is not listed');
    assert.match(res.body, /Сотрудник контакт-центра/);
    assert.match(res.body, /Модератор отзывов/);
    assert.match(res.body, /Ответственный за обработку персональных данных/);
    assert.doesNotMatch(res.body, /id="installation-admin"/);
    assert.match(res.body, /Мария &lt;b&gt;Смирнова&lt;\/b&gt;/);
    assert.doesNotMatch(res.body, /<b>Смирнова/);
    assert.match(res.body, /aria-current="page"/);
  });

  it('tells installation administrators what they are', async () => {
    const b = c.browser();
    await b.login(ADMIN);
    const res = await b.get('/console');
    assert.match(res.body, /id="installation-admin"/);
    assert.match(res.body, /администратор установки/);
    assert.match(res.body, /нет ролей ни в одной организации/);
  });

  it('switches to English before sign-in by cookie, and for signed-in staff in their account', async () => {
    const anon = c.browser();
    const switched = await anon.submit('/console/login', '/console/lang', {
      lang: 'en',
      back: '/console/login',
    });
    assert.equal(switched.statusCode, 303);
    assert.equal(switched.headers.location, '/console/login');
    assert.equal(anon.cookies.get('sg_lang'), 'en');
    const login = await anon.get('/console/login');
    assert.match(login.body, /<html lang="en">/);
    assert.match(login.body, /Sign in to the console/);
    assert.match(login.body, /lang="ru"[^>]*>\s*Русский\s*</);

    const b = c.browser();
    await b.login(AGENT);
    const res = await b.submit('/console', '/console/lang', { lang: 'en', back: '/console' });
    assert.equal(res.headers.location, '/console');
    const { rows } = await (
      await c.env.admin()
    ).query<{ locale: string }>('SELECT locale FROM staff WHERE id = $1', [agentId]);
    assert.equal(rows[0]!.locale, 'en');
    const home = await b.get('/console');
    assert.match(home.body, /<html lang="en">/);
    assert.match(home.body, /Your organisations and roles/);
    assert.match(home.body, /Contact-centre agent/);

    // The account's setting follows the person to another browser.
    const elsewhere = c.browser();
    await elsewhere.login(AGENT);
    assert.match((await elsewhere.get('/console')).body, /Your organisations and roles/);

    // Only console pages are returned to.
    const away = await b.submit('/console', '/console/lang', { lang: 'ru', back: '//evil.example/x' });
    assert.equal(away.headers.location, '/console');
  });

  it('refuses state changes without the token, with a wrong one or from another site, changing nothing', async () => {
    const b = c.browser();
    await b.login(AGENT);
    const token = await b.csrfFrom('/console');
    const before = (
      await (await c.env.admin()).query<{ n: number }>('SELECT count(*)::int AS n FROM audit_log')
    ).rows[0]!.n;

    const missing = await b.post('/console/logout', {});
    assert.equal(missing.statusCode, 403);
    assert.match(missing.body, /Форма устарела/);
    const wrong = await b.post('/console/logout', { _csrf: token.slice(0, -2) + 'zz' });
    assert.equal(wrong.statusCode, 403);
    const foreign = await b.post('/console/logout', { _csrf: token }, { origin: 'https://evil.example' });
    assert.equal(foreign.statusCode, 403);
    const nullOrigin = await b.post('/console/logout', { _csrf: token }, { origin: 'null' });
    assert.equal(nullOrigin.statusCode, 403);
    const lang = await b.post('/console/lang', { _csrf: 'nope', lang: 'ru' });
    assert.equal(lang.statusCode, 403);
    const json = await b.json('POST', '/console/test-form', { 'x-csrf-token': 'nope' });
    assert.equal(json.statusCode, 403);
    assert.equal(json.json<{ error: { code: string } }>().error.code, 'csrf_failed');

    assert.equal((await b.get('/console')).statusCode, 200, 'still signed in');
    const after = (
      await (await c.env.admin()).query<{ n: number }>('SELECT count(*)::int AS n FROM audit_log')
    ).rows[0]!.n;
    assert.equal(after, before, 'nothing was written');

    // The app's own origin (configured or the one requested) is accepted.
    const own = await b.post('/console/test-form', { _csrf: token }, { origin: c.env.config.publicUrl });
    assert.equal(own.statusCode, 200);
    const host = await b.post('/console/test-form', { _csrf: token }, { origin: 'http://localhost:80' });
    assert.equal(host.statusCode, 200);
  });

  it('serves its stylesheets for a year and uses no inline styles or scripts', async () => {
    const b = c.browser();
    const page = await b.get('/console/login');
    // The base shared with the public site first, then the console's own.
    const hrefs = [...page.body.matchAll(/<link rel="stylesheet" href="([^"]+)"/g)].map((m) => m[1]!);
    assert.equal(hrefs.length, 2);
    assert.match(hrefs[0]!, /^\/console\/assets\/base\.css\?v=[0-9a-f]{12}$/);
    assert.match(hrefs[1]!, /^\/console\/assets\/console\.css\?v=[0-9a-f]{12}$/);
    const [base, own] = [await b.get(hrefs[0]!), await b.get(hrefs[1]!)];
    for (const css of [base, own]) {
      assert.equal(css.statusCode, 200);
      assert.match(css.headers['content-type'] as string, /^text\/css/);
      assert.equal(css.headers['cache-control'], 'public, max-age=31536000, immutable');
    }
    assert.match(base.body, /:focus-visible/);
    assert.match(own.body, /--primary:/);
    assert.doesNotMatch(page.body, /<script|<style|style="/);
    assert.match(page.headers['content-security-policy'] as string, /script-src 'self'/);
  });

  it('renders errors as a Russian page for browsers and as JSON otherwise', async () => {
    const b = c.browser();
    const page = await b.get('/console/no-such-page');
    assert.equal(page.statusCode, 404);
    assert.match(page.headers['content-type'] as string, /text\/html/);
    assert.match(page.body, /<html lang="ru">/);
    assert.match(page.body, /Страница не найдена/);
    assert.match(page.body, new RegExp(page.headers['x-request-id'] as string));
    const json = await b.json('GET', '/console/no-such-page');
    assert.equal(json.statusCode, 404);
    assert.equal(json.json<{ error: { code: string } }>().error.code, 'not_found');
    const bad = await b.post('/console/lang', { _csrf: await b.csrfFrom('/console/login'), lang: 'de' });
    assert.equal(bad.statusCode, 400);
    assert.match(bad.body, /Некорректный запрос/);
  });
});
