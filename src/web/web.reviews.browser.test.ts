import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { loadedAfter, seriousA11yViolations } from '../../test/browser.ts';
import { openSiteInBrowser, type SiteInBrowser } from './web.testing.ts';
import { publishedReview } from './web.reviews.testing.ts';

describe('the published reviews in real Chromium', { timeout: 180_000 }, () => {
  let site: SiteInBrowser | undefined;

  before(async () => {
    site = await openSiteInBrowser({ locale: 'ru-RU' });
    const { ctx } = site.s.env;
    for (let i = 1; i <= 11; i++) {
      site.s.env.clock.advance(1000);
      await publishedReview(ctx, 'localhost', {
        name: `Автор${i} Фамилия`,
        message: `Отзыв ${i}: всё хорошо.\nВторая строка.`,
        rating: String((i % 5) + 1),
        show: i % 3 === 0 ? 'anonymous' : i % 3 === 1 ? 'first_name' : 'first_name_initial',
      });
    }
    // A review whose text is markup and script: shown as text, never run.
    site.s.env.clock.advance(1000);
    await publishedReview(ctx, 'localhost', {
      name: 'Скрипт <img src=x onerror="window.__pwned=1">',
      message: '<script>window.__pwned = 1</script><b>жирный?</b>',
      show: 'first_name',
    });
  });
  after(() => site?.close());

  it('reads without JavaScript: ratings as text, stars hidden from assistive tech, pages linked', async () => {
    const { context, base } = site!;
    const page = await context.newPage();
    const res = await page.goto(`${base}/reviews`);
    assert.equal(res?.status(), 200);
    const reviews = page.locator('ol.review-list > li.review');
    assert.equal(await reviews.count(), 10);
    const first = reviews.first();
    assert.match(await first.locator('.rating-text').innerText(), /^Оценка: \d из 5$/);
    assert.equal(await first.locator('.stars').getAttribute('aria-hidden'), 'true');
    assert.equal(
      await first.locator('blockquote').innerText(),
      '<script>window.__pwned = 1</script><b>жирный?</b>',
    );
    await loadedAfter(page.mainFrame(), () =>
      page.getByRole('link', { name: 'Более ранние отзывы' }).click(),
    );
    assert.match(page.url(), /\/reviews\?page=2$/);
    assert.equal(await page.locator('ol.review-list > li.review').count(), 2);
    await page.close();
  });

  it('has no serious or critical accessibility violations, in Russian and English, and runs no injected script', async () => {
    const { browser, base } = site!;
    // JavaScript on: the page has no scripts of its own, and the injected one must not run.
    const a11y = await browser.newContext({ locale: 'ru-RU' });
    const page = await a11y.newPage();
    for (const path of ['/reviews', '/reviews?page=2', '/en/reviews', '/en/reviews?page=2']) {
      const res = await page.goto(`${base}${path}`);
      assert.equal(res?.status(), 200, path);
      assert.deepEqual(await seriousA11yViolations(page), [], path);
      assert.equal(await page.evaluate(() => (globalThis as { __pwned?: number }).__pwned), undefined, path);
    }
    await page.goto(`${base}/reviews`);
    await page.screenshot({ path: '.test-data/site-reviews.png', fullPage: true });
    await a11y.close();
  });
});
