import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { loadedAfter, seriousA11yViolations } from '../../test/browser.ts';
import { openSiteInBrowser, type SiteEnv, type SiteInBrowser } from './web.testing.ts';

const CONSENT = /^I consent to the processing of my personal data to answer this request(\s*\*)?$/;

describe('the English public site in real Chromium, JavaScript off', { timeout: 180_000 }, () => {
  let s: SiteEnv;
  let browser: Browser;
  let base: string;
  let context: BrowserContext;

  let site: SiteInBrowser | undefined;
  before(async () => {
    site = await openSiteInBrowser({ locale: 'en-GB' });
    ({ s, base, context, browser } = site);
  });
  after(() => site?.close());

  const langOf = (page: Page) => page.locator('html').getAttribute('lang');

  it('switches between Russian and English with a plain link in the header', async () => {
    const page = await context.newPage();
    await page.goto(`${base}/about`);
    assert.equal(await langOf(page), 'ru');
    const toEnglish = page.locator('header').getByRole('link', { name: 'English' });
    assert.equal(await toEnglish.getAttribute('hreflang'), 'en');
    await loadedAfter(page.mainFrame(), () => toEnglish.click());
    assert.equal(new URL(page.url()).pathname, '/en/about');
    assert.equal(await langOf(page), 'en');
    assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), 'About the centre');
    await loadedAfter(page.mainFrame(), () =>
      page.locator('header').getByRole('link', { name: 'Русский' }).click(),
    );
    assert.equal(new URL(page.url()).pathname, '/about');
    assert.equal(await langOf(page), 'ru');
    await page.close();
  });

  it('takes an English form with field errors in English, then records consents citing the English documents', async () => {
    const page = await context.newPage();
    await page.goto(`${base}/en/contacts`);
    const form = page.locator('form[action="/en/forms/feedback"]');
    await form.getByLabel(/^Name/).fill('Ivan Sidorov');
    await form.getByLabel(/^E-mail/).fill('not an address');
    await form.getByLabel(/^Message/).fill('How long does the examination take?');
    const consent = form.getByLabel(CONSENT);
    assert.equal(await consent.isChecked(), false);
    const before = await s.counts();
    const submit = async (): Promise<number> => {
      s.env.clock.advance(10_000);
      const [response] = await Promise.all([
        page.waitForResponse((r) => r.request().method() === 'POST'),
        loadedAfter(page.mainFrame(), () => form.getByRole('button', { name: 'Send message' }).click()),
      ]);
      return response.status();
    };
    assert.equal(await submit(), 400);
    assert.equal(await langOf(page), 'en');
    assert.equal(await page.locator('#feedback-email-error').innerText(), 'The e-mail address is not valid');
    assert.match(
      await page.locator('#feedback-consent-processing-error').innerText(),
      /without your consent/,
    );
    assert.equal(await form.getByLabel(/^Name/).inputValue(), 'Ivan Sidorov');
    assert.deepEqual(await s.counts(), before);
    await page.screenshot({ path: '.test-data/site-en-errors.png', fullPage: true });

    await form.getByLabel(/^E-mail/).fill('ivan@example.com');
    await form.getByLabel(CONSENT).check();
    assert.equal(await submit(), 303);
    assert.equal(new URL(page.url()).pathname, '/en/thanks');
    assert.equal(
      await page.getByRole('heading', { level: 1 }).innerText(),
      'Thank you, your request has been sent',
    );
    assert.equal((await s.counts()).inquiries, before.inquiries + 1);

    const policy = (await s.env.ctx.services.policy.current(s.operatorId))!;
    const admin = await s.env.admin();
    const { rows } = await admin.query<{ document_id: string; document_sha256: string; form_id: string }>(
      `SELECT c.document_id, c.document_sha256, c.form_id FROM consent_records c
       JOIN inquiries i ON i.id = c.inquiry_id ORDER BY i.created_at DESC LIMIT 1`,
    );
    const doc = policy.documentsEn!.consent_processing;
    assert.deepEqual(rows, [{ document_id: doc.id, document_sha256: doc.sha256, form_id: 'feedback' }]);
    assert.notEqual(doc.id, policy.documents.consent_processing.id);
    await page.close();
  });

  it('shows the English policy with its version and date, and says the Russian text binds', async () => {
    const page = await context.newPage();
    await page.goto(`${base}/en/privacy`);
    const header = await page.locator('main header').first().innerText();
    assert.match(header, /Version 1\. Last updated:\s*\d{1,2} [A-Z][a-z]+ \d{4}/);
    assert.match(header, /The Russian text is the binding one/);
    await page.getByRole('link', { name: 'All versions of the document' }).click();
    await page.getByRole('link', { name: 'Version 1' }).click();
    assert.equal(new URL(page.url()).pathname, '/en/privacy/versions/1');
    assert.match(await page.locator('main').innerText(), /Version 1\. Last updated:/);
    await page.close();
  });

  // axe runs as a script in the page, so these checks use a context with JavaScript on; the pages
  // have no scripts either way.
  it('has no serious or critical accessibility violations on the English pages', async () => {
    const a11y = await browser.newContext({ locale: 'en-GB' });
    const page = await a11y.newPage();
    const pages = [
      '/en/',
      '/en/about',
      '/en/prices',
      '/en/appointment',
      '/en/callback',
      '/en/reviews',
      '/en/contacts',
      '/en/thanks?form=review',
      '/en/cookies',
      '/en/privacy',
      '/en/privacy/versions',
      '/en/documents/consent-processing',
      '/en/documents/consent-review-publication',
      '/en/documents/cookie-notice',
      '/embed/forms/review?site=localhost&lang=en',
    ];
    for (const path of pages) {
      const res = await page.goto(`${base}${path}`);
      assert.equal(res?.status(), 200, path);
      assert.equal(await langOf(page), 'en', path);
      assert.deepEqual(await seriousA11yViolations(page), [], path);
    }
    // A refused English form, and the site's own 404 page.
    await page.goto(`${base}/en/callback`);
    s.env.clock.advance(10_000);
    await loadedAfter(page.mainFrame(), () =>
      page.locator('form[action="/en/forms/callback"]').getByRole('button', { name: 'Call me back' }).click(),
    );
    assert.ok(await page.locator('#callback-consent-processing-error').isVisible());
    assert.deepEqual(await seriousA11yViolations(page), [], 'refused form');
    const missing = await page.goto(`${base}/en/no-such-page`);
    assert.equal(missing?.status(), 404);
    assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), 'Page not found');
    assert.ok(await page.locator('footer.site-footer').isVisible());
    assert.deepEqual(await seriousA11yViolations(page), [], '404');
    await page.goto(`${base}/en/`);
    await page.screenshot({ path: '.test-data/site-en-home.png', fullPage: true });
    await a11y.close();
  });
});
