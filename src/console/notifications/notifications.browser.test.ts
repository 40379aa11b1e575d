import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { createTestEnv, type TestEnv } from '../../../test/harness.ts';
import { launchChromium, seriousA11yViolations } from '../../../test/browser.ts';
import { SURFACES } from '../../composition/surfaces.ts';
import { ensureDemoOperator } from '../../cli/demo-data.ts';
import { systemPrincipal } from '../../modules/staff/index.ts';
import { renderHtmlError } from '../index.ts';

const STAFF = { email: 'notify.admin@clinic.example', password: 'пароль-для-браузера-2026' };

describe('patient notification settings in real Chromium', () => {
  let env: TestEnv;
  let browser: Browser;
  let base: string;
  let operatorId: string;

  before(
    async () => {
      env = await createTestEnv();
      ({ operatorId } = await ensureDemoOperator(env.ctx));
      await env.ctx.services.staff.create(systemPrincipal('test'), {
        email: STAFF.email,
        displayName: 'Ирина Настройкина',
        password: STAFF.password,
        installationAdmin: false,
        roles: [{ operatorId, role: 'administrator' }],
      });
      const app = await env.app({ surfaces: SURFACES, renderHtmlError });
      base = await app.listen({ port: 0, host: '127.0.0.1' });
      browser = await launchChromium();
    },
    { timeout: 60_000 },
  );
  after(async () => {
    await browser?.close();
    await env.close();
  });

  const signIn = async (javaScriptEnabled: boolean) => {
    const context = await browser.newContext({ javaScriptEnabled, locale: 'ru-RU' });
    const page = await context.newPage();
    await page.goto(`${base}/console/login`);
    await page.getByLabel('Электронная почта').fill(STAFF.email);
    await page.getByLabel('Пароль').fill(STAFF.password);
    await page.getByRole('button', { name: 'Войти' }).click();
    await page.waitForURL(`${base}/console`);
    return { context, page };
  };

  // Bounded, so that a stuck browser fails the file instead of holding the whole run.
  it('edits, previews and refuses a template with JavaScript off', { timeout: 60_000 }, async () => {
    const { context, page } = await signIn(false);
    await page.getByRole('link', { name: 'Сообщения пациентам' }).click();
    await page.getByRole('link', { name: /Люкс-Демо/ }).click();
    assert.match(page.url(), new RegExp(`/console/operators/${operatorId}/notifications$`));

    const form = page.locator('#tpl-done-short');
    await form.getByLabel('Текст').fill('{clinic_name}: заявка {inquiry_number} выполнена, спасибо!');
    await form.getByRole('button', { name: 'Предпросмотр' }).click();
    assert.match(
      await page.locator('#tpl-done-short pre').innerText(),
      /: заявка 12345 выполнена, спасибо!$/,
    );

    await page.locator('#tpl-done-short').getByLabel('Текст').fill('Заявка {номер}');
    await page.locator('#tpl-done-short').getByRole('button', { name: 'Сохранить' }).click();
    assert.match(
      await page.locator('#tpl-done-short-body-error').innerText(),
      /Неизвестная подстановка \{номер\}/,
    );
    assert.equal(await page.locator('#tpl-done-short-body').getAttribute('aria-invalid'), 'true');
    await context.close();
  });

  it(
    'has no serious or critical accessibility violations, also with a refused form',
    { timeout: 60_000 },
    async () => {
      // axe runs as a script in the page: this context has JavaScript on (the page itself has none).
      const { context, page } = await signIn(true);
      await page.goto(`${base}/console/operators/${operatorId}/notifications`);
      assert.deepEqual(await seriousA11yViolations(page), []);
      await page.locator('#tpl-done-email').getByLabel('Тема письма').fill('{нет}');
      await page.locator('#tpl-done-email').getByRole('button', { name: 'Сохранить' }).click();
      await page.locator('#tpl-done-email-subject-error').waitFor();
      assert.deepEqual(await seriousA11yViolations(page), []);
      await context.close();
    },
  );
});
