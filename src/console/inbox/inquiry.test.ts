import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { testPolicy } from '../../modules/inquiries/intake.testing.ts';
import { createInboxEnv, type InboxEnv } from './inbox.testing.ts';
import type { Browser } from '../shared/console.testing.ts';

const AGENT = 'olga@clinic.example';
const AGENT2 = 'petr@clinic.example';
const AGENT_B = 'beta@clinic.example';
const OFFICER = 'irina@clinic.example';
const MODERATOR = 'moder@clinic.example';

// Every field a patient fills, hostile.
const HOSTILE = {
  name: '<script>window.__pwned=1</script>Анна',
  email: 'anna.hostile@example.ru',
  phone: '8 912 555-44-33',
  message: '"><img src=x onerror="window.__pwned=2">жалоба',
};
const REPRESENTATIVE = { representativeName: '<b>Мама</b>', relation: '"><svg onload=alert(1)>' };
const RAW = ['<script>window.__pwned', '<img src=x', '<svg onload', '<b>Мама'];

describe('the inquiry page', () => {
  let c: InboxEnv;
  let agent2Id: string;
  let agentBId: string;
  let agent: Browser;
  let inquiryId: string;
  let bInquiry: string;
  let page: string;

  const url = (op: string, id: string) => `/console/operators/${op}/inquiries/${id}`;
  const events = (id: string) =>
    c.q<{ kind: string; to_status: string | null; reason: string | null; assignee_staff_id: string | null }>(
      'SELECT kind, to_status, reason, assignee_staff_id FROM inquiry_events WHERE inquiry_id = $1 ORDER BY seq',
      [id],
    );

  before(async () => {
    c = await createInboxEnv();
    const { a, b } = c;
    await c.createStaff({
      email: AGENT,
      displayName: 'Ольга Агентова',
      roles: [{ operatorId: a.operatorId, role: 'agent' }],
    });
    agent2Id = await c.createStaff({
      email: AGENT2,
      displayName: 'Пётр <i>Второй</i>',
      roles: [{ operatorId: a.operatorId, role: 'agent' }],
    });
    agentBId = await c.createStaff({ email: AGENT_B, roles: [{ operatorId: b.operatorId, role: 'agent' }] });
    await c.createStaff({ email: OFFICER, roles: [{ operatorId: a.operatorId, role: 'privacy_officer' }] });
    await c.createStaff({ email: MODERATOR, roles: [{ operatorId: a.operatorId, role: 'moderator' }] });
    inquiryId = await c.submit(a, {
      formId: 'feedback',
      fields: HOSTILE,
      consents: { processing: true, marketing: true },
      onBehalf: REPRESENTATIVE,
      page: '/contacts?<x>',
    });
    bInquiry = await c.submit(b);
    page = url(a.operatorId, inquiryId);
    agent = c.browser();
    assert.equal((await agent.login(AGENT)).statusCode, 303);
  });
  after(() => c.close());

  it("shows the patient's data escaped, the consents and the flags, and audits the read", async () => {
    const before = (await c.audit({ action: 'inquiry.read', objectId: inquiryId })).length;
    const res = await agent.get(page);
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['cache-control'], 'no-store');
    assert.equal((await c.audit({ action: 'inquiry.read', objectId: inquiryId })).length, before + 1);
    const body = res.body;
    for (const raw of RAW) assert.ok(!body.includes(raw), `unescaped: ${raw}`);
    assert.ok(body.includes('&lt;script&gt;window.__pwned=1&lt;/script&gt;Анна'));
    assert.ok(body.includes('&quot;&gt;&lt;img src=x onerror=&quot;window.__pwned=2&quot;&gt;жалоба'));
    assert.ok(body.includes('&lt;b&gt;Мама&lt;/b&gt; (&quot;&gt;&lt;svg onload=alert(1)&gt;)'));
    assert.ok(body.includes('anna.hostile@example.ru'));
    assert.ok(body.includes('+79125554433'));
    assert.match(body, /<dt>Страница<\/dt>\s*<dd>\/contacts<\/dd>/);
    assert.match(body, /<h1>\s*Обращение № /);
    assert.match(body, /Обратная связь/);
    // Consents: which document, its version, hash and time; the representative.
    assert.match(body, /На обработку персональных данных/);
    assert.match(body, /На рекламные сообщения/);
    const p = await testPolicy(c.env, c.a.operatorId);
    const processing = p.documents.consent_processing;
    assert.ok(body.includes(`версия ${processing.version} (публикация политики ${p.declarationVersion})`));
    assert.ok(body.includes(`<code class="sha">${processing.sha256}</code>`));
    assert.ok(body.includes(`<code class="sha">${p.documents.consent_marketing.sha256}</code>`));
    assert.match(body, /<time datetime="2026-03-02T09:00:00\.000Z">02\.03\.2026, 12:00<\/time>/);
    assert.match(body, /Подано от имени другого лица/);
    assert.match(body, /может содержать сведения о здоровье/i);
    assert.doesNotMatch(body, /<script>|<style|style="/);
  });

  it('shows every kind of history event and the delivery state of messages to the patient', async () => {
    const { a } = c;
    const outboxId = randomUUID();
    const now = c.env.clock.now();
    await c.q(
      `INSERT INTO outbox (id, operator_id, channel, template, state, attempts, next_attempt_at, last_error,
         created_at, inquiry_id)
       VALUES ($1, $2, 'email', 'status_changed', 'failed', 3, $3, $4, $3, $5)`,
      [outboxId, a.operatorId, now, '550 mailbox <unavailable>', inquiryId],
    );
    await c.addEvent({
      operatorId: a.operatorId,
      inquiryId,
      kind: 'message',
      text: 'Здравствуйте! <img src=x onerror=alert(3)>',
    });
    await c.addEvent({
      operatorId: a.operatorId,
      inquiryId,
      kind: 'call',
      // As the channels module writes a call's details (CallDetails).
      text: JSON.stringify({
        type: 'call.ended',
        direction: 'inbound',
        callId: null,
        duration: 75,
        recordingRef: '<rec-42>',
      }),
    });
    await c.addEvent({
      operatorId: a.operatorId,
      inquiryId,
      kind: 'consent',
      text: JSON.stringify({
        kind: 'processing',
        channel: 'phone',
        documentVersion: 2,
        recordingRef: 'rec-43',
      }),
    });
    await c.addEvent({ operatorId: a.operatorId, inquiryId, kind: 'notification', refId: outboxId });
    const res = await agent.get(page);
    const body = res.body;
    assert.match(body, /<li data-event="message">/);
    assert.ok(body.includes('Здравствуйте! &lt;img src=x onerror=alert(3)&gt;'));
    assert.match(body, /<li data-event="call">/);
    assert.match(body, /<dt>Событие<\/dt>\s*<dd>звонок завершён<\/dd>/);
    assert.match(body, /<dt>Направление<\/dt>\s*<dd>входящий<\/dd>/);
    assert.match(body, /<dt>Идентификатор звонка<\/dt>\s*<dd>—<\/dd>/);
    assert.match(body, /<dt>Длительность, с<\/dt>\s*<dd>75<\/dd>/);
    assert.match(body, /<dt>Запись разговора<\/dt>\s*<dd>&lt;rec-42&gt;<\/dd>/);
    assert.match(body, /<li data-event="consent">/);
    assert.match(body, /<dt>Согласие<\/dt>\s*<dd>на обработку персональных данных<\/dd>/);
    assert.match(body, /<dt>Версия документа<\/dt>\s*<dd>2<\/dd>/);
    assert.match(body, /<li data-event="notification">/);
    assert.match(body, /Электронная почта, status_changed: не доставлено/);
    assert.match(body, new RegExp(`<tr data-delivery="${outboxId}" data-state="failed">`));
    assert.ok(body.includes('550 mailbox &lt;unavailable&gt;'));
    assert.match(body, /<td>3<\/td>/);
  });

  it('changes the status, requiring a reason for rejected and spam, with the error beside the field', async () => {
    const missing = await agent.submit(page, `${page}/status`, { to: 'rejected', reason: '' });
    assert.equal(missing.statusCode, 400);
    assert.match(
      missing.body,
      /<p class="field-error" id="status-reason-error">\s*Укажите причину: она обязательна для статусов «Отклонено» и «Спам»\.\s*<\/p>/,
    );
    assert.match(missing.body, /aria-invalid="true" aria-describedby="status-reason-error"/);
    assert.match(missing.body, /<option value="rejected" selected>/);
    assert.deepEqual(
      (await events(inquiryId)).filter((e) => e.kind === 'status'),
      [],
    );

    const ok = await agent.submit(page, `${page}/status`, { to: 'in_progress', reason: 'duplicate' });
    assert.equal(ok.statusCode, 303);
    assert.equal(ok.headers.location, `${page}?m=status-changed`);
    const same = await agent.submit(page, `${page}/status`, { to: 'in_progress' });
    assert.equal(same.headers.location, `${page}?m=status-same`);
    const spam = await agent.submit(page, `${page}/status`, { to: 'spam', reason: 'advertising' });
    assert.equal(spam.statusCode, 303);
    const statuses = (await events(inquiryId)).filter((e) => e.kind === 'status');
    assert.deepEqual(
      statuses.map((e) => [e.to_status, e.reason]),
      [
        ['in_progress', null],
        ['spam', 'advertising'],
      ],
    );
    const shown = await agent.get(`${page}?m=status-changed`);
    assert.match(shown.body, /Статус изменён\./);
    assert.match(shown.body, /В работе\s*→\s*Спам/);
    assert.match(shown.body, /Реклама/);
    assert.equal((await agent.submit(page, `${page}/status`, { to: 'bogus' })).statusCode, 400);
    await agent.submit(page, `${page}/status`, { to: 'new' });
  });

  it('adds notes, refusing an empty one beside the field and keeping what was typed', async () => {
    const empty = await agent.submit(page, `${page}/notes`, { text: '   ' });
    assert.equal(empty.statusCode, 400);
    assert.match(empty.body, /<p class="field-error" id="note-error">Заметка пуста\.<\/p>/);
    const long = 'я'.repeat(5001);
    const tooLong = await agent.submit(page, `${page}/notes`, { text: long });
    assert.equal(tooLong.statusCode, 400);
    assert.match(tooLong.body, /не больше 5000 символов/);
    assert.ok(tooLong.body.includes(`${long}</textarea>`), 'the typed note comes back');
    const ok = await agent.submit(page, `${page}/notes`, { text: 'Перезвонить <b>после 18:00</b>' });
    assert.equal(ok.statusCode, 303);
    assert.equal(ok.headers.location, `${page}?m=note-added`);
    const shown = await agent.get(ok.headers.location);
    assert.ok(shown.body.includes('Перезвонить &lt;b&gt;после 18:00&lt;/b&gt;'));
    assert.match(shown.body, /Заметка добавлена\./);
  });

  it('assigns to me, to a colleague, to nobody, and refuses someone who may not be assigned', async () => {
    const me = await agent.submit(page, `${page}/assign`, { assignee: 'me' });
    assert.equal(me.statusCode, 303);
    let shown = await agent.get(page);
    assert.match(shown.body, /Сейчас:\s*Ольга Агентова/);
    assert.doesNotMatch(shown.body, /value="me"/, 'no "assign me" when already assigned');
    assert.equal((await agent.submit(page, `${page}/assign`, { assignee: agent2Id })).statusCode, 303);
    shown = await agent.get(page);
    assert.match(shown.body, /Сейчас:\s*Пётр &lt;i&gt;Второй&lt;\/i&gt;/);
    const refused = await agent.submit(page, `${page}/assign`, { assignee: agentBId });
    assert.equal(refused.statusCode, 400);
    assert.match(
      refused.body,
      /<p class="field-error" id="assign-error">Этому сотруднику нельзя назначить обращение\.<\/p>/,
    );
    assert.equal((await agent.submit(page, `${page}/assign`, { assignee: 'none' })).statusCode, 303);
    const assigns = (await events(inquiryId)).filter((e) => e.kind === 'assign');
    assert.equal(assigns.length, 3);
    assert.equal(assigns[2]!.assignee_staff_id, null);
  });

  it('offers the verbal-consent form with the field names the channels module reads', async () => {
    const body = (await agent.get(page)).body;
    const form = /<form method="post" action="([^"]+\/verbal-consent)"[\s\S]*?<\/form>/.exec(body);
    assert.ok(form, 'the verbal consent form');
    assert.equal(form[1], `${page}/verbal-consent`);
    assert.match(form[0], /name="_csrf"/);
    assert.match(form[0], /name="kind" value="processing"/);
    assert.match(form[0], /name="kind" value="marketing"/);
    assert.match(form[0], /name="recordingRef"[^>]*required/);
  });

  it("answers 404 for another clinic's inquiry however it is asked, changing nothing", async () => {
    const { a, b } = c;
    const beta = c.browser();
    await beta.login(AGENT_B);
    const notFound = [
      await beta.get(page),
      await agent.get(url(b.operatorId, bInquiry)),
      await agent.get(url(a.operatorId, bInquiry)),
      await agent.get(url(b.operatorId, inquiryId)),
      await agent.get(url(a.operatorId, 'not-a-uuid')),
      await agent.get(url('nope', inquiryId)),
      await agent.get(url(a.operatorId, randomUUID())),
    ];
    for (const r of notFound) {
      assert.equal(r.statusCode, 404);
      assert.match(r.body, /Страница не найдена/);
      assert.ok(!r.body.includes('Анна'));
    }
    const before = await events(inquiryId);
    const token = await beta.csrfFrom('/console');
    for (const [path, fields] of [
      ['status', { to: 'done' }],
      ['notes', { text: 'чужая заметка' }],
      ['assign', { assignee: 'me' }],
    ] as const) {
      const r = await beta.post(`${page}/${path}`, { _csrf: token, ...fields });
      assert.equal(r.statusCode, 404, path);
    }
    assert.deepEqual(await events(inquiryId), before);
    assert.equal((await c.audit({ action: 'inquiry.read', objectId: bInquiry })).length, 0);
  });

  it('is read-only for a privacy officer, forbidden to a moderator, and needs the CSRF token', async () => {
    const officer = c.browser();
    await officer.login(OFFICER);
    const res = await officer.get(page);
    assert.equal(res.statusCode, 200);
    assert.match(res.body, /доступ только для чтения/);
    assert.doesNotMatch(res.body, /action="[^"]+\/status"/);
    const token = await officer.csrfFrom('/console');
    assert.equal((await officer.post(`${page}/status`, { _csrf: token, to: 'done' })).statusCode, 403);
    const moderator = c.browser();
    await moderator.login(MODERATOR);
    assert.equal((await moderator.get(page)).statusCode, 403);
    assert.equal((await agent.post(`${page}/status`, { to: 'done' })).statusCode, 403);
    assert.equal((await agent.post(`${page}/notes`, { text: 'x' })).statusCode, 403);
  });

  it('speaks English when asked', async () => {
    const b = c.browser();
    await b.login(AGENT2);
    await b.submit('/console', '/console/lang', { lang: 'en', back: page });
    const res = await b.get(page);
    assert.match(res.body, /<html lang="en">/);
    assert.match(res.body, /Inquiry no\. /);
    assert.match(res.body, /Processing of personal data/);
    assert.match(res.body, /02\/03\/2026, 12:00/);
  });
});
