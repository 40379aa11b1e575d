import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, FrameLocator, Page } from 'playwright-core';
import {
  fillByLabel,
  labelled,
  launchChromium,
  loadedAfter,
  seriousA11yViolations,
} from '../../../test/browser.ts';
import { createSiteEnv, type SiteEnv } from '../../web/web.testing.ts';
import { systemPrincipal } from '../staff/index.ts';

/**
 * The widget as a clinic uses it: the snippet from the README pasted into a page served by another
 * HTTP server on another origin, the form filled in inside the frame in real Chromium with
 * JavaScript on, and what the intake stored read back from the database.
 */

const CONSENT = labelled('Даю согласие на обработку моих персональных данных для ответа на эту заявку');
// The review form speaks of a review, not of a request.
const REVIEW_CONSENT = labelled(
  'Даю согласие на обработку моих персональных данных для рассмотрения этого отзыва',
);

/** What the README tells a clinic to paste, for one form. */
function snippet(soglasie: string, form: string, lang?: 'en'): string {
  return (
    `<div id="soglasie-${form}"></div>\n` +
    `<script src="${soglasie}/embed.js" data-soglasie-form="${form}"` +
    `${lang ? ` data-soglasie-lang="${lang}"` : ''} async></script>`
  );
}

/** A clinic page with the three other forms, one widget each. */
function otherFormsPage(soglasie: string): string {
  return `<!doctype html>
<html lang="ru">
  <head><meta charset="utf-8" /><title>Отзывы, запись, цены</title></head>
  <body>
    <main>
      <h1>Отзывы, запись и цены</h1>
      ${['review', 'appointment', 'estimate'].map((f) => snippet(soglasie, f)).join('\n')}
    </main>
  </body>
</html>`;
}

/** The clinic's English page: one widget in English. */
function englishPage(soglasie: string): string {
  return `<!doctype html>
<html lang="en">
  <head><meta charset="utf-8" /><title>A clinic on its own domain</title></head>
  <body>
    <main>
      <h1>Call back</h1>
      ${snippet(soglasie, 'callback', 'en')}
    </main>
  </body>
</html>`;
}

/** A clinic's own page around the snippets: a plain HTML page as any site builder makes. */
function clinicPage(soglasie: string): string {
  return `<!doctype html>
<html lang="ru">
  <head><meta charset="utf-8" /><title>Клиника на своём домене</title></head>
  <body>
    <main>
      <h1>Запись и вопросы</h1>
      <h2>Перезвоним вам</h2>
      ${snippet(soglasie, 'callback')}
      <h2>Задать вопрос</h2>
      ${snippet(soglasie, 'feedback')}
    </main>
  </body>
</html>`;
}

function listen(server: Server, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => resolve((server.address() as AddressInfo).port));
  });
}

