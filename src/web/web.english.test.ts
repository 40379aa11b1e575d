import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SURFACES } from '../composition/surfaces.ts';
import { renderHtmlError } from '../console/index.ts';
import type { App } from '../app.ts';
import { createSiteEnv, formOf, formTokenOf, type SiteEnv } from './web.testing.ts';

const EN_PAGES = [
  '/en/',
  '/en/about',
  '/en/prices',
  '/en/appointment',
  '/en/callback',
  '/en/reviews',
  '/en/contacts',
  '/en/thanks',
  '/en/cookies',
];

const CYRILLIC = /[\u0400-\u04ff]/u;

describe('the English public site over HTTP', () => {
  let s: SiteEnv;
  let crashApp: App;
  const pd = 'Иванова Анна, ivanova@example.ru';

  before(async () => {
    s = await createSiteEnv();
    await s.publish();
    // The same surfaces plus a route that fails with personal data in its error, for the 500 page.
    crashApp = await s.env.app({
      surfaces: [
        ...SURFACES,
        async (a) => {
          a.get('/test/crash', async () => {
            throw new TypeError(`cannot read ${pd}`);
          });
        },
      ],
      renderHtmlError,
    });
  });
  after(async () => {
    await s?.close();
  });

  it('serves every page in English under /en with <html lang="en">, English frame and a switch back', async () => {
    const b = s.browser();
    for (const url of EN_PAGES) {
      const res = await b.get(url);
      assert.equal(res.statusCode, 200, url);
      assert.match(res.body, /<html lang="en">/, url);
      assert.match(res.body, /href="\/en\/privacy">Privacy policy<\/a>/, url);
      assert.match(res.body, /href="\/en\/cookies">Cookie settings<\/a>/, url);
      assert.match(res.body, /<a href="\/en\/about"[^>]*>About the centre<\/a/, url);
      const path = url === '/en/' ? '/' : url.slice(3);
      assert.match(
        res.body,
        new RegExp(`<a class="lang-switch" href="${path}" hreflang="ru" lang="ru"\\s*>Русский</a`),
        url,
      );
      assert.match(res.body, new RegExp(`<link rel="alternate" hreflang="en" href="${url}" />`), url);
      assert.doesNotMatch(res.body, /<script|style="|<style/, url);
    }
    // The Russian pages link to their English twins.
    const ru = await b.get('/about');
    assert.match(ru.body, /<html lang="ru">/);
    assert.match(ru.body, /<a class="lang-switch" href="\/en\/about" hreflang="en" lang="en"\s*>English<\/a/);
    // The English home page without its slash leads to it.
    const bare = await b.get('/en');
    assert.equal(bare.statusCode, 301);
    assert.equal(bare.headers.location, '/en/');
    // The demo clinic's own texts are in English too.
    const home = await b.get('/en/');
    assert.match(home.body, /Magnetic resonance imaging on a modern high-field scanner/);
    assert.doesNotMatch(home.body, /Магнитно-резонансная/);
  });

  it('puts the English forms on the English pages, linked to the English documents', async () => {
    const body = (await s.browser().get('/en/')).body;
    for (const id of ['appointment', 'callback']) {
      const form = formOf(body, `/en/forms/${id}`);
      assert.match(form, /I consent to the processing of my personal data to answer this request/);
      assert.match(form, /name="consent_processing"\s+value="yes"(?![^>]*checked)/);
      assert.match(form, /href="\/en\/documents\/consent-processing\/versions\/1"/);
      assert.match(form, /href="\/en\/privacy\/versions\/1"/);
      assert.match(form, /href="\/en\/documents\/consent-marketing\/versions\/1"/);
      assert.match(form, /\(version 1 of \d{1,2} [A-Z][a-z]+ \d{4}\)/);
      assert.doesNotMatch(form, /href="\/(privacy|documents)\//);
      assert.doesNotMatch(form.replace(/value="[^"]*"/g, ''), CYRILLIC, id);
    }
  });

  it("records an English form's consents against the English documents, and thanks in English", async () => {
    const b = s.browser('192.0.2.40');
    const token = await s.filledFormToken(b, '/en/callback', '/en/forms/callback');
    const res = await b.post('/en/forms/callback', {
      _form_token: token,
      _page: 'callback',
      website: '',
      name: 'Anna Petrova',
      phone: '+7 912 345-67-80',
      consent_processing: 'yes',
      consent_marketing: 'yes',
    });
    assert.equal(res.statusCode, 303);
    assert.equal(res.headers.location, '/en/thanks?form=callback');
    const thanks = await b.get(res.headers.location);
    assert.match(thanks.body, /<html lang="en">/);
    assert.match(thanks.body, /Thank you, your request has been sent/);
    assert.match(thanks.body, /The administrator will call you back during working hours\./);

    const policy = (await s.env.ctx.services.policy.current(s.operatorId))!;
    const admin = await s.env.admin();
    const { rows } = await admin.query<{
      kind: string;
      document_id: string;
      document_sha256: string;
      page: string;
    }>(
      `SELECT c.kind, c.document_id, c.document_sha256, i.page FROM consent_records c
       JOIN inquiries i ON i.id = c.inquiry_id ORDER BY i.created_at DESC, c.kind LIMIT 2`,
    );
    assert.deepEqual(
      rows.map((r) => [r.kind, r.document_id, r.document_sha256, r.page]),
      [
        [
          'marketing',
          policy.documentsEn!.consent_marketing.id,
          policy.documentsEn!.consent_marketing.sha256,
          '/en/callback',
        ],
        [
          'processing',
          policy.documentsEn!.consent_processing.id,
          policy.documentsEn!.consent_processing.sha256,
          '/en/callback',
        ],
      ],
    );
  });

  it('shows the intake field errors in English beside their fields, keeping what was typed', async () => {
    const b = s.browser('192.0.2.41');
    const token = await s.filledFormToken(b, '/en/appointment', '/en/forms/appointment');
    const before = await s.counts();
    const res = await b.post('/en/forms/appointment', {
      _form_token: token,
      _page: 'appointment',
      name: '',
      phone: 'not a phone',
      preferredDate: '2001-01-01',
      preferredTime: '25:00',
      serviceOrDoctor: 'x'.repeat(1001),
      on_behalf: 'yes',
      representative_name: '',
    });
    assert.equal(res.statusCode, 400);
    const form = formOf(res.body, '/en/forms/appointment');
    const errorOf = (id: string) =>
      new RegExp(`<p class="field-error" id="appointment-${id}-error">([^<]+)</p>`).exec(form)?.[1];
    assert.equal(errorOf('name'), 'Please fill in this field');
    assert.equal(errorOf('phone'), 'The phone number is not valid');
    assert.equal(errorOf('preferredDate'), 'This date has already passed');
    assert.equal(errorOf('preferredTime'), 'Enter the time as HH:MM');
    assert.equal(errorOf('serviceOrDoctor'), 'At most 1000 characters');
    assert.equal(
      errorOf('consent-processing'),
      'We cannot accept the request without your consent to the processing of personal data',
    );
    assert.equal(errorOf('representative-name'), 'Enter who is sending the request');
    assert.match(res.body, /The request was not sent\. Please correct:/);
    assert.match(form, /value="not a phone"/);
    const summary = /<div class="alert alert-error"[\s\S]*?<\/div>/.exec(res.body)![0];
    assert.doesNotMatch(summary, CYRILLIC);
    assert.deepEqual(await s.counts(), before);

    // A stale token: the form comes back fresh, with the English message.
    const stale = await b.post('/en/forms/callback', { _form_token: 'v1.forged', name: 'Anna' });
    assert.equal(stale.statusCode, 400);
    assert.match(stale.body, /The form has expired/);
  });

  it('shows the English policy with its version and date, keeps old versions readable and diffs them', async () => {
    const b = s.browser();
    const v1 = await b.get('/en/privacy');
    assert.equal(v1.statusCode, 200);
    assert.match(v1.body, /<article class="policy-document" lang="en">/);
    assert.match(
      v1.body,
      /Version 1\. Last updated:\s*<time datetime="\d{4}-\d{2}-\d{2}">\d{1,2} [A-Z][a-z]+ \d{4}</,
    );
    assert.match(v1.body, /Russian text is the binding one and prevails/);
    assert.match(v1.body, /Version 1, published \d{1,2} [A-Z][a-z]+ \d{4}\./);
    assert.match(v1.body, /<a href="\/privacy" hreflang="ru" lang="ru">/);

    const changed = structuredClone((await s.env.ctx.services.policy.current(s.operatorId))!.declaration);
    changed.purposes[0]!.retention = { months: 36, from: 'consent' };
    s.env.clock.advance(86_400_000);
    await s.publish(changed);

    assert.match((await b.get('/en/privacy')).body, /Version 2\./);
    const old = await b.get('/en/privacy/versions/1');
    assert.equal(old.statusCode, 200);
    assert.match(old.body, /This is archived version 1 of/);
    assert.match(old.body, /24 months from the day consent is given/);
    // The switch of an archived version leads to the other language's archive (numbers differ).
    assert.match(old.body, /class="lang-switch" href="\/privacy\/versions"/);
    const list = await b.get('/en/privacy/versions');
    assert.match(list.body, /href="\/en\/privacy\/versions\/1"/);
    assert.match(list.body, /href="\/en\/privacy\/diff\?from=1&amp;to=2"/);
    const diff = await b.get('/en/privacy/diff?from=1&to=2');
    assert.equal(diff.statusCode, 200);
    assert.match(diff.body, /<ins>[^<]*36 months/);
    assert.match(diff.body, /<del>[^<]*24 months/);
    for (const slug of [
      'consent-processing',
      'consent-marketing',
      'consent-review-publication',
      'cookie-notice',
    ]) {
      const doc = await b.get(`/en/documents/${slug}`);
      assert.equal(doc.statusCode, 200, slug);
      assert.match(doc.body, /<article class="policy-document" lang="en">/, slug);
    }
  });

  it('renders errors on a clinic host in its own frame and language; the console keeps its own', async () => {
    const b = s.browser();
    const ru = await b.get('/no-such-page');
    assert.equal(ru.statusCode, 404);
    assert.match(ru.body, /<html lang="ru">/);
    assert.match(ru.body, /<h1>Страница не найдена<\/h1>/);
    assert.match(ru.body, /class="site-footer"/);
    assert.match(ru.body, /href="\/assets\/site\.css/);

    const en = await b.get('/en/no-such-page?name=Ivanova');
    assert.equal(en.statusCode, 404);
    assert.match(en.body, /<html lang="en">/);
    assert.match(en.body, /<h1>Page not found<\/h1>/);
    assert.match(en.body, /href="\/en\/privacy">Privacy policy/);
    assert.doesNotMatch(en.body, /Ivanova|no-such-page/);

    // A refused request (a malformed query) and a failure, in the site's frame; the 500 says nothing
    // but a correlation id.
    const bad = await b.get('/en/privacy/diff?from=1&to=x');
    assert.equal(bad.statusCode, 400);
    assert.match(bad.body, /<html lang="en">[\s\S]*The request was not accepted/);
    const crash = await crashApp.inject({
      method: 'GET',
      url: '/test/crash',
      headers: { accept: 'text/html' },
    });
    assert.equal(crash.statusCode, 500);
    assert.match(crash.body, /class="site-header"/);
    assert.match(crash.body, /Что-то пошло не так/);
    assert.ok(crash.body.includes(String(crash.headers['x-request-id'])));
    assert.doesNotMatch(crash.body, /Иванова|ivanova|TypeError|cannot read/);

    // The console, on the same host, keeps its layout; JSON clients still get JSON.
    const console404 = await b.get('/console/no-such-page');
    assert.equal(console404.statusCode, 404);
    assert.match(console404.body, /href="\/console\/assets\/console\.css/);
    assert.doesNotMatch(console404.body, /class="site-footer"/);
    const json = await s.app.inject({
      method: 'GET',
      url: '/no-such-page',
      headers: { accept: 'application/json' },
    });
    assert.equal(json.statusCode, 404);
    assert.equal(json.json<{ error: { code: string } }>().error.code, 'not_found');

    // A host that is no clinic's keeps the app's page.
    const other = await s.app.inject({
      method: 'GET',
      url: '/no-such-page',
      headers: { host: 'unknown-clinic.example', accept: 'text/html' },
    });
    assert.equal(other.statusCode, 404);
    assert.doesNotMatch(other.body, /class="site-footer"/);
    assert.match((await b.get('/en/', { host: 'unknown-clinic.example' })).body, /<h1>Site not found<\/h1>/);
  });

  it('frames the widget form in English with ?lang=en and keeps the language through its answers', async () => {
    const b = s.browser('192.0.2.42');
    const url = '/embed/forms/callback?site=localhost&lang=en';
    const page = await b.get(url);
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /<html lang="en">/);
    assert.match(page.body, /<h1 id="callback-title">Request a call<\/h1>/);
    assert.match(page.body, /href="\/en\/documents\/consent-processing\/versions\/\d+"/);
    const action = '/embed/forms/callback?site=localhost&amp;lang=en';
    assert.ok(page.body.includes(`action="${action}"`));
    const token = formTokenOf(page.body, action);
    s.env.clock.advance(10_000);
    const refused = await b.post('/embed/forms/callback?site=localhost&lang=en', {
      _form_token: token,
      name: 'Olga',
    });
    assert.equal(refused.statusCode, 400);
    assert.match(refused.body, /Please fill in this field/);
    const res = await b.post('/embed/forms/callback?site=localhost&lang=en', {
      _form_token: token,
      name: 'Olga',
      phone: '+7 912 000-00-09',
      consent_processing: 'yes',
    });
    assert.equal(res.statusCode, 303);
    assert.equal(res.headers.location, '/embed/forms/callback/thanks?site=localhost&lang=en');
    assert.match((await b.get(res.headers.location)).body, /<html lang="en">[\s\S]*Thank you/);
    // The Russian frame is as it was, and a language it does not know is refused.
    assert.match((await b.get('/embed/forms/callback?site=localhost')).body, /<html lang="ru">/);
    assert.equal((await b.get('/embed/forms/callback?site=localhost&lang=de')).statusCode, 400);
  });
});
