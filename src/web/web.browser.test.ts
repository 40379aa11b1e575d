import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { fillByLabel, labelled, loadedAfter, seriousA11yViolations } from '../../test/browser.ts';
import { SURFACES } from '../composition/surfaces.ts';
import { renderHtmlError } from '../console/index.ts';
import { openSiteInBrowser, type SiteEnv, type SiteInBrowser } from './web.testing.ts';

const CONSENT = labelled('Даю согласие на обработку моих персональных данных для ответа на эту заявку');
// The review form speaks of a review, not of a request.
const REVIEW_CONSENT = labelled(
  'Даю согласие на обработку моих персональных данных для рассмотрения этого отзыва',
);

describe('the public site in real Chromium, JavaScript off', { timeout: 180_000 }, () => {
  let s: SiteEnv;
  let browser: Browser;
  let base: string;
  let context: BrowserContext;

  let site: SiteInBrowser | undefined;
  before(async () => {
    site = await openSiteInBrowser({ locale: 'ru-RU' });
    ({ s, base, context, browser } = site);
  });
  after(() => site?.close());

  const inAWeek = () => new Date(s.env.clock.now().getTime() + 7 * 86_400_000).toISOString().slice(0, 10);

  /** Fills a form by its labels, as a person would, waits past the minimum fill time and submits. */
  async function fill(page: Page, formId: string, fields: Record<string, string>): Promise<void> {
    await fillByLabel(page.locator(`form[action="/forms/${formId}"]`), fields);
  }

  async function submit(page: Page, formId: string, button: string): Promise<number> {
    s.env.clock.advance(10_000);
    const [response] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === 'POST'),
      loadedAfter(page.mainFrame(), () =>
        page.locator(`form[action="/forms/${formId}"]`).getByRole('button', { name: button }).click(),
      ),
    ]);
    return response.status();
  }

  it('takes each of the five forms as a patient fills them in, and thanks', async () => {
    const page = await context.newPage();
    const cases: {
      path: string;
      formId: string;
      button: string;
      fields: Record<string, string>;
      extra?: (p: Page) => Promise<void>;
    }[] = [
      {
        path: '/',
        formId: 'callback',
        button: 'Жду звонка',
        fields: { Имя: 'Анна', Телефон: '+7 912 345-67-89' },
      },
      {
        path: '/contacts',
        formId: 'feedback',
        button: 'Отправить сообщение',
        fields: {
          Имя: 'Борис',
          'Электронная почта': 'boris@example.com',
          Сообщение: 'Нужна ли подготовка к МРТ?',
        },
      },
      {
        path: '/reviews',
        formId: 'review',
        button: 'Отправить отзыв',
        fields: { Имя: 'Вера Смирнова', 'Текст отзыва': 'Всё быстро и вежливо.', Оценка: '5' },
        extra: async (p) => {
          const form = p.locator('form[action="/forms/review"]');
          await form.getByLabel('Разрешаю опубликовать мой отзыв на сайте центра').check();
          await form.getByLabel('Только имя').check();
        },
      },
      {
        path: '/appointment',
        formId: 'appointment',
        button: 'Записаться',
        fields: {
          Имя: 'Глеб Петров',
          Телефон: '8 (912) 000-11-22',
          'Желаемая дата': inAWeek(),
          'Желаемое время': '10:30',
          'Услуга или врач': 'МРТ коленного сустава',
          'Ваше имя (представителя)': 'Дарья Петрова',
          'Кем вы приходитесь пациенту': 'мать',
        },
        extra: async (p) => {
          const form = p.locator('form[action="/forms/appointment"]');
          await form.getByLabel(/Да, заявка за другого человека/).check();
          await form.getByLabel(/Хочу получать сообщения/).check();
        },
      },
      {
        path: '/prices',
        formId: 'estimate',
        button: 'Рассчитать стоимость',
        fields: {
          Имя: 'Егор',
          Телефон: '+7 912 555-44-33',
          'Какие исследования вас интересуют': 'МРТ головного мозга',
        },
      },
    ];
    for (const c of cases) {
      const before = await s.counts();
      await page.goto(`${base}${c.path}`);
      await fill(page, c.formId, c.fields);
      await c.extra?.(page);
      const review = c.formId === 'review';
      const consent = page
        .locator(`form[action="/forms/${c.formId}"]`)
        .getByLabel(review ? REVIEW_CONSENT : CONSENT);
      assert.equal(await consent.isChecked(), false, `${c.formId}: the consent starts unticked`);
      await consent.check();
      const status = await submit(page, c.formId, c.button);
      assert.equal(status, 303, c.formId);
      assert.equal(new URL(page.url()).pathname, '/thanks', c.formId);
      assert.equal(
        await page.getByRole('heading', { level: 1 }).innerText(),
        review ? 'Спасибо, отзыв отправлен' : 'Спасибо, заявка отправлена',
      );
      const after = await s.counts();
      assert.equal(after.inquiries, before.inquiries + 1, c.formId);
      assert.ok(after.consents > before.consents, c.formId);
    }
    await page.close();
  });

  it('requires the consent: the error beside the checkbox, what was typed kept; then it goes through', async () => {
    const page = await context.newPage();
    await page.goto(`${base}/contacts`);
    await fill(page, 'feedback', {
      Имя: 'Иван <b>Сидоров</b>',
      'Электронная почта': 'ivan@example.com',
      Сообщение: 'Сколько длится исследование?',
    });
    const before = await s.counts();
    assert.equal(await submit(page, 'feedback', 'Отправить сообщение'), 400);
    const form = page.locator('form[action="/forms/feedback"]');
    const consent = form.getByLabel(CONSENT);
    assert.equal(await consent.getAttribute('aria-invalid'), 'true');
    const error = page.locator('#feedback-consent-processing-error');
    assert.ok(await error.isVisible());
    assert.match(await error.innerText(), /согласи/i);
    assert.equal(await form.getByLabel(labelled('Имя')).inputValue(), 'Иван <b>Сидоров</b>');
    assert.equal(await form.getByLabel(labelled('Сообщение')).inputValue(), 'Сколько длится исследование?');
    assert.deepEqual(await s.counts(), before);
    await page.screenshot({ path: '.test-data/site-consent-error.png', fullPage: true });

    await consent.check();
    assert.equal(await submit(page, 'feedback', 'Отправить сообщение'), 303);
    assert.equal(new URL(page.url()).pathname, '/thanks');
    assert.equal((await s.counts()).inquiries, before.inquiries + 1);
    await page.close();
  });

  it('shows the policy version and date, keeps the old version readable and shows the change', async () => {
    const page = await context.newPage();
    await page.goto(`${base}/privacy`);
    const header = await page.locator('main header').first().innerText();
    assert.match(header, /Версия 1\. Последнее обновление:\s*\d{2}\.\d{2}\.\d{4}/);

    const changed = structuredClone((await s.env.ctx.services.policy.current(s.operatorId))!.declaration);
    changed.purposes[0]!.retention = { months: 36, from: 'consent' };
    s.env.clock.advance(86_400_000);
    await s.publish(changed);

    await page.goto(`${base}/privacy`);
    assert.match(await page.locator('main header').first().innerText(), /Версия 2\./);
    await page.goto(`${base}/privacy/versions`);
    await page.getByRole('link', { name: 'Редакция 1' }).click();
    assert.equal(new URL(page.url()).pathname, '/privacy/versions/1');
    const old = await page.locator('main').innerText();
    assert.match(old, /Версия 1\./);
    assert.match(old, /24 месяца со дня получения согласия/);
    await page.goto(`${base}/privacy/diff?from=1&to=2`);
    assert.match(await page.locator('.diff ins', { hasText: '36 месяц' }).first().innerText(), /36 месяц/);
    assert.match(await page.locator('.diff del', { hasText: '24 месяц' }).first().innerText(), /24 месяц/);
    await page.close();
  });

  // axe runs as a script in the page (it needs timers), so these checks use a context with
  // JavaScript on; the pages themselves have no scripts either way.
  it('has no serious or critical accessibility violations on any public page', async () => {
    const a11y = await browser.newContext({ locale: 'ru-RU' });
    const page = await a11y.newPage();
    const pages = [
      '/',
      '/about',
      '/prices',
      '/appointment',
      '/callback',
      '/reviews',
      '/contacts',
      '/thanks?form=callback',
      '/cookies',
      '/privacy',
      '/privacy/versions',
      '/privacy/versions/1',
      '/privacy/diff?from=1&to=2',
      '/documents/consent-processing',
      '/documents/consent-processing/versions',
      '/documents/consent-marketing',
      '/documents/consent-review-publication',
      '/documents/cookie-notice',
      '/embed/forms/callback?site=localhost',
      '/embed/forms/review?site=localhost',
    ];
    for (const path of pages) {
      const res = await page.goto(`${base}${path}`);
      assert.equal(res?.status(), 200, path);
      assert.deepEqual(await seriousA11yViolations(page), [], path);
    }
    // A refused form, with its error summary and the messages beside the fields.
    await page.goto(`${base}/contacts`);
    s.env.clock.advance(10_000);
    await loadedAfter(page.mainFrame(), () =>
      page
        .locator('form[action="/forms/feedback"]')
        .getByRole('button', { name: 'Отправить сообщение' })
        .click(),
    );
    assert.ok(await page.locator('#feedback-consent-processing-error').isVisible());
    assert.deepEqual(await seriousA11yViolations(page), [], 'refused form');
    await page.goto(`${base}/`);
    await page.screenshot({ path: '.test-data/site-home.png', fullPage: true });
    await a11y.close();
  });

  it('answers an unknown host with a 404 page that is accessible too', async () => {
    // A second listener on another loopback address: its Host names no site.
    const other = await s.env.app({ surfaces: SURFACES, renderHtmlError });
    const otherBase = await other.listen({ port: 0, host: '127.0.0.2' });
    const a11y = await browser.newContext({ locale: 'ru-RU' });
    const page = await a11y.newPage();
    const res = await page.goto(`${otherBase}/`);
    assert.equal(res?.status(), 404);
    assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), 'Сайт не найден');
    assert.deepEqual(await seriousA11yViolations(page), []);
    await a11y.close();
  });
});
