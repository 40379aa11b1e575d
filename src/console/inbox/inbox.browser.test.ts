import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { Secret, TOTP } from 'otpauth';
import type { Browser as Chromium, Page } from 'playwright-core';
import { createTestEnv, type TestEnv } from '../../../test/harness.ts';
import { launchChromium, seriousA11yViolations } from '../../../test/browser.ts';
import { SURFACES } from '../../composition/surfaces.ts';
import {
  callback,
  insertOperatorWithSite,
  policySource,
  testIntake,
  testPolicy,
  type TestOperator,
} from '../../modules/inquiries/intake.testing.ts';
import type { IntakeService } from '../../modules/inquiries/index.ts';
import { createEmailSender, type EmailSender } from '../../modules/outbox/index.ts';
import { dispatcher } from '../../modules/notifications/notifications.testing.ts';
import { startTestSmtp, type TestSmtp } from '../../modules/outbox/outbox.testing.ts';
import { startFakeTelegram } from '../../modules/outbox/senders/fake-providers.testing.ts';
import { createMessagingSenders } from '../../modules/outbox/index.ts';
import { systemPrincipal } from '../../modules/staff/index.ts';
import { DEMO_DECLARATION } from '../../modules/policy/index.ts';
import { Browser } from '../shared/console.testing.ts';
import { renderHtmlError } from '../index.ts';

const AGENT = { email: 'live.agent@clinic.example', password: 'пароль-агента-для-браузера-2026' };
const PATIENT_EMAIL = 'patient.live@example.ru';
// Would run if the page ever inserted it as markup; the tests check that it never does.
const HOSTILE_NAME = '<img src=x onerror="window.__pwned=1">Анна';
const HOSTILE_MESSAGE = '<script>window.__pwned=2</script>"><svg onload="window.__pwned=3">';

/** The text of a mail's body, decoded from quoted-printable or base64 (as nodemailer writes it). */
function bodyText(raw: string): string {
  const [head, ...rest] = raw.split(/\r?\n\r?\n/);
  const body = rest.join('\n\n');
  if (/content-transfer-encoding:\s*base64/i.test(head!)) {
    return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
  }
  if (/content-transfer-encoding:\s*quoted-printable/i.test(head!)) {
    const bytes = body
      .replace(/=\r?\n/g, '')
      .replace(/=([0-9A-F]{2})/gi, (_m, h: string) => String.fromCharCode(parseInt(h, 16)));
    return Buffer.from(bytes, 'latin1').toString('utf8');
  }
  return body;
}

