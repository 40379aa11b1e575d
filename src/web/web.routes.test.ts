import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { OPERATOR_CARD } from '../console/shared/console.testing.ts';
import { systemPrincipal } from '../modules/staff/index.ts';
import { createSiteEnv, formOf, formTokenOf, type SiteEnv } from './web.testing.ts';

const PAGES = [
  '/',
  '/about',
  '/prices',
  '/appointment',
  '/callback',
  '/reviews',
  '/contacts',
  '/thanks',
  '/cookies',
];

describe('the public site over HTTP', () => {
  let s: SiteEnv;
  before(async () => {
    s = await createSiteEnv();
  });
  after(async () => {
    await s?.close();
  });

  it('answers an unknown host with a plain 404 that names no clinic', async () => {
    for (const url of ['/', '/privacy', '/contacts']) {
      const res = await s.app.inject({ method: 'GET', url, headers: { host: 'unknown-clinic.example' } });
      assert.equal(res.statusCode, 404, url);
      assert.match(res.body, /Сайт не найден/);
      assert.doesNotMatch(res.body, /Люкс/);
    }
    const post = await s.app.inject({
      method: 'POST',
      url: '/forms/callback',
      headers: { host: 'evil.example', 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'name=x',
    });
    assert.equal(post.statusCode, 404);
  });

  it("serves each operator its own site by Host, without the demo clinic's texts", async () => {
    await s.env.ctx.services.operators.create(systemPrincipal('test'), {
      slug: 'clinic-two',
      name: 'ООО «Клиника Два»',
      ...OPERATOR_CARD,
      sites: [{ domain: 'clinic-two.example', title: 'Клиника Два' }],
    });
    const res = await s.app.inject({ method: 'GET', url: '/', headers: { host: 'clinic-two.example' } });
    assert.equal(res.statusCode, 200);
    assert.match(res.body, /<a class="brand" href="\/">Клиника Два<\/a>/);
    assert.match(res.body, /ИНН 7707083893/);
    assert.doesNotMatch(res.body, /Люкс|4912|МРТ/);
    const prices = await s.app.inject({
      method: 'GET',
      url: '/prices',
      headers: { host: 'clinic-two.example' },
    });
    assert.doesNotMatch(prices.body, /₽/);
  });

  it('before the clinic publishes its policy, shows the pages but takes no inquiries', async () => {
    const b = s.browser();
    const home = await b.get('/');
    assert.equal(home.statusCode, 200);
    assert.match(home.body, /Приём заявок через сайт ещё не открыт/);
    assert.doesNotMatch(home.body, /_form_token/);
    assert.equal((await b.get('/privacy')).statusCode, 404);
  });

  it('serves every page on localhost and 127.0.0.1 with the footer links, no inline script or style', async () => {
    await s.publish();
    for (const host of ['localhost:3000', '127.0.0.1']) {
      for (const url of PAGES) {
        const res = await s.browser().get(url, { host });
        assert.equal(res.statusCode, 200, `${host}${url}`);
        assert.match(res.headers['content-type'] as string, /text\/html; charset=utf-8/);
        assert.equal(res.headers['cache-control'], 'no-store');
        assert.match(res.body, /<html lang="ru">/);
        assert.match(res.body, /href="\/privacy">Политика конфиденциальности/);
        assert.match(res.body, /href="\/cookies">Настройки cookie/);
        assert.doesNotMatch(res.body, /<script|style="|<style/);
        // The base shared with the console first, then the site's own stylesheet.
        assert.match(
          res.body,
          /href="\/assets\/base\.css\?v=\w+" \/>\s*<link rel="stylesheet" href="\/assets\/site\.css/,
        );
      }
    }
    for (const url of ['/assets/site.css', '/assets/base.css']) {
      const css = await s.app.inject({ method: 'GET', url });
      assert.equal(css.statusCode, 200, url);
      assert.match(css.headers['content-type'] as string, /text\/css/);
    }
  });

  it('puts each form on its pages with the unticked consent next to its document and the policy', async () => {
    const b = s.browser();
    const where: [string, string[]][] = [
      ['/', ['appointment', 'callback']],
      ['/callback', ['callback']],
      ['/contacts', ['feedback']],
      ['/reviews', ['review']],
      ['/appointment', ['appointment']],
      ['/prices', ['estimate']],
    ];
    for (const [url, forms] of where) {
      const body = (await b.get(url)).body;
      for (const id of forms) {
        const form = formOf(body, `/forms/${id}`);
        assert.match(form, /name="consent_processing"\s+value="yes"(?![^>]*checked)/, `${url} ${id}`);
        assert.match(form, /href="\/documents\/consent-processing\/versions\/1"/);
        assert.match(form, /href="\/privacy\/versions\/1"/);
        assert.match(form, /class="hp" aria-hidden="true"/);
        assert.match(form, /name="website"[^>]*tabindex="-1"[^>]*autocomplete="off"/);
        assert.match(
          form,
          id === 'review' ? /Я пишу отзыв за другого человека/ : /Я отправляю заявку за другого человека/,
        );
        assert.match(form, /name="representative_name"/);
        if (id === 'review') {
          assert.match(form, /name="consent_review"\s+value="yes"(?![^>]*checked)/);
          assert.match(form, /value="anonymous"\s+checked/);
          assert.match(form, /consent-review-publication/);
          assert.doesNotMatch(form, /consent_marketing/);
        } else {
          assert.match(form, /name="consent_marketing"\s+value="yes"(?![^>]*checked)/);
          assert.match(form, /href="\/documents\/consent-marketing\/versions\/1"/);
        }
      }
    }
  });

  it('takes a callback request once, however often the same page is posted, and thanks without data in the URL', async () => {
    const b = s.browser('192.0.2.10');
    const token = await s.filledFormToken(b, '/callback', '/forms/callback');
    const before = await s.counts();
    const fields = {
      _form_token: token,
      _page: 'callback',
      website: '',
      name: 'Анна Петрова',
      phone: '+7 912 345-67-89',
      consent_processing: 'yes',
    };
    const first = await b.post('/forms/callback', fields);
    assert.equal(first.statusCode, 303);
    assert.equal(first.headers.location, '/thanks?form=callback');
    const again = await b.post('/forms/callback', fields);
    assert.equal(again.statusCode, 303);
    const afterCounts = await s.counts();
    assert.equal(afterCounts.inquiries, before.inquiries + 1);
    const thanks = await b.get('/thanks?form=callback');
    assert.match(thanks.body, /Спасибо, заявка отправлена/);
    assert.match(thanks.body, /перезвонит/);
    // E-mail is configured here, but the callback form asks for none: no confirmation is promised;
    // the feedback form asks for one, and the confirmation is promised.
    assert.doesNotMatch(thanks.body, /подтверждение/);
    assert.match((await b.get('/thanks?form=feedback')).body, /мы пришлём на неё подтверждение/);
  });

  it('refuses a form without the consent: the error beside the checkbox, everything typed kept', async () => {
    const b = s.browser('192.0.2.11');
    const token = await s.filledFormToken(b, '/contacts', '/forms/feedback');
    const before = await s.counts();
    const res = await b.post('/forms/feedback', {
      _form_token: token,
      _page: 'contacts',
      website: '',
      name: 'Иван <b>Сидоров</b>',
      email: 'ivan@example.com',
      message: 'Когда можно сделать МРТ колена?',
      on_behalf: 'yes',
      representative_name: 'Мария Сидорова',
    });
    assert.equal(res.statusCode, 400);
    const form = formOf(res.body, '/forms/feedback');
    assert.match(
      form,
      /id="feedback-consent-processing"[^>]*aria-invalid="true"[^>]*aria-describedby="[^"]*feedback-consent-processing-error/,
    );
    assert.match(form, /<p class="field-error" id="feedback-consent-processing-error">[^<]+<\/p>/);
    assert.match(form, /value="Иван &lt;b&gt;Сидоров&lt;\/b&gt;"/);
    assert.match(form, /value="ivan@example.com"/);
    assert.match(form, />Когда можно сделать МРТ колена\?<\/textarea>/);
    assert.match(form, /name="on_behalf"\s+value="yes"\s+checked/);
    assert.match(form, /value="Мария Сидорова"/);
    // The same token comes back, so the time the form was first served still counts.
    assert.equal(formTokenOf(res.body, '/forms/feedback'), token);
    assert.match(res.body, /role="alert"/);
    assert.deepEqual(await s.counts(), before);
  });

  it('shows field errors from the intake beside their fields', async () => {
    const b = s.browser('192.0.2.12');
    const token = await s.filledFormToken(b, '/appointment', '/forms/appointment');
    const res = await b.post('/forms/appointment', {
      _form_token: token,
      _page: 'appointment',
      name: '',
      phone: 'не телефон',
      preferredDate: '2001-01-01',
      serviceOrDoctor: 'МРТ',
      consent_processing: 'yes',
    });
    assert.equal(res.statusCode, 400);
    for (const f of ['name', 'phone', 'preferredDate']) {
      const id = `appointment-${f}`;
      assert.match(res.body, new RegExp(`id="${id}"[^>]*aria-invalid="true"`), f);
      assert.match(res.body, new RegExp(`<p class="field-error" id="${id}-error">`), f);
    }
    assert.match(res.body, /value="не телефон"/);
  });

  it('answers a stale or forged token with a fresh form and a message, writing nothing', async () => {
    const b = s.browser('192.0.2.13');
    const before = await s.counts();
    const res = await b.post('/forms/callback', {
      _form_token: 'v1.forged.token',
      name: 'Анна',
      phone: '+79123456789',
      consent_processing: 'yes',
    });
    assert.equal(res.statusCode, 400);
    assert.match(res.body, /Форма устарела/);
    assert.notEqual(formTokenOf(res.body, '/forms/callback'), 'v1.forged.token');
    assert.match(res.body, /value="Анна"/);
    // A token of another form does not fit either.
    const other = await s.filledFormToken(b, '/prices', '/forms/estimate');
    const res2 = await b.post('/forms/callback', { _form_token: other, name: 'Анна', phone: '+79123456789' });
    assert.equal(res2.statusCode, 400);
    assert.deepEqual(await s.counts(), before);
  });

  it('thanks a bot that filled the honeypot, and writes nothing', async () => {
    const b = s.browser('192.0.2.14');
    const token = await s.filledFormToken(b, '/callback', '/forms/callback');
    const before = await s.counts();
    const res = await b.post('/forms/callback', {
      _form_token: token,
      website: 'http://spam.example',
      name: 'Bot',
      phone: '+79123456789',
      consent_processing: 'yes',
    });
    assert.equal(res.statusCode, 303);
    assert.equal(res.headers.location, '/thanks?form=callback');
    assert.deepEqual(await s.counts(), before);
  });

  it('answers too many submissions from one address with 429 and the form again, keeping what was typed', async () => {
    const b = s.browser('192.0.2.15');
    const limit = s.env.config.intake.rateLimit;
    for (let i = 0; i < limit; i++) {
      const token = formTokenOf((await b.get('/callback')).body, '/forms/callback');
      s.env.clock.advance(5_000);
      // Invalid submissions count too: the limit is checked before anything else.
      const r = await b.post('/forms/callback', { _form_token: token, name: '', phone: '' });
      assert.equal(r.statusCode, 400);
    }
    const before = await s.counts();
    const token = formTokenOf((await b.get('/callback')).body, '/forms/callback');
    s.env.clock.advance(5_000);
    const typed = { name: 'Мария Петрова', phone: '+7 912 000-11-22', consent_processing: 'yes' };
    const res = await b.post('/forms/callback', { _form_token: token, _page: 'callback', ...typed });
    assert.equal(res.statusCode, 429);
    assert.ok(Number(res.headers['retry-after']) > 0);
    assert.match(res.body, /Слишком много заявок за короткое время/);
    const form = formOf(res.body, '/forms/callback');
    assert.match(form, /value="Мария Петрова"/);
    assert.match(form, /value="\+7 912 000-11-22"/);
    assert.match(
      form,
      new RegExp(`name="_form_token" value="${token}"`),
      'the same token: one inquiry when sent again',
    );
    assert.deepEqual(await s.counts(), before, 'nothing written');
    // The widget's framed form likewise.
    const framed = '/embed/forms/callback?site=localhost';
    const embedToken = formTokenOf((await b.get(framed)).body, framed);
    s.env.clock.advance(5_000);
    const embed = await b.post(framed, { _form_token: embedToken, ...typed });
    assert.equal(embed.statusCode, 429);
    assert.match(formOf(embed.body, framed), /value="Мария Петрова"/);
  });

  it('refuses an unknown form and a body with unknown fields with 400', async () => {
    const b = s.browser('192.0.2.16');
    assert.equal((await b.post('/forms/unknown', { name: 'x' })).statusCode, 400);
    assert.equal((await b.post('/forms/callback', { name: 'x', isAdmin: 'yes' })).statusCode, 400);
  });

  it('serves the framed widget form for a declared site, posting back into the frame', async () => {
    const b = s.browser('192.0.2.17');
    const page = await b.get('/embed/forms/callback?site=localhost');
    assert.equal(page.statusCode, 200);
    assert.doesNotMatch(page.body, /class="site-footer"/);
    // The intake module's hook lets the operator's declared sites frame it; other pages stay unframed.
    assert.match(
      page.headers['content-security-policy'] as string,
      /frame-ancestors [^;]*http:\/\/localhost/,
    );
    const plain = await b.get('/callback');
    assert.match(plain.headers['content-security-policy'] as string, /frame-ancestors 'none'/);
    const action = '/embed/forms/callback?site=localhost';
    const token = formTokenOf(page.body, action);
    s.env.clock.advance(10_000);
    const before = await s.counts();
    const res = await b.post(action, {
      _form_token: token,
      name: 'Ольга',
      phone: '+7 912 000-00-01',
      consent_processing: 'yes',
    });
    assert.equal(res.statusCode, 303);
    assert.equal(res.headers.location, '/embed/forms/callback/thanks?site=localhost');
    assert.equal((await s.counts()).inquiries, before.inquiries + 1);
    assert.equal((await b.get(res.headers.location)).statusCode, 200);
    assert.equal((await b.get('/embed/forms/callback?site=undeclared.example')).statusCode, 404);
  });

  it('shows the policy with its version and date, keeps old versions and shows the difference', async () => {
    const b = s.browser();
    const v1 = await b.get('/privacy');
    assert.equal(v1.statusCode, 200);
    assert.match(v1.body, /Версия 1\. Последнее обновление:\s*<time datetime="\d{4}-\d{2}-\d{2}">/);
    assert.match(v1.body, /Редакция 1, опубликована \d{1,2} [а-я]+ \d{4}/);
    const changed = structuredClone((await s.env.ctx.services.policy.current(s.operatorId))!.declaration);
    changed.purposes[0]!.retention = { months: 36, from: 'consent' };
    s.env.clock.advance(86_400_000);
    changed.cookies = [
      ...changed.cookies,
      {
        name: 'sg_test_pref',
        category: 'technical',
        purpose: { ru: 'Запоминает выбранный размер шрифта' },
        lifetime: { ru: '1 год' },
      },
    ];
    await s.publish(changed);
    const v2 = await b.get('/privacy');
    assert.match(v2.body, /Версия 2\./);
    const old = await b.get('/privacy/versions/1');
    assert.equal(old.statusCode, 200);
    assert.match(old.body, /Это архивная редакция 1/);
    assert.match(old.body, /24 месяца со дня получения согласия/);
    const list = await b.get('/privacy/versions');
    assert.match(list.body, /href="\/privacy\/versions\/1"/);
    assert.match(list.body, /href="\/privacy\/versions\/2"/);
    const diff = await b.get('/privacy/diff?from=1&to=2');
    assert.equal(diff.statusCode, 200);
    assert.match(diff.body, /<ins[^>]*>[^<]*36 месяц/);
    assert.match(diff.body, /<del[^>]*>[^<]*24 месяц/);
    assert.equal((await b.get('/privacy/versions/9')).statusCode, 404);
    assert.equal((await b.get('/privacy/diff?from=1&to=x')).statusCode, 400);
    const cookies = await b.get('/cookies');
    assert.match(cookies.body, /sg_test_pref/);
    for (const slug of [
      'consent-processing',
      'consent-marketing',
      'consent-review-publication',
      'cookie-notice',
    ]) {
      const doc = await b.get(`/documents/${slug}`);
      assert.equal(doc.statusCode, 200, slug);
      assert.equal((await b.get(`/documents/${slug}/versions`)).statusCode, 200, slug);
      assert.equal((await b.get(`/documents/${slug}/versions/1`)).statusCode, 200, slug);
    }
  });
});
