import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { systemPrincipal } from '../../modules/staff/index.ts';
import { createSiteEnv, type SiteEnv } from '../../web/web.testing.ts';
import { csrfOf, PASSWORD, type Browser } from '../shared/console.testing.ts';

const ADMIN = 'admin@email-off.example';
const NOTICE = /id="email-off"[^>]*>Электронная почта не настроена: письма пациентам не отправляются/;

// Without SMTP nothing would ever send an e-mail: none is queued, the site promises none, and the
// console says so where staff expect e-mail to go out.
describe('e-mail not configured (no SMTP_HOST)', () => {
  let s: SiteEnv;
  let admin: Browser;
  let inquiryId: string;

  const outboxRows = async () => {
    const db = await s.env.admin();
    const { rows } = await db.query<{ n: string }>(
      `SELECT count(*) AS n FROM outbox WHERE channel = 'email'`,
    );
    return Number(rows[0]!.n);
  };

  before(async () => {
    s = await createSiteEnv({ env: { SMTP_HOST: '' } });
    assert.equal(s.env.config.smtp, undefined);
    await s.publish();
    await s.env.ctx.services.staff.create(systemPrincipal('test'), {
      email: ADMIN,
      displayName: 'Анна Петрова',
      password: PASSWORD,
      installationAdmin: false,
      roles: [
        { operatorId: s.operatorId, role: 'administrator' },
        { operatorId: s.operatorId, role: 'agent' },
      ],
    });
    admin = s.browser('127.0.0.5');
    assert.equal((await admin.login(ADMIN)).statusCode, 303);
  });
  after(() => s.close());

  it('takes a form with an e-mail, queues no confirmation and promises none', async () => {
    const b = s.browser('192.0.2.60');
    const token = await s.filledFormToken(b, '/contacts', '/forms/feedback');
    const res = await b.post('/forms/feedback', {
      _form_token: token,
      _page: 'contacts',
      website: '',
      name: 'Ирина Почтова',
      email: 'irina@example.com',
      message: 'Есть ли у вас МРТ?',
      consent_processing: 'yes',
    });
    assert.equal(res.statusCode, 303);
    assert.equal(await outboxRows(), 0, 'no e-mail waits in the outbox');
    const thanks = await b.get('/thanks?form=feedback');
    assert.match(thanks.body, /Спасибо, заявка отправлена/);
    assert.doesNotMatch(thanks.body, /подтверждение/);
    const db = await s.env.admin();
    const { rows } = await db.query<{ id: string }>(
      'SELECT id FROM inquiries ORDER BY created_at DESC LIMIT 1',
    );
    inquiryId = rows[0]!.id;
  });

  it('leaves the e-mail status notice out', async () => {
    const r = await s.env.ctx.services.inquiries.changeStatus(
      systemPrincipal('test'),
      s.operatorId,
      inquiryId,
      {
        to: 'in_progress',
      },
    );
    assert.equal(r.changed, true);
    assert.equal(await outboxRows(), 0);
  });

  it('says so on the console home, the inquiry and the notifications pages; a mailing is refused', async () => {
    const home = await admin.get('/console');
    assert.equal(home.statusCode, 200);
    assert.match(home.body, NOTICE);
    const inquiry = await admin.get(`/console/operators/${s.operatorId}/inquiries/${inquiryId}`);
    assert.equal(inquiry.statusCode, 200);
    assert.match(inquiry.body, NOTICE);
    const url = `/console/operators/${s.operatorId}/notifications`;
    const page = await admin.get(url);
    assert.match(page.body, NOTICE);
    const sent = await admin.post(`${url}/marketing`, {
      _csrf: csrfOf(page.body),
      subject: 'Новая услуга',
      text: 'Теперь у нас есть МРТ.',
    });
    assert.equal(sent.statusCode, 409);
    assert.match(sent.body, /Рассылка не отправлена: электронная почта не настроена/);
    assert.match(sent.body, /Теперь у нас есть МРТ\./, 'the typed mailing stays in the form');
    assert.equal(await outboxRows(), 0);
  });
});
