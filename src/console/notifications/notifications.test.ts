import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createConsoleEnv, csrfOf, type Browser, type ConsoleEnv } from '../shared/console.testing.ts';

const ADMIN = 'admin@notify.example';
const AGENT = 'agent@notify.example';
const HOSTILE = '<script>alert(1)</script>';

describe('console: patient notifications', () => {
  let c: ConsoleEnv;
  let operatorId: string;
  let admin: Browser;
  let agent: Browser;
  let url: string;

  before(async () => {
    c = await createConsoleEnv();
    operatorId = await c.createOperator({ slug: 'notify-clinic', name: `Клиника ${HOSTILE}` });
    await c.createStaff({ email: ADMIN, roles: [{ operatorId, role: 'administrator' }] });
    await c.createStaff({ email: AGENT, roles: [{ operatorId, role: 'agent' }] });
    admin = c.browser();
    assert.equal((await admin.login(ADMIN)).statusCode, 303);
    agent = c.browser({ ip: '127.0.0.2' });
    assert.equal((await agent.login(AGENT)).statusCode, 303);
    url = `/console/operators/${operatorId}/notifications`;
  });
  after(() => c.close());

  const csrf = async (b: Browser) => csrfOf((await b.get(url)).body);

  it('lists the organisations the reader sets up, and shows the settings and every template', async () => {
    const index = await admin.get('/console/notifications');
    assert.equal(index.statusCode, 200);
    assert.ok(index.body.includes(`href="${url}"`));
    assert.ok(index.body.includes('&lt;script&gt;alert(1)&lt;/script&gt;'));
    assert.ok(!index.body.includes(HOSTILE));
    assert.match(index.body, /href="\/console\/notifications"\s+aria-current="page"/);
    const page = await admin.get(url);
    assert.equal(page.statusCode, 200);
    for (const s of ['in_progress', 'waiting_patient', 'appointment_made', 'done', 'rejected']) {
      for (const f of ['email', 'short']) assert.ok(page.body.includes(`id="tpl-${s}-${f}"`), `${s} ${f}`);
    }
    assert.ok(!page.body.includes('tpl-spam'), 'spam is never answered');
    assert.match(page.body, /id="settings-quietStart"[^>]*value="21:00"/);
    assert.match(page.body, /id="settings-quietEnd"[^>]*value="09:00"/);
    assert.match(page.body, /id="settings-quietEnabled"[^>]*checked/);
    assert.doesNotMatch(page.body, /id="settings-smsNotices"[^>]*checked/);
    assert.ok(page.body.includes('{clinic_name}: заявка № {inquiry_number} — {status_title}.'));
  });

  it('is refused to staff without notification.manage, and its forms need the CSRF token', async () => {
    assert.equal((await agent.get(url)).statusCode, 403);
    const forAgent = await agent.get('/console/notifications');
    assert.ok(!forAgent.body.includes(url));
    const agentCsrf = csrfOf((await agent.get('/console')).body);
    const byAgent = await agent.post(`${url}/settings`, {
      _csrf: agentCsrf,
      quietStart: '21:00',
      quietEnd: '09:00',
      clinicPhone: '',
    });
    assert.equal(byAgent.statusCode, 403);
    const noToken = await admin.post(`${url}/settings`, {
      quietStart: '21:00',
      quietEnd: '09:00',
      clinicPhone: '',
    });
    assert.equal(noToken.statusCode, 403);
    assert.deepEqual(await c.audit({ action: 'notification.settings' }), []);
  });

  it('a template with an unknown placeholder comes back with the error beside the field, escaped', async () => {
    const res = await admin.post(`${url}/templates`, {
      _csrf: await csrf(admin),
      status: 'done',
      family: 'short',
      enabled: 'on',
      body: `Готово ${HOSTILE} {patient_name}`,
      action: 'save',
    });
    assert.equal(res.statusCode, 400);
    assert.match(res.body, /role="alert"/);
    assert.match(
      res.body,
      /id="tpl-done-short-body"[^>]*aria-invalid="true"[^>]*aria-describedby="tpl-done-short-body-error"/,
    );
    assert.match(
      res.body,
      /<p class="field-error" id="tpl-done-short-body-error">Неизвестная подстановка \{patient_name\}/,
    );
    assert.ok(
      res.body.includes('Готово &lt;script&gt;alert(1)&lt;/script&gt; {patient_name}'),
      'typed text kept',
    );
    assert.ok(!res.body.includes(HOSTILE));
    assert.deepEqual(await c.audit({ action: 'notification.template' }), []);
  });

  it('preview renders the text as the patient would read it and saves nothing', async () => {
    const res = await admin.post(`${url}/templates`, {
      _csrf: await csrf(admin),
      status: 'appointment_made',
      family: 'email',
      enabled: 'on',
      subject: '{clinic_name}: {status_title}',
      body: 'Заявка № {inquiry_number}.\nТел. {clinic_phone}',
      action: 'preview',
    });
    assert.equal(res.statusCode, 200);
    assert.ok(
      res.body.includes(
        '<strong>Клиника &lt;script&gt;alert(1)&lt;/script&gt;: вы записаны на приём</strong>',
      ),
    );
    // No clinic phone yet: its line is left out.
    assert.match(res.body, /<pre>Заявка № 12345\.<\/pre>/);
    const view = await c.env.ctx.services.notifications.getSettings(
      { kind: 'system', name: 'test' },
      operatorId,
    );
    assert.equal(
      view.templates.find((t) => t.status === 'appointment_made' && t.family === 'email')!.custom,
      false,
    );
  });

  it('saves an own text and a switch, and restores the default', async () => {
    const saved = await admin.post(`${url}/templates`, {
      _csrf: await csrf(admin),
      status: 'rejected',
      family: 'short',
      body: '{clinic_name}: заявка № {inquiry_number} закрыта.',
      action: 'save',
    });
    assert.equal(saved.statusCode, 303);
    assert.equal(saved.headers.location, `${url}?m=saved#tpl-rejected-short`);
    let page = (await admin.get(`${url}?m=saved`)).body;
    assert.match(page, /Шаблон сохранён/);
    assert.match(page, /id="tpl-rejected-short"[\s\S]*?Свой текст/);
    assert.doesNotMatch(page, /id="tpl-rejected-short-enabled"[^>]*checked/);
    assert.ok(page.includes('{clinic_name}: заявка № {inquiry_number} закрыта.'));
    assert.equal((await c.audit({ action: 'notification.template' })).length, 1);

    const reset = await admin.post(`${url}/templates`, {
      _csrf: await csrf(admin),
      status: 'rejected',
      family: 'short',
      enabled: 'on',
      body: 'ignored',
      action: 'reset',
    });
    assert.equal(reset.statusCode, 303);
    page = (await admin.get(url)).body;
    assert.ok(!page.includes('закрыта.</textarea'));
    assert.match(page, /id="tpl-rejected-short-enabled"[^>]*checked/);
  });

  it('settings: quiet hours that start and end together are refused beside the field; valid ones are saved', async () => {
    const bad = await admin.post(`${url}/settings`, {
      _csrf: await csrf(admin),
      quietEnabled: 'on',
      quietStart: '22:00',
      quietEnd: '22:00',
      smsNotices: 'on',
      clinicPhone: '+7 (4912) 55-66-77',
    });
    assert.equal(bad.statusCode, 400);
    assert.match(
      bad.body,
      /<p class="field-error" id="settings-quietEnd-error">Начало и конец тихих часов совпадают/,
    );
    assert.match(bad.body, /id="settings-smsNotices"[^>]*checked/, 'what was typed is kept');
    const badPhone = await admin.post(`${url}/settings`, {
      _csrf: await csrf(admin),
      quietStart: '22:00',
      quietEnd: '08:00',
      clinicPhone: HOSTILE,
    });
    assert.equal(badPhone.statusCode, 400);
    assert.match(badPhone.body, /id="settings-clinicPhone-error"/);
    assert.ok(!badPhone.body.includes(HOSTILE));

    const ok = await admin.post(`${url}/settings`, {
      _csrf: await csrf(admin),
      quietEnabled: 'on',
      quietStart: '22:00',
      quietEnd: '08:00',
      smsNotices: 'on',
      clinicPhone: '+7 (4912) 55-66-77',
    });
    assert.equal(ok.statusCode, 303);
    const page = (await admin.get(`${url}?m=settings`)).body;
    assert.match(page, /Настройки сохранены/);
    assert.match(page, /id="settings-quietStart"[^>]*value="22:00"/);
    assert.match(page, /id="settings-smsNotices"[^>]*checked/);
    assert.equal((await c.audit({ action: 'notification.settings' })).length, 1);
    // The outbox sees the new hours at once.
    const at = await c.env.ctx.services.outbox.quietHours!.nextAllowed(
      operatorId,
      new Date('2026-03-16T19:30:00Z'),
    );
    assert.equal(at.toISOString(), '2026-03-17T05:00:00.000Z');
  });

  it('marketing: empty texts refused beside the fields; a send redirects with the count', async () => {
    const bad = await admin.post(`${url}/marketing`, { _csrf: await csrf(admin), subject: '', text: ' ' });
    assert.equal(bad.statusCode, 400);
    assert.match(bad.body, /id="marketing-subject-error"/);
    assert.match(bad.body, /id="marketing-text-error"/);
    const ok = await admin.post(`${url}/marketing`, {
      _csrf: await csrf(admin),
      subject: 'Новости {clinic_name}',
      text: 'Теперь у нас МРТ.',
    });
    assert.equal(ok.statusCode, 303);
    assert.equal(ok.headers.location, `${url}?m=queued&n=0`);
    assert.match((await admin.get(ok.headers.location)).body, /Поставлено в очередь писем: 0\./);
  });
});