describe('the inbox in real Chromium', () => {
  let env: TestEnv;
  let chromium: Chromium;
  let base: string;
  let op: TestOperator;
  let intake: IntakeService;
  let smtp: TestSmtp;
  let email: EmailSender;
  let secret: string;

  const totp = (): string =>
    new TOTP({ secret: Secret.fromBase32(secret), digits: 6, period: 30 }).generate({
      timestamp: env.clock.now().getTime(),
    });

  const submit = async (fields: Record<string, string>): Promise<string> => {
    const r = await intake.submit(callback(op, { formId: 'feedback', fields }));
    assert.equal(r.kind, 'created');
    return (r as { inquiryId: string }).inquiryId;
  };

  before(async () => {
    env = await createTestEnv();
    op = await insertOperatorWithSite(env, 'live-clinic');
    intake = testIntake(env, policySource({ [op.operatorId]: await testPolicy(env, op.operatorId) }));
    await env.ctx.services.staff.create(systemPrincipal('test'), {
      email: AGENT.email,
      displayName: 'Ольга Живая',
      password: AGENT.password,
      installationAdmin: false,
      roles: [{ operatorId: op.operatorId, role: 'agent' }],
    });
    const app = await env.app({ surfaces: SURFACES, renderHtmlError });
    base = await app.listen({ port: 0, host: '127.0.0.1' });

    // Two-factor enrolment over HTTP, as the mfa tests do; the browser then signs in with a code.
    const enrol = new Browser(app, '127.0.0.1');
    assert.equal((await enrol.login(AGENT.email, AGENT.password)).statusCode, 303);
    await enrol.submit('/console/mfa', '/console/mfa/enrol', {});
    const page = await enrol.get('/console/mfa');
    secret = /id="totp-secret">([A-Z2-7 ]+)</.exec(page.body)![1]!.replace(/ /g, '');
    const confirmed = await enrol.submit('/console/mfa', '/console/mfa/confirm', { code: totp() });
    assert.equal(confirmed.statusCode, 200);
    // The next code, so that the sign-in is not a replay of the enrolment's.
    env.clock.advance(30_000);

    smtp = await startTestSmtp();
    email = createEmailSender(
      {
        host: '127.0.0.1',
        port: smtp.port,
        secure: false,
        user: undefined,
        password: undefined,
        from: 'clinic@example.ru',
      },
      { timeoutMs: 5000 },
    );
    chromium = await launchChromium();
  });
  after(async () => {
    email?.close();
    await smtp?.close();
    await chromium?.close();
    await env.close();
  });

  const signIn = async (page: Page): Promise<void> => {
    await page.goto(`${base}/console`);
    await page.getByLabel('Электронная почта').fill(AGENT.email);
    await page.getByLabel('Пароль').fill(AGENT.password);
    await page.getByRole('button', { name: 'Войти' }).click();
    await page.waitForURL(`${base}/console/login/mfa`);
    await page.getByLabel('Код подтверждения').fill(totp());
    await page.getByRole('button', { name: 'Подтвердить' }).click();
    await page.waitForURL(`${base}/console`);
  };

  it('signs in with two factors, sees a new inquiry arrive, opens it by keyboard and changes its status', async () => {
    const earlier = await submit({ name: 'Ранняя', email: 'early@example.ru', message: 'первое' });
    const context = await chromium.newContext({ locale: 'ru-RU' });
    const page = await context.newPage();
    const dialogs: string[] = [];
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    // The page's timers run on a clock the test moves, so the poll happens when the test says.
    await page.clock.install();
    await signIn(page);

    const rows = page.locator('#inbox-table tbody tr[data-inquiry]');
    assert.equal(await rows.count(), 1);
    assert.equal(await rows.first().getAttribute('data-inquiry'), earlier);
    assert.deepEqual(await seriousA11yViolations(page), []);

    // A patient writes while the agent looks at the list.
    const fresh = await submit({ name: HOSTILE_NAME, email: PATIENT_EMAIL, message: HOSTILE_MESSAGE });
    const focusBefore = await page.evaluate(() => document.activeElement?.tagName);
    await page.clock.runFor(10_000);
    const arrived = page.locator(`#inbox-table tr[data-inquiry="${fresh}"]`);
    await arrived.waitFor({ state: 'attached', timeout: 10_000 });
    assert.equal(await rows.count(), 2);
    assert.match((await arrived.getAttribute('class')) ?? '', /arrived/);
    assert.equal(await arrived.locator('.badge-arrived').isVisible(), true);
    assert.equal(await page.locator('#inbox-live').textContent(), 'Новых обращений в списке: 1');
    assert.equal(await page.locator('#inbox-live').getAttribute('aria-live'), 'polite');
    assert.equal(await page.locator('[data-count="new"]').textContent(), '2');
    assert.equal(await page.evaluate(() => document.activeElement?.tagName), focusBefore, 'focus not moved');
    // Another poll adds nothing twice.
    await page.clock.runFor(10_000);
    await page.waitForTimeout(300);
    assert.equal(await rows.count(), 2);

    // "/" goes to the search; j typed there is text, not a shortcut.
    await page.keyboard.press('/');
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'inbox-search');
    await page.keyboard.type('j');
    assert.equal(await page.locator('#inbox-search').inputValue(), 'j');
    await page.locator('#inbox-search').fill('');
    await page.locator('#inbox-search').blur();

    // j / k move through the rows; Enter opens the one with focus.
    const order = await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-inquiry')));
    const target = order.indexOf(fresh);
    const focusedRow = () =>
      page.evaluate(() => document.activeElement?.closest('tr')?.getAttribute('data-inquiry'));
    for (let i = 0; i <= target; i++) await page.keyboard.press('j');
    assert.equal(await focusedRow(), fresh);
    await page.keyboard.press('k');
    assert.equal(await focusedRow(), order[Math.max(0, target - 1)], 'k goes back (and stops at the top)');
    if (target > 0) await page.keyboard.press('j');
    assert.equal(await focusedRow(), fresh);
    mkdirSync('.test-data', { recursive: true });
    await page.screenshot({ path: '.test-data/console-inbox.png', fullPage: true });
    await page.keyboard.press('Enter');
    await page.waitForURL(`${base}/console/operators/${op.operatorId}/inquiries/${fresh}`);

    // The hostile name and message are text on the page, never markup.
    assert.match(await page.locator('main').innerText(), /<img src=x onerror="window\.__pwned=1">Анна/);
    assert.match(await page.locator('main').innerText(), /<script>window\.__pwned=2<\/script>/);
    assert.equal(await page.locator('main img').count(), 0);
    assert.equal(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned), undefined);
    assert.deepEqual(await seriousA11yViolations(page), []);
    await page.screenshot({ path: '.test-data/console-inquiry.png', fullPage: true });

    // A status change takes a reason for "rejected": refused beside the field first.
    await page.getByLabel('Новый статус').selectOption('rejected');
    await page.getByRole('button', { name: 'Изменить статус' }).click();
    assert.match(await page.locator('#status-reason-error').innerText(), /Укажите причину/);
    await page.getByLabel('Новый статус').selectOption('in_progress');
    await page.getByRole('button', { name: 'Изменить статус' }).click();
    await page.waitForURL(/\?m=status-changed$/);
    assert.match(await page.locator('main').innerText(), /Статус изменён\./);
    assert.match(await page.locator('h1').innerText(), /В работе/);
    assert.equal(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned), undefined);
    assert.deepEqual(dialogs, []);

    // The status notice goes out through the outbox to a real SMTP server.
    await dispatcher(env, [email]).run();
    await page.reload();
    const notice = page.locator('table.deliveries tbody tr:has(code:text-is("status.in_progress"))');
    assert.equal(await notice.count(), 1);
    assert.equal(await notice.getAttribute('data-state'), 'sent');
    assert.match(await notice.innerText(), /отправлено/);
    const outboxId = (await notice.getAttribute('data-delivery'))!;
    const mails = smtp.received.filter((m) =>
      new RegExp(`X-Soglasie-Outbox-Id: ${outboxId}`, 'i').test(m.raw),
    );
    assert.equal(mails.length, 1, 'the status notice arrived once');
    assert.deepEqual(mails[0]!.to, [PATIENT_EMAIL]);
    assert.match(bodyText(mails[0]!.raw), /принята в работу/);
    await context.close();
  });

  it('answers a patient who wrote on Telegram there: the status notice reaches the Bot API', async () => {
    // The clinic's bot, connected with its API pointing at a local server that speaks the Bot API.
    const telegram = await startFakeTelegram();
    const botToken = `424242:${'B'.repeat(35)}`;
    try {
      // The clinic publishes its documents, so there is a consent text to record consent to.
      await env.ctx.services.policy.saveDraft(systemPrincipal('test'), op.operatorId, DEMO_DECLARATION);
      await env.ctx.services.policy.publish(systemPrincipal('test'), op.operatorId);
      const { connection, secrets } = await env.ctx.services.channels.connect(
        systemPrincipal('test'),
        op.operatorId,
        { provider: 'telegram', botToken, apiBaseUrl: telegram.baseUrl },
      );
      const secretToken = secrets.find((x) => x.name === 'webhookSecret')!.value;
      // The patient writes to the bot; Telegram delivers the update to the webhook over HTTP.
      const chatId = 700_100_200;
      const update = await fetch(`${base}${new URL(connection.webhookUrl).pathname}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': secretToken },
        body: JSON.stringify({
          update_id: 9001,
          message: {
            message_id: 1,
            date: Math.floor(env.clock.now().getTime() / 1000),
            from: { id: chatId, is_bot: false, first_name: 'Тимур' },
            chat: { id: chatId, type: 'private', first_name: 'Тимур' },
            text: 'Здравствуйте, можно записаться на МРТ?',
          },
        }),
      });
      assert.equal(update.status, 200);
      const admin = await env.admin();
      const { rows } = await admin.query<{ id: string }>(
        `SELECT id FROM inquiries WHERE operator_id = $1 AND channel = 'telegram'`,
        [op.operatorId],
      );
      assert.equal(rows.length, 1, 'the message opened an inquiry');
      const inquiryId = rows[0]!.id;

      const context = await chromium.newContext({ locale: 'ru-RU' });
      const page = await context.newPage();
      env.clock.advance(30_000);
      await signIn(page);
      await page.locator(`#inbox-table tr[data-inquiry="${inquiryId}"] a`).first().click();
      await page.waitForURL(`${base}/console/operators/${op.operatorId}/inquiries/${inquiryId}`);
      assert.match(await page.locator('main').innerText(), /можно записаться на МРТ/);
      // No consent yet, so no status notice would go: the agent calls back and records the
      // patient's verbal consent with the call's recording as evidence.
      await page.getByLabel('Согласие на обработку персональных данных').check();
      await page.getByLabel('Идентификатор или ссылка на запись звонка').fill('rec-2026-11-21-0042');
      await page.getByRole('button', { name: 'Записать согласие' }).click();
      await page.waitForURL(`${base}/console/operators/${op.operatorId}/inquiries/${inquiryId}**`);
      assert.match(await page.locator('main').innerText(), /Согласие записано\./);
      await page.getByLabel('Новый статус').selectOption('appointment_made');
      await page.getByRole('button', { name: 'Изменить статус' }).click();
      await page.waitForURL(/\?m=status-changed$/);

      await dispatcher(env, [
        email,
        ...createMessagingSenders(env.ctx.services.channels, { timeoutMs: 5000 }),
      ]).run();
      // The first reply carried the consent link; the status notice went to the same chat.
      const notices = telegram.received.filter((m) => m.text.includes(' приём'));
      assert.equal(
        notices.length,
        1,
        `the status notice reached the Bot API once: ${telegram.received.length} in all`,
      );
      assert.equal(notices[0]!.chatId, String(chatId));
      assert.equal(notices[0]!.token, botToken);
      await page.reload();
      const row = page.locator('table.deliveries tbody tr:has(code:text-is("status.appointment_made"))');
      assert.equal(await row.getAttribute('data-state'), 'sent');
      await context.close();
    } finally {
      await telegram.close();
    }
  });

  it('works without JavaScript: the list, a refresh link and the forms', async () => {
    const context = await chromium.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    env.clock.advance(30_000);
    await signIn(page);
    assert.ok((await page.locator('#inbox-table tbody tr[data-inquiry]').count()) >= 1);
    await page.getByRole('link', { name: 'Обновить список' }).click();
    await page.waitForURL(`${base}/console`);
    await page.getByLabel('Порядок').selectOption('newest');
    await page.getByRole('button', { name: 'Показать' }).click();
    await page.waitForURL(/\/console\?.*sort=newest/);
    await page.getByLabel('Телефон или электронная почта пациента').fill(PATIENT_EMAIL);
    await page.getByRole('button', { name: 'Найти' }).click();
    await page.waitForURL(`${base}/console/inbox/search`);
    assert.match(await page.locator('main').innerText(), /Результаты поиска/);
    assert.equal(await page.locator('#inbox-table tbody tr[data-inquiry]').count(), 1);
    await context.close();
  });
});
