import assert from 'node:assert/strict';
import { ErrorCode } from '../platform/errors.ts';
import { after, before, describe, it } from 'node:test';
import { insertOperatorWithSite, type TestOperator } from '../modules/inquiries/intake.testing.ts';
import { DEMO_DECLARATION } from '../modules/policy/index.ts';
import { systemPrincipal } from '../modules/staff/index.ts';
import { createSiteEnv, formOf, type SiteEnv } from './web.testing.ts';
import { publishedReview } from './web.reviews.testing.ts';

const HOSTILE = '<script>alert(1)</script>"\'><img src=x onerror=alert(2)>';

describe('the published reviews on the public site', () => {
  let s: SiteEnv;
  let other: TestOperator;

  before(async () => {
    s = await createSiteEnv();
    await s.publish();
    // A second clinic on its own domain, with the same published declaration.
    other = await insertOperatorWithSite(s.env, 'reviews-b');
    const system = systemPrincipal('test');
    await s.env.ctx.services.policy.saveDraft(system, other.operatorId, DEMO_DECLARATION);
    await s.env.ctx.services.policy.publish(system, other.operatorId);
  });
  after(() => s.close());

  const get = (url: string, host = 'localhost') =>
    s.app.inject({ method: 'GET', url, headers: { host, accept: 'text/html' } });
  /** Past the reviews' cache, as another instance would be after its time to live. */
  const later = () => s.env.clock.advance(60_000);

  it('says there are none yet, above the form', async () => {
    const res = await get('/reviews');
    assert.equal(res.statusCode, 200);
    assert.match(res.body, /Опубликованных отзывов пока нет/);
    assert.match(res.body, /action="\/forms\/review"/);
  });

  it('takes a review without the optional publication consent, speaking of a review throughout', async () => {
    const b = s.browser('192.0.2.40');
    const page = await b.get('/reviews');
    const form = formOf(page.body, '/forms/review');
    // Optional, as the consent's document says, and marked so; the form never says «заявка».
    assert.match(form, /name="consent_review"\s+value="yes"(?![^>]*required)/);
    assert.match(form, /Разрешаю опубликовать мой отзыв на сайте центра \(необязательно\)/);
    assert.doesNotMatch(form, /заявк/i);
    const doc = await b.get('/documents/consent-review-publication');
    assert.match(doc.body, /без него отзыв будет принят, но не опубликован/);

    const token = await s.filledFormToken(b, '/reviews', '/forms/review');
    const before = await s.counts();
    const res = await b.post('/forms/review', {
      _form_token: token,
      _page: 'reviews',
      website: '',
      name: 'Без Согласия',
      message: 'Хорошо, но публиковать не надо',
      rating: '4',
      consent_processing: 'yes',
      review_show: 'first_name',
    });
    assert.equal(res.statusCode, 303, res.body.slice(0, 300));
    assert.equal(res.headers.location, '/thanks?form=review');
    const after = await s.counts();
    assert.deepEqual(after, { inquiries: before.inquiries + 1, consents: before.consents + 1 });
    const thanks = await b.get('/thanks?form=review');
    assert.match(thanks.body, /<title>Отзыв отправлен/);
    assert.match(thanks.body, /Спасибо, отзыв отправлен/);
    assert.doesNotMatch(thanks.body, /заявк/i);

    // It is in the moderation queue, and cannot be published.
    const moderator = systemPrincipal('test-moderator');
    const queued = (await s.env.ctx.services.reviews.queue(moderator, s.operatorId)).items.find(
      (r) => r.text === 'Хорошо, но публиковать не надо',
    );
    assert.ok(queued, 'the review is in the queue');
    await assert.rejects(
      s.env.ctx.services.reviews.publish(moderator, s.operatorId, queued.id),
      (e: { code?: string }) => e.code === ErrorCode.Conflict,
    );
  });

  it('shows exactly the published reviews, newest first, signed as each consent allows', async () => {
    later();
    await publishedReview(s.env.ctx, 'localhost', {
      name: 'Вера Смирнова',
      message: 'Всё быстро.\nСпасибо!',
      show: 'first_name_initial',
    });
    s.env.clock.advance(1000);
    await publishedReview(s.env.ctx, 'localhost', {
      name: 'Ольга Петрова',
      message: 'Хорошо',
      rating: '4',
      show: 'first_name',
    });
    s.env.clock.advance(1000);
    await publishedReview(s.env.ctx, 'localhost', {
      name: 'Тайный Автор',
      message: 'Анонимно',
      rating: '3',
      show: 'anonymous',
    });
    await publishedReview(s.env.ctx, 'localhost', {
      name: 'Не Опубликован',
      message: 'Ждёт модерации',
      show: 'first_name',
      publish: false,
    });
    const res = await get('/reviews');
    assert.equal(res.statusCode, 200);
    const body = res.body;
    const order = ['Анонимно', 'Хорошо', 'Всё быстро.'].map((t) => body.indexOf(t));
    assert.ok(order.every((i) => i > 0) && order[0]! < order[1]! && order[1]! < order[2]!, String(order));
    assert.match(body, /<span class="review-author">Вера С\.<\/span>/);
    assert.match(body, /<span class="review-author">Ольга<\/span>/);
    assert.match(body, /<span class="review-author">Пациент клиники<\/span>/);
    for (const hidden of ['Смирнова', 'Петрова', 'Тайный', 'Ждёт модерации', 'Не Опубликован']) {
      assert.ok(!body.includes(hidden), hidden);
    }
    // The rating as text; the stars are decoration hidden from screen readers.
    assert.match(
      body,
      /<span class="stars" aria-hidden="true">★★★★☆<\/span>\s*<span class="rating-text">Оценка: 4 из 5<\/span>/,
    );
    assert.match(body, /Всё быстро\.\nСпасибо!/);
    // In English: the same reviews, the anonymous one signed in English.
    const en = await get('/en/reviews');
    assert.match(en.body, /<span class="review-author">Clinic patient<\/span>/);
    assert.match(en.body, /Rating: 4 out of 5/);
  });

  it('takes an unpublished review off the page at once', async () => {
    const id = await publishedReview(s.env.ctx, 'localhost', {
      name: 'Снимут',
      message: 'Скоро снимут',
      show: 'first_name',
    });
    later();
    assert.match((await get('/reviews')).body, /Скоро снимут/);
    const match = await s.env.ctx.services.operators.findByHost('localhost');
    await s.env.ctx.services.reviews.unpublish(systemPrincipal('test'), match!.operator.id, id);
    assert.doesNotMatch((await get('/reviews')).body, /Скоро снимут/);
  });

  it('shows each clinic only its own reviews', async () => {
    await publishedReview(s.env.ctx, other.domain, {
      name: 'Борис',
      message: 'Отзыв о клинике Б',
      show: 'first_name',
    });
    later();
    const a = await get('/reviews');
    const b = await get('/reviews', other.domain);
    assert.equal(b.statusCode, 200);
    assert.match(b.body, /Отзыв о клинике Б/);
    assert.doesNotMatch(b.body, /Всё быстро/);
    assert.doesNotMatch(a.body, /Отзыв о клинике Б/);
  });

  it('shows hostile text escaped', async () => {
    await publishedReview(s.env.ctx, 'localhost', {
      name: `${HOSTILE} Зло`,
      message: HOSTILE,
      show: 'first_name',
    });
    later();
    const body = (await get('/reviews')).body;
    assert.ok(!body.includes('<script>alert(1)'));
    assert.ok(!body.includes('<img src=x'));
    assert.ok(
      body.includes('&lt;script&gt;alert(1)&lt;/script&gt;&quot;&#39;&gt;&lt;img src=x onerror=alert(2)&gt;'),
    );
  });

  it('pages the list; a page number that is not one shows the first page', async () => {
    const c = await insertOperatorWithSite(s.env, 'reviews-c');
    const system = systemPrincipal('test');
    await s.env.ctx.services.policy.saveDraft(system, c.operatorId, DEMO_DECLARATION);
    await s.env.ctx.services.policy.publish(system, c.operatorId);
    for (let i = 1; i <= 12; i++) {
      s.env.clock.advance(1000);
      await publishedReview(s.env.ctx, c.domain, {
        name: `Автор${i}`,
        message: `Отзыв номер ${i}.`,
        show: 'first_name',
      });
    }
    later();
    const first = await get('/reviews', c.domain);
    assert.equal((first.body.match(/class="review"/g) ?? []).length, 10);
    assert.match(first.body, /Отзыв номер 12\./);
    assert.doesNotMatch(first.body, /Отзыв номер 2\./);
    assert.match(first.body, /Страница 1 из 2/);
    assert.match(first.body, /<a href="\/reviews\?page=2" rel="next">/);
    const second = await get('/reviews?page=2', c.domain);
    assert.equal((second.body.match(/class="review"/g) ?? []).length, 2);
    assert.match(second.body, /Отзыв номер 1\./);
    assert.match(second.body, /<a href="\/reviews" rel="prev">/);
    assert.match(second.body, /hreflang="en" href="\/en\/reviews\?page=2"/);
    assert.match((await get('/en/reviews?page=2', c.domain)).body, /<a href="\/en\/reviews" rel="prev">/);
    for (const q of ['?page=abc', '?page=0', '?page=99999999', '?utm_source=mail&page=1']) {
      const res = await get(`/reviews${q}`, c.domain);
      assert.equal(res.statusCode, 200, q);
      assert.match(res.body, /Страница 1 из 2/, q);
    }
    const past = await get('/reviews?page=3', c.domain);
    assert.equal(past.statusCode, 200);
    assert.match(past.body, /На этой странице отзывов нет/);
  });
});