describe('the widget on a clinic page of another origin, in real Chromium', { timeout: 180_000 }, () => {
  let s: SiteEnv;
  let browser: Browser;
  let context: BrowserContext;
  let soglasie: string;
  /** The clinic's page on its declared origin. */
  let declared: string;
  /** The same page on origins the operator did not declare. */
  let otherPort: string;
  let unknownHost: string;
  let siteId: string;
  const servers: Server[] = [];

  before(async () => {
    s = await createSiteEnv();
    await s.publish();
    soglasie = await s.app.listen({ port: 0, host: '127.0.0.1' });
    const clinic = createServer((req, res) => {
      const pages: Record<string, (soglasie: string) => string> = {
        '/': clinicPage,
        '/en': englishPage,
        '/more': otherFormsPage,
      };
      const page = pages[req.url ?? ''];
      if (!page) {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(page(soglasie));
    });
    const unknown = createServer(clinic.listeners('request')[0] as Parameters<typeof createServer>[1]);
    servers.push(clinic, unknown);
    const port = await listen(clinic, '127.0.0.1');
    // `localhost:<port>` is another origin than Soglasie's `127.0.0.1:<its port>`; the operator
    // declares exactly that host and port as its site.
    declared = `http://localhost:${port}`;
    otherPort = `http://127.0.0.1:${port}`;
    unknownHost = `http://127.0.0.2:${await listen(unknown, '127.0.0.2')}`;
    const site = await s.env.ctx.services.operators.addSite(systemPrincipal('test'), s.operatorId, {
      domain: `localhost:${port}`,
      title: 'Клиника на своём домене',
    });
    siteId = site.id;
    browser = await launchChromium();
    context = await browser.newContext({ locale: 'ru-RU' });
  });
  after(async () => {
    await context?.close();
    await browser?.close();
    for (const server of servers) await new Promise((r) => server.close(r));
    await s?.close();
  });

  const frameOf = (page: Page, form: string): FrameLocator =>
    page.frameLocator(`iframe[data-soglasie-frame="${form}"]`);

  /**
   * Waits until the frame has taken its content's height. Before that the frame may still grow and
   * reset its inner scroll, so a click aimed at a field could land beside it.
   */
  async function fitted(page: Page, form: string): Promise<void> {
    const iframe = page.locator(`iframe[data-soglasie-frame="${form}"]`);
    await frameOf(page, form).getByRole('heading', { level: 1 }).waitFor();
    const inner = await (await iframe.elementHandle()).contentFrame();
    for (let tries = 0; ; tries++) {
      const content = await inner!.evaluate(() => document.documentElement.scrollHeight);
      const taken = await iframe.evaluate((e) => (e as HTMLIFrameElement).style.height);
      if (taken === `${content}px`) return;
      assert.ok(tries < 100, `the ${form} frame is ${taken || 'unsized'}, its content ${content}px`);
      await page.waitForTimeout(50);
    }
  }

  async function fill(frame: FrameLocator, fields: Record<string, string>): Promise<void> {
    await fillByLabel(frame, fields);
  }

  /**
   * Clicks the frame's button past the minimum fill time; the status of the form's POST, once the
   * frame shows the page it led to (the thanks or the refused form), not the form it was sent from.
   */
  async function submit(page: Page, frame: FrameLocator, button: string): Promise<number> {
    s.env.clock.advance(10_000);
    const inner = await (await frame.owner().elementHandle()).contentFrame();
    assert.ok(inner);
    const [response] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === 'POST'),
      loadedAfter(inner, () => frame.getByRole('button', { name: button }).click()),
    ]);
    return response.status();
  }

  /** The newest widget inquiry of a form, with its consent records. */
  async function stored(formId: string): Promise<{
    inquiry: { id: string; channel: string; site_id: string; possible_health_data: boolean };
    consents: { kind: string; channel: string; form_id: string; policy_version: number }[];
  }> {
    const admin = await s.env.admin();
    const { rows } = await admin.query<{
      id: string;
      channel: string;
      site_id: string;
      possible_health_data: boolean;
    }>(
      `SELECT id, channel, site_id, possible_health_data FROM inquiries
       WHERE form_id = $1 ORDER BY number DESC LIMIT 1`,
      [formId],
    );
    assert.ok(rows[0], `no ${formId} inquiry`);
    const consents = await admin.query<{
      kind: string;
      channel: string;
      form_id: string;
      policy_version: number;
    }>(
      `SELECT kind, channel, form_id, policy_version FROM consent_records
       WHERE inquiry_id = $1 ORDER BY kind`,
      [rows[0].id],
    );
    return { inquiry: rows[0], consents: consents.rows };
  }

  it('takes the callback form inside the frame and thanks there; stored as a widget inquiry', async () => {
    const page = await context.newPage();
    await page.goto(`${declared}/`);
    await fitted(page, 'callback');
    const frame = frameOf(page, 'callback');
    await fill(frame, { Имя: 'Анна', Телефон: '+7 912 345-67-89' });
    const consent = frame.getByLabel(CONSENT);
    assert.equal(await consent.isChecked(), false, 'the consent starts unticked');
    await consent.check();
    const before = await s.counts();
    assert.equal(await submit(page, frame, 'Жду звонка'), 303);
    const heading = frame.getByRole('heading', { level: 1 });
    await heading.waitFor();
    assert.equal(await heading.innerText(), 'Спасибо, заявка отправлена');
    assert.equal(new URL(page.url()).origin, declared, 'the clinic page stays where it was');
    // The framed page reports its height and the frame takes it (no scroll bar inside).
    await fitted(page, 'callback');

    const after = await s.counts();
    assert.equal(after.inquiries, before.inquiries + 1);
    const { inquiry, consents } = await stored('callback');
    assert.equal(inquiry.channel, 'widget');
    assert.equal(inquiry.site_id, siteId, 'the declared site the page is on');
    assert.deepEqual(consents, [
      { kind: 'processing', channel: 'widget', form_id: 'callback', policy_version: 1 },
    ]);
    await page.close();
  });

  it('requires the consent inside the frame: the error, what was typed kept; then it goes through', async () => {
    const page = await context.newPage();
    await page.goto(`${declared}/`);
    await fitted(page, 'feedback');
    const frame = frameOf(page, 'feedback');
    await fill(frame, {
      Имя: 'Борис <b>Б.</b>',
      'Электронная почта': 'boris@example.com',
      Сообщение: 'Нужна ли подготовка к МРТ?',
    });
    const before = await s.counts();
    assert.equal(await submit(page, frame, 'Отправить сообщение'), 400);
    const consent = frame.getByLabel(CONSENT);
    await consent.waitFor();
    assert.equal(await consent.getAttribute('aria-invalid'), 'true');
    const error = frame.locator('#feedback-consent-processing-error');
    assert.ok(await error.isVisible());
    assert.match(await error.innerText(), /согласи/i);
    assert.equal(await frame.getByLabel(labelled('Имя')).inputValue(), 'Борис <b>Б.</b>');
    assert.equal(await frame.getByLabel(labelled('Сообщение')).inputValue(), 'Нужна ли подготовка к МРТ?');
    assert.deepEqual(await s.counts(), before, 'nothing stored');

    await consent.check();
    await frame.getByLabel(/Хочу получать сообщения/).check();
    assert.equal(await submit(page, frame, 'Отправить сообщение'), 303);
    const heading = frame.getByRole('heading', { level: 1 });
    await heading.waitFor();
    assert.equal(await heading.innerText(), 'Спасибо, заявка отправлена');
    const { inquiry, consents } = await stored('feedback');
    assert.equal(inquiry.channel, 'widget');
    assert.equal(inquiry.site_id, siteId);
    assert.equal(inquiry.possible_health_data, true, 'free text may describe health');
    assert.deepEqual(consents, [
      { kind: 'marketing', channel: 'widget', form_id: 'feedback', policy_version: 1 },
      { kind: 'processing', channel: 'widget', form_id: 'feedback', policy_version: 1 },
    ]);
    await page.close();
  });

  it('takes the review, appointment and estimate forms in their frames too', async () => {
    const page = await context.newPage();
    await page.goto(`${declared}/more`);
    const week = new Date(s.env.clock.now().getTime() + 7 * 86_400_000).toISOString().slice(0, 10);
    const cases: {
      formId: string;
      button: string;
      fields: Record<string, string>;
      extra?: (f: FrameLocator) => Promise<void>;
    }[] = [
      {
        formId: 'review',
        button: 'Отправить отзыв',
        fields: { Имя: 'Вера Смирнова', 'Текст отзыва': 'Всё быстро и вежливо.', Оценка: '5' },
        extra: async (f) => {
          await f.getByLabel('Разрешаю опубликовать мой отзыв на сайте центра').check();
          await f.getByLabel('Только имя').check();
        },
      },
      {
        formId: 'appointment',
        button: 'Записаться',
        fields: {
          Имя: 'Глеб Петров',
          Телефон: '8 (912) 000-11-23',
          'Желаемая дата': week,
          'Желаемое время': '10:30',
          'Услуга или врач': 'МРТ коленного сустава',
        },
      },
      {
        formId: 'estimate',
        button: 'Рассчитать стоимость',
        fields: { Имя: 'Егор', Телефон: '+7 912 555-44-34', 'Какие исследования вас интересуют': 'МРТ' },
      },
    ];
    for (const c of cases) await fitted(page, c.formId);
    for (const c of cases) {
      const frame = frameOf(page, c.formId);
      await fill(frame, c.fields);
      await c.extra?.(frame);
      await frame.getByLabel(c.formId === 'review' ? REVIEW_CONSENT : CONSENT).check();
      assert.equal(await submit(page, frame, c.button), 303, c.formId);
      const heading = frame.getByRole('heading', { level: 1 });
      await heading.waitFor();
      assert.match(await heading.innerText(), /^Спасибо/, c.formId);
      // The thanks are shorter than the form: the frames below move up once this one shrinks.
      await fitted(page, c.formId);
      const { inquiry, consents } = await stored(c.formId);
      assert.equal(inquiry.channel, 'widget', c.formId);
      assert.ok(
        consents.some((k) => k.kind === 'processing'),
        c.formId,
      );
      if (c.formId === 'review') assert.ok(consents.some((k) => k.kind === 'review_publication'));
    }
    await page.close();
  });

  it('speaks English with data-soglasie-lang="en", and the consent cites the English document', async () => {
    const page = await context.newPage();
    await page.goto(`${declared}/en`);
    await fitted(page, 'callback');
    const frame = frameOf(page, 'callback');
    assert.equal(
      await page.locator('iframe[data-soglasie-frame="callback"]').getAttribute('title'),
      'Inquiry form',
    );
    await fill(frame, { Name: 'Anna', Phone: '+7 912 345-67-80' });
    await frame
      .getByLabel(labelled('I consent to the processing of my personal data to answer this request'))
      .check();
    assert.equal(await submit(page, frame, 'Call me back'), 303);
    const heading = frame.getByRole('heading', { level: 1 });
    await heading.waitFor();
    assert.equal(await heading.innerText(), 'Thank you, your request has been sent');
    const { inquiry } = await stored('callback');
    const admin = await s.env.admin();
    const { rows } = await admin.query<{ lang: string }>(
      `SELECT d.lang FROM consent_records c JOIN published_documents d ON d.id = c.document_id
       WHERE c.inquiry_id = $1`,
      [inquiry.id],
    );
    assert.deepEqual(rows, [{ lang: 'en' }]);
    await page.close();
  });

  it('has no serious or critical accessibility violations on the host page or in the frames', async () => {
    const page = await context.newPage();
    await page.goto(`${declared}/`);
    await frameOf(page, 'callback').getByLabel(CONSENT).waitFor();
    await frameOf(page, 'feedback').getByLabel(CONSENT).waitFor();
    assert.deepEqual(await seriousA11yViolations(page), [], 'host page with the widgets');
    // Each frame in place (axe in the host page cannot look into a cross-origin frame).
    for (const form of ['callback', 'feedback']) {
      const frame = await page.locator(`iframe[data-soglasie-frame="${form}"]`).elementHandle();
      const inner = await frame.contentFrame();
      assert.ok(inner);
      assert.deepEqual(await seriousA11yViolations(inner), [], `${form} frame`);
    }
    await page.close();
  });

  it('shows no working widget on an origin the operator did not declare, and stores nothing', async () => {
    const before = await s.counts();
    const cases = [
      // The declared host on another port: the form is served, but the browser must not show it.
      { origin: otherPort, status: 200 },
      // A host no operator declared: refused outright (and unframeable as every other page).
      { origin: unknownHost, status: 404 },
    ];
    for (const { origin, status } of cases) {
      const page = await context.newPage();
      const framed = page.waitForResponse((r) => r.url().includes('/embed/forms/callback'));
      const refusal = page.waitForEvent('console', (m) =>
        /^Framing .* violates .*"frame-ancestors /.test(m.text()),
      );
      await page.goto(`${origin}/`);
      const response = await framed;
      assert.equal(response.status(), status, origin);
      assert.doesNotMatch(
        response.headers()['content-security-policy'] ?? '',
        new RegExp(`frame-ancestors[^;]*${origin.replace(/[.:/]/g, '\\$&')}`),
        origin,
      );
      await refusal;
      const frame = await page.locator('iframe[data-soglasie-frame="callback"]').elementHandle();
      const inner = await frame.contentFrame();
      assert.ok(inner);
      assert.match(inner.url(), /^chrome-error:/, `${origin}: the frame shows the browser's error`);
      assert.equal(await inner.locator('form').count(), 0, origin);
      await page.close();
    }
    assert.deepEqual(await s.counts(), before);
  });
});
