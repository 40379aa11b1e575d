import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { createTestEnv, type TestEnv } from '../../../test/harness.ts';
import { launchChromium, seriousA11yViolations } from '../../../test/browser.ts';
import { SURFACES } from '../../composition/surfaces.ts';
import { ensureDemoOperator } from '../../cli/demo-data.ts';
import { systemPrincipal } from '../../modules/staff/index.ts';
import { renderHtmlError } from '../index.ts';

const STAFF = { email: 'browser.agent@clinic.example', password: 'пароль-для-браузера-2026' };

describe('the console in real Chromium', () => {
  let env: TestEnv;
  let browser: Browser;
  let base: string;

  before(async () => {
    env = await createTestEnv();
    const { operatorId } = await ensureDemoOperator(env.ctx);
    await env.ctx.services.staff.create(systemPrincipal('test'), {
      email: STAFF.email,
      displayName: 'Ольга Браузерова',
      password: STAFF.password,
      installationAdmin: false,
      roles: [
        { operatorId, role: 'agent' },
        { operatorId, role: 'administrator' },
      ],
    });
    const app = await env.app({ surfaces: SURFACES, renderHtmlError });
    base = await app.listen({ port: 0, host: '127.0.0.1' });
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await env.close();
  });

  it('signs in, shows the clinic and roles, switches to English and signs out, with JavaScript off', async () => {
    const context = await browser.newContext({ javaScriptEnabled: false, locale: 'ru-RU' });
    const page = await context.newPage();
    await page.goto(`${base}/console`);
    assert.match(page.url(), /\/console\/login$/);
    assert.equal(await page.locator('html').getAttribute('lang'), 'ru');

    await page.getByLabel('Электронная почта').fill(STAFF.email);
    await page.getByLabel('Пароль').fill(STAFF.password);
    await page.getByRole('button', { name: 'Войти' }).click();
    await page.waitForURL(`${base}/console`);
    const text = await page.locator('main').innerText();
    assert.match(text, /Люкс-Демо/);
    assert.match(text, /Сотрудник контакт-центра/);
    assert.match(text, /Администратор организации/);
    mkdirSync('.test-data', { recursive: true });
    await page.screenshot({ path: '.test-data/console-home.png', fullPage: true });

    await page.getByRole('button', { name: 'English' }).click();
    assert.equal(await page.locator('html').getAttribute('lang'), 'en');
    assert.match(await page.locator('main').innerText(), /Contact-centre|contact centre|agent/i);

    await page.getByRole('button', { name: /Sign out|Log out/ }).click();
    await page.goto(`${base}/console`);
    assert.match(page.url(), /\/console\/login$/);
    await context.close();
  });

  it('shows a wrong password as an error beside the form, not as a crash', async () => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto(`${base}/console/login`);
    await page.getByLabel('Электронная почта').fill(STAFF.email);
    await page.getByLabel('Пароль').fill('совсем не тот пароль');
    const [response] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === 'POST'),
      page.getByRole('button', { name: 'Войти' }).click(),
    ]);
    assert.ok(response.status() >= 400 && response.status() < 500);
    assert.match(await page.locator('main').innerText(), /Неверн/);
    await context.close();
  });

  it('has no serious or critical accessibility violations on the sign-in and home pages', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${base}/console/login`);
    assert.deepEqual(await seriousA11yViolations(page), []);
    await page.getByLabel('Электронная почта').fill(STAFF.email);
    await page.getByLabel('Пароль').fill(STAFF.password);
    await page.getByRole('button', { name: 'Войти' }).click();
    await page.waitForURL(`${base}/console`);
    assert.deepEqual(await seriousA11yViolations(page), []);
    await context.close();
  });
});
