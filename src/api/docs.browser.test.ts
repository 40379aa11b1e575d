import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { launchChromium, seriousA11yViolations } from '../../test/browser.ts';
import { createTestEnv, type TestEnv } from '../../test/harness.ts';
import { SURFACES } from '../composition/surfaces.ts';
import { renderHtmlError } from '../console/index.ts';
import { DOCS_PATH } from './openapi.ts';

describe('the API reference in real Chromium', () => {
  let env: TestEnv;
  let browser: Browser;
  let base: string;

  before(async () => {
    env = await createTestEnv();
    const app = await env.app({ surfaces: SURFACES, renderHtmlError });
    base = await app.listen({ port: 0, host: '127.0.0.1' });
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await env.close();
  });

  it('is styled under the CSP, navigable by its contents, with no serious accessibility problems', async () => {
    const page = await browser.newPage();
    const refused: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') refused.push(m.text());
    });
    await page.goto(`${base}${DOCS_PATH}`);
    assert.deepEqual(refused, [], 'nothing refused by the CSP or missing');
    // The stylesheet applied: the header takes the primary colour.
    const bg = await page.locator('.docs-header').evaluate((e) => getComputedStyle(e).backgroundColor);
    assert.equal(bg, 'rgb(29, 79, 145)');
    await page
      .getByRole('navigation')
      .getByRole('link', { name: /\/api\/v1\/inquiries\/\{id\}\/status/ })
      .click();
    assert.match(page.url(), /#op-post-api-v1-inquiries-id-status$/);
    assert.deepEqual(await seriousA11yViolations(page), []);
    mkdirSync('.test-data', { recursive: true });
    await page.screenshot({ path: '.test-data/api-docs.png', fullPage: false });
  });
});
