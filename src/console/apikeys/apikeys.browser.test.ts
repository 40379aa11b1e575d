import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { createTestEnv, type TestEnv } from '../../../test/harness.ts';
import { launchChromium, seriousA11yViolations } from '../../../test/browser.ts';
import { SURFACES } from '../../composition/surfaces.ts';
import { ensureDemoOperator } from '../../cli/demo-data.ts';
import { systemPrincipal } from '../../modules/staff/index.ts';
import { renderHtmlError } from '../index.ts';

const STAFF = { email: 'keys.admin@clinic.example', password: 'пароль-для-ключей-2026' };

describe('the API key pages in real Chromium', () => {
  let env: TestEnv;
  let browser: Browser;
  let base: string;

  before(async () => {
    env = await createTestEnv();
    const { operatorId } = await ensureDemoOperator(env.ctx);
    await env.ctx.services.staff.create(systemPrincipal('test'), {
      email: STAFF.email,
      displayName: 'Игорь Ключников',
      password: STAFF.password,
      installationAdmin: false,
      roles: [{ operatorId, role: 'administrator' }],
    });
    const app = await env.app({ surfaces: SURFACES, renderHtmlError });
    base = await app.listen({ port: 0, host: '127.0.0.1' });
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await env.close();
  });

  it(
    'creates a key shown once and revokes it, with no serious axe findings',
    { timeout: 120_000 },
    async () => {
      const context = await browser.newContext({ locale: 'ru-RU' }); // axe needs scripts
      const page = await context.newPage();
      page.setDefaultTimeout(30_000);
      await page.goto(`${base}/console/login`);
      await page.getByLabel('Электронная почта').fill(STAFF.email);
      await page.getByLabel('Пароль').fill(STAFF.password);
      await page.getByRole('button', { name: 'Войти' }).click();
      await page.waitForURL(`${base}/console`);

      await page.getByRole('navigation').getByRole('link', { name: 'API-ключи' }).click();
      await page.getByRole('main').getByRole('link').first().click();
      assert.match(await page.locator('main').innerText(), /Ключей пока нет/);
      assert.deepEqual(await seriousA11yViolations(page), []);

      await page.getByLabel('Название').fill('CRM клиники');
      await page.getByLabel(/Читать обращения/).check();
      await page.getByRole('button', { name: 'Выдать ключ' }).click();
      const key = await page.locator('#api-key').innerText();
      assert.match(key, /^sgl_[a-z0-9]{12}_[A-Za-z0-9_-]{43}$/);
      assert.deepEqual(await seriousA11yViolations(page), []);
      assert.ok(await env.ctx.services.apiKeys.authenticate(key, null));

      await page.getByRole('link', { name: 'К API-ключам' }).click();
      const row = page.locator('#api-keys tbody tr');
      assert.match(
        await row.innerText(),
        /CRM клиники[\s\S]*inquiries:write[\s\S]*inquiries:read[\s\S]*Действует с/,
      );
      assert.ok(!(await page.content()).includes(key.slice(17)), 'the secret is not shown again');
      assert.deepEqual(await seriousA11yViolations(page), []);
      await page.getByRole('button', { name: 'Отозвать ключ «CRM клиники»' }).click();
      assert.match(await page.locator('main').innerText(), /Ключ отозван/);
      assert.equal(await env.ctx.services.apiKeys.authenticate(key, null), undefined);
      await context.close();
    },
  );
});
