import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { buildApp } from '../../app.ts';
import { openRuntime } from '../../runtime.ts';
import { registerConsole, renderHtmlError } from '../index.ts';
import { createInboxEnv, type InboxEnv } from './inbox.testing.ts';
import type { Browser } from '../shared/console.testing.ts';

const AGENT = 'agent.a@clinic.example';
const AGENT_B = 'agent.b@clinic.example';
const OFFICER = 'officer.a@clinic.example';
const MODERATOR = 'moderator.a@clinic.example';
const MINUTE = 60_000;

/** Inquiry ids of the table's rows, in order. */
function rowIds(body: string): string[] {
  return [...body.matchAll(/<tr data-inquiry="([0-9a-f-]{36})"/g)].map((m) => m[1]!);
}

/** The count shown on a status tab. */
function tabCount(body: string, status: string): number {
  const m = new RegExp(`data-count="${status}">(\\d+)<`).exec(body);
  assert.ok(m, `no count for ${status}`);
  return Number(m[1]);
}

describe('the inbox at /console', () => {
  let c: InboxEnv;
  let agentId: string;
  let agent: Browser;
  let officer: Browser;
  // Inquiries of clinic A by name, in order of arrival (one minute apart).
  const made: Record<string, string> = {};
  let bInquiry: string;

  before(async () => {
    c = await createInboxEnv();
    const { a, b } = c;
    agentId = await c.createStaff({
      email: AGENT,
      displayName: 'Ольга Агентова',
      roles: [{ operatorId: a.operatorId, role: 'agent' }],
    });
    await c.createStaff({ email: AGENT_B, roles: [{ operatorId: b.operatorId, role: 'agent' }] });
    await c.createStaff({
      email: OFFICER,
      displayName: 'Ирина Ответственная',
      roles: [{ operatorId: a.operatorId, role: 'privacy_officer' }],
    });
    await c.createStaff({ email: MODERATOR, roles: [{ operatorId: a.operatorId, role: 'moderator' }] });

    // Monday 12:00 in Moscow: each first contact is due 15 working minutes later.
    made.first = await c.submit(a, { fields: { name: 'Первая', phone: '8 912 000-00-01' } });
    c.env.clock.advance(MINUTE);
    made.widget = await c.submit(a, {
      channel: 'widget',
      siteId: a.site2,
      fields: { name: 'Вторая', phone: '8 912 000-00-02' },
    });
    c.env.clock.advance(MINUTE);
    made.appointment = await c.submit(a, {
      formId: 'appointment',
      fields: { name: 'Третья', phone: '8 912 000-00-03', email: 'tretya@example.ru' },
    });
    c.env.clock.advance(MINUTE);
    made.done = await c.submit(a, { fields: { name: 'Четвёртая', phone: '8 912 000-00-04' } });
    c.env.clock.advance(MINUTE);
    // A row without a due time (as those from before due times existed) sorts last by due time.
    made.noDue = await c.submit(a, { fields: { name: 'Пятая', phone: '8 912 000-00-05' } });
    await c.q('UPDATE inquiries SET first_contact_due_at = NULL WHERE id = $1', [made.noDue]);
    bInquiry = await c.submit(b, { fields: { name: 'Чужая', phone: '8 912 999-99-99' } });

    agent = c.browser();
    assert.equal((await agent.login(AGENT)).statusCode, 303);
    officer = c.browser();
    assert.equal((await officer.login(OFFICER)).statusCode, 303);
    const page = inquiryUrl(a.operatorId, made.done);
    assert.equal((await agent.submit(page, `${page}/status`, { to: 'done' })).statusCode, 303);
    assert.equal((await agent.submit(page, `${page}/assign`, { assignee: 'me' })).statusCode, 303);
  });
  after(() => c.close());

  const inquiryUrl = (op: string, id: string) => `/console/operators/${op}/inquiries/${id}`;

  it('shows new inquiries by first-contact due time with counts per status, and no patient data', async () => {
    const res = await agent.get('/console');
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['cache-control'], 'no-store');
    assert.match(res.body, /<h1>Обращения<\/h1>/);
    // Soonest due first; the row without a due time last; the done one is not new.
    assert.deepEqual(rowIds(res.body), [made.first, made.widget, made.appointment, made.noDue]);
    assert.equal(tabCount(res.body, 'new'), 4);
    assert.equal(tabCount(res.body, 'done'), 1);
    assert.equal(tabCount(res.body, 'spam'), 0);
    assert.equal(tabCount(res.body, 'all'), 5);
    assert.match(res.body, /href="\/console"\s+data-status="new"\s+aria-current="page"/);
    // A list decrypts nothing: no names, no phones; nor another clinic's inquiry.
    for (const s of ['Первая', 'Третья', '9120000001', '+7 912', 'tretya@'])
      assert.ok(!res.body.includes(s), s);
    assert.ok(!res.body.includes(bInquiry));
    // The home page's content is still there, and its script and stylesheet are files.
    assert.match(res.body, /Ваши организации и роли/);
    assert.match(res.body, /<script src="\/console\/assets\/inbox\.js\?v=[0-9a-f]{12}" defer><\/script>/);
    assert.doesNotMatch(res.body, /<script>|<style|style="/);
    // Keyboard help on the page.
    assert.match(res.body, /<kbd>j \/ k<\/kbd>/);
    assert.match(res.body, /<kbd>\/<\/kbd>/);
  });

  it('switches the order, and shows the other statuses newest first', async () => {
    const newest = await agent.get('/console?sort=newest');
    assert.deepEqual(rowIds(newest.body), [made.noDue, made.appointment, made.widget, made.first]);
    const all = await agent.get('/console?status=all');
    assert.deepEqual(rowIds(all.body), [made.noDue, made.done, made.appointment, made.widget, made.first]);
    const done = await agent.get('/console?status=done');
    assert.deepEqual(rowIds(done.body), [made.done]);
    assert.match(done.body, /data-status="done"\s+aria-current="page"/);
    const doneByDue = await agent.get('/console?status=all&sort=due');
    assert.deepEqual(rowIds(doneByDue.body), [
      made.first,
      made.widget,
      made.appointment,
      made.done,
      made.noDue,
    ]);
  });

  it('filters by site, kind, channel, assignee and operator, keeping the filter in the tabs', async () => {
    const { a, b } = c;
    const site = await agent.get(`/console?site=${a.site2}`);
    assert.deepEqual(rowIds(site.body), [made.widget]);
    assert.equal(tabCount(site.body, 'new'), 1);
    assert.match(site.body, new RegExp(`href="/console\\?site=${a.site2}&amp;status=all"`));
    assert.deepEqual(rowIds((await agent.get('/console?kind=appointment')).body), [made.appointment]);
    assert.deepEqual(rowIds((await agent.get('/console?channel=widget')).body), [made.widget]);
    assert.deepEqual(rowIds((await agent.get('/console?status=all&assignee=me')).body), [made.done]);
    assert.deepEqual(rowIds((await agent.get('/console?status=all&assignee=none')).body).length, 4);
    assert.deepEqual(rowIds((await agent.get(`/console?operator=${a.operatorId}`)).body).length, 4);
    // Empty "any" choices of the form are no filter.
    const blank = await agent.get('/console?operator=&site=&kind=&channel=&assignee=&sort=');
    assert.deepEqual(rowIds(blank.body), [made.first, made.widget, made.appointment, made.noDue]);
    assert.equal((await agent.get(`/console?operator=${b.operatorId}`)).statusCode, 403);
    assert.equal((await agent.get('/console?status=bogus')).statusCode, 400);
    assert.equal((await agent.get('/console?kind=<script>')).statusCode, 400);
  });

  it('marks overdue inquiries with a class and a word, and filters them, at the exact edge', async () => {
    // made.first arrived at 09:00:00Z and is due at 09:15:00Z; now is 09:04Z.
    const due = new Date('2026-03-02T09:15:00Z').getTime();
    const before = await agent.get('/console');
    assert.doesNotMatch(before.body, /class="overdue"/);
    assert.deepEqual(rowIds((await agent.get('/console?overdue=1')).body), []);
    const now = c.env.clock.now();
    c.env.clock.set(new Date(due));
    const atEdge = await agent.get('/console?overdue=1');
    assert.deepEqual(rowIds(atEdge.body), [], 'not overdue at the due instant itself');
    c.env.clock.advance(1);
    const late = await agent.get('/console');
    assert.match(late.body, new RegExp(`<tr data-inquiry="${made.first}" class="overdue">`));
    assert.match(late.body, /<span class="badge badge-overdue">просрочено<\/span>/);
    assert.doesNotMatch(late.body, new RegExp(`<tr data-inquiry="${made.widget}" class="overdue">`));
    assert.deepEqual(rowIds((await agent.get('/console?overdue=1')).body), [made.first]);
    c.env.clock.set(now);
  });

  it('pages by keyset with a "next page" link, in both orders', async () => {
    const { a } = c;
    const extra: string[] = [];
    for (let i = 0; i < 50; i++) extra.push(await c.submit(a));
    try {
      for (const [sort, first] of [
        ['due', '/console'],
        ['newest', '/console?sort=newest'],
      ] as const) {
        const p1 = await agent.get(first);
        const ids1 = rowIds(p1.body);
        assert.equal(ids1.length, 50, sort);
        const next = /<a href="([^"]+)"\s+rel="next"\s*>Следующая страница<\/a\s*>/.exec(p1.body);
        assert.ok(next, `${sort}: a next page`);
        const p2 = await agent.get(next[1]!.replace(/&amp;/g, '&'));
        assert.equal(p2.statusCode, 200);
        const ids2 = rowIds(p2.body);
        assert.equal(ids2.length, 4, sort);
        assert.equal(new Set([...ids1, ...ids2]).size, 54, `${sort}: no row twice`);
        assert.doesNotMatch(p2.body, /rel="next"/);
        // Later pages do not follow new arrivals; the first does.
        assert.doesNotMatch(p2.body, /data-live=/);
        assert.match(p1.body, /data-live="\/console\/inbox\/live/);
        if (sort === 'due') assert.equal(ids2[ids2.length - 1], made.noDue);
      }
      const bad = await agent.get('/console?cursor=bm9wZQ');
      assert.equal(bad.statusCode, 400);
    } finally {
      await c.q(`UPDATE inquiries SET status = 'spam' WHERE id = ANY ($1::uuid[])`, [extra]);
    }
  });

  it('serves the live rows of the current filter, which a new inquiry joins', async () => {
    const { a } = c;
    const before = await agent.get('/console/inbox/live?channel=widget');
    assert.equal(before.statusCode, 200);
    assert.equal(before.headers['cache-control'], 'no-store');
    assert.deepEqual(rowIds(before.body), [made.widget]);
    assert.match(before.body, /<li data-count-status="new">1<\/li>/);
    const fresh = await c.submit(a, { channel: 'widget' });
    try {
      const after = await agent.get('/console/inbox/live?channel=widget');
      assert.deepEqual(new Set(rowIds(after.body)), new Set([made.widget, fresh]));
      assert.match(after.body, /<li data-count-status="new">2<\/li>/);
      // The marker the script reveals on arrived rows.
      assert.match(after.body, /<span class="badge badge-arrived" hidden>новое<\/span>/);
      const anon = await c.browser().get('/console/inbox/live');
      assert.equal(anon.statusCode, 303);
    } finally {
      await c.q(`UPDATE inquiries SET status = 'spam' WHERE id = $1`, [fresh]);
    }
  });

  it('follows arrivals from another app instance on the same database (no state between instances)', async () => {
    const { a } = c;
    // A second instance: its own runtime, pools and services, sharing only the databases.
    const runtime = await openRuntime(c.env.config, c.env.ctx.log, { clock: c.env.clock, migrate: false });
    const other = await buildApp(runtime.ctx, { surfaces: [registerConsole], renderHtmlError });
    try {
      await other.ready();
      const cookie = [...agent.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
      const live = () =>
        other.inject({
          method: 'GET',
          url: '/console/inbox/live?channel=api',
          headers: { cookie, accept: 'text/html' },
        });
      assert.deepEqual(rowIds((await live()).body), []);
      const fresh = await c.submit(a, { channel: 'api' });
      try {
        const after = await live();
        assert.equal(after.statusCode, 200);
        assert.deepEqual(rowIds(after.body), [fresh]);
      } finally {
        await c.q(`UPDATE inquiries SET status = 'spam' WHERE id = $1`, [fresh]);
      }
    } finally {
      await other.close();
      await runtime.close();
    }
  });

  it('searches by phone or e-mail through a POST, never putting them in a URL', async () => {
    const page = await agent.get('/console');
    assert.match(page.body, /<form method="post" action="\/console\/inbox\/search" role="search">/);
    const byPhone = await agent.submit('/console', '/console/inbox/search', { q: '+7 (912) 000-00-03' });
    assert.equal(byPhone.statusCode, 200);
    assert.match(byPhone.body, /Результаты поиска/);
    assert.deepEqual(rowIds(byPhone.body), [made.appointment]);
    const byEmail = await agent.submit('/console', '/console/inbox/search', { q: ' TRETYA@example.ru ' });
    assert.deepEqual(rowIds(byEmail.body), [made.appointment]);
    const none = await agent.submit('/console', '/console/inbox/search', { q: '8 900 000-00-00' });
    assert.equal(none.statusCode, 200);
    assert.deepEqual(rowIds(none.body), []);
    assert.match(none.body, /Обращений пациента с таким телефоном или адресом почты нет/);
    // The value never appears in a link (only back in the field it was typed in).
    for (const body of [byPhone.body, byEmail.body]) {
      for (const m of body.matchAll(/href="([^"]*)"/g))
        assert.doesNotMatch(m[1]!, /9120000003|912%20000|tretya|%40/i);
    }
    const audited = await c.audit({ action: 'subject.search', actorId: agentId });
    assert.ok(audited.length >= 3);
    const bad = await agent.submit('/console', '/console/inbox/search', { q: '12345' });
    assert.equal(bad.statusCode, 400);
    assert.match(
      bad.body,
      /<p class="field-error" id="inbox-search-error">Номер телефона указан неверно\.<\/p>/,
    );
    const badMail = await agent.submit('/console', '/console/inbox/search', { q: 'a@b@c' });
    assert.match(badMail.body, /Адрес электронной почты указан неверно/);
    const empty = await agent.submit('/console', '/console/inbox/search', { q: '  ' });
    assert.equal(empty.statusCode, 400);
    assert.equal((await agent.get('/console/inbox/search?q=89120000003')).statusCode, 404);
    assert.equal((await agent.post('/console/inbox/search', { q: '89120000003' })).statusCode, 403);
  });

  it('exports the filter as CSV for the privacy officer: decrypted, formula-safe, audited per inquiry', async () => {
    const { a } = c;
    const evil = await c.submit(a, {
      formId: 'feedback',
      fields: {
        name: '=HYPERLINK("http://evil.example","клик")',
        email: 'evil@example.ru',
        message: 'текст',
      },
    });
    try {
      const page = await officer.get('/console?kind=feedback');
      assert.match(page.body, /action="\/console\/inbox\/export"/);
      assert.match(page.body, /<input type="hidden" name="kind" value="feedback" \/>/);
      const res = await officer.submit('/console', '/console/inbox/export', {
        kind: 'feedback',
        status: 'new',
      });
      assert.equal(res.statusCode, 200);
      assert.match(res.headers['content-type'] as string, /^text\/csv; charset=utf-8/);
      assert.match(
        res.headers['content-disposition'] as string,
        /^attachment; filename="inquiries-\d{8}-\d{4}\.csv"$/,
      );
      assert.equal(res.headers['cache-control'], 'no-store');
      const lines = res.body
        .replace(/^\uFEFF/, '')
        .trimEnd()
        .split('\r\n');
      assert.equal(lines.length, 2);
      assert.equal(
        lines[0],
        '"Номер";"Поступило";"Организация";"Сайт";"Вид";"Канал";"Статус";"Ответственный";"Срок первого контакта";"Просрочено";"Имя";"Телефон";"Электронная почта"',
      );
      assert.match(
        lines[1]!,
        /"Клиника «Альфа»";"inbox-a\.example";"Обратная связь";"Форма на сайте";"Новое";""/,
      );
      assert.match(lines[1]!, /;"'=HYPERLINK\(""http:\/\/evil\.example"",""клик""\)";"";"evil@example\.ru"$/);

      const all = await officer.submit('/console', '/console/inbox/export', { status: 'new' });
      const rows = all.body.trimEnd().split('\r\n').slice(1);
      assert.equal(rows.length, 5);
      assert.ok(
        rows.some((r) => r.includes(`"'+79120000003";"tretya@example.ru"`)),
        'a phone starts with +',
      );
      assert.ok(!all.body.includes('Чужая'), "not another clinic's patient");

      const entries = await c.audit({ action: 'inquiry.export' });
      assert.equal(entries.length, 1 + 5);
      assert.ok(entries.every((e) => e.operator_id === a.operatorId && e.object_id !== null));
      assert.ok(entries.some((e) => e.object_id === evil));
      const [row] = await c.q<{ subject_id: string }>(
        "SELECT subject_id FROM audit_log WHERE action = 'inquiry.export' AND object_id = $1",
        [evil],
      );
      assert.ok(row?.subject_id, 'the entry names the subject, not their data');
    } finally {
      await c.q(`UPDATE inquiries SET status = 'spam' WHERE id = $1`, [evil]);
    }
  });

  it("refuses the export to agents and to another clinic's staff, writing nothing", async () => {
    const before = (await c.audit({ action: 'inquiry.export' })).length;
    const page = await agent.get('/console');
    assert.doesNotMatch(page.body, /action="\/console\/inbox\/export"/);
    const res = await agent.submit('/console', '/console/inbox/export', { status: 'all' });
    assert.equal(res.statusCode, 403);
    const b = c.browser();
    await b.login(AGENT_B);
    const other = await b.submit('/console', '/console/inbox/export', { operator: c.a.operatorId });
    assert.equal(other.statusCode, 403);
    const noToken = await officer.post('/console/inbox/export', { status: 'all' });
    assert.equal(noToken.statusCode, 403);
    assert.equal((await c.audit({ action: 'inquiry.export' })).length, before);
  });

  it('keeps the home page for staff who read no inquiries', async () => {
    const b = c.browser();
    await b.login(MODERATOR);
    const res = await b.get('/console');
    assert.equal(res.statusCode, 200);
    assert.match(res.body, /Здравствуйте/);
    assert.match(res.body, /Модератор отзывов/);
    assert.doesNotMatch(res.body, /inbox-table|inbox\.js/);
    assert.equal((await b.get('/console/inbox/live')).statusCode, 403);
  });

  it('speaks English when asked', async () => {
    const b = c.browser();
    await b.login(AGENT);
    await b.submit('/console', '/console/lang', { lang: 'en', back: '/console' });
    const res = await b.get('/console');
    assert.match(res.body, /<h1>Inquiries<\/h1>/);
    assert.match(res.body, /By first-contact due time/);
    assert.match(res.body, /Request a call/);
    await b.submit('/console', '/console/lang', { lang: 'ru', back: '/console' });
  });
});
