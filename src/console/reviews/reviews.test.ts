import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { IntakeService } from '../../modules/inquiries/index.ts';
import {
  insertOperatorWithSite,
  testIntakeFor,
  type TestOperator,
} from '../../modules/inquiries/intake.testing.ts';
import { submitReview } from '../../modules/reviews/reviews.testing.ts';
import { createConsoleEnv, csrfOf, type Browser, type ConsoleEnv } from '../shared/console.testing.ts';

const MOD_A = 'moderator@a.example';
const MOD_B = 'moderator@b.example';
const AGENT_A = 'agent@a.example';
const HOSTILE = '<script>alert(1)</script>"\'><img src=x onerror=alert(2)>';

describe('console: review moderation', () => {
  let c: ConsoleEnv;
  let a: TestOperator;
  let b: TestOperator;
  let intake: IntakeService;
  let modA: Browser;
  let modB: Browser;
  let queueA: string;

  const audited = async (action: string, objectId: string) => (await c.audit({ action, objectId })).length;

  before(async () => {
    c = await createConsoleEnv();
    a = await insertOperatorWithSite(c.env, 'cr-a');
    b = await insertOperatorWithSite(c.env, 'cr-b');
    intake = testIntakeFor(c.env, [a, b]);
    await c.createStaff({ email: MOD_A, roles: [{ operatorId: a.operatorId, role: 'moderator' }] });
    await c.createStaff({ email: MOD_B, roles: [{ operatorId: b.operatorId, role: 'moderator' }] });
    await c.createStaff({ email: AGENT_A, roles: [{ operatorId: a.operatorId, role: 'agent' }] });
    modA = c.browser();
    assert.equal((await modA.login(MOD_A)).statusCode, 303);
    modB = c.browser({ ip: '127.0.0.2' });
    assert.equal((await modB.login(MOD_B)).statusCode, 303);
    queueA = `/console/operators/${a.operatorId}/reviews`;
  });
  after(() => c.close());

  it('leads from the nav link to the only queue, pending first, with the signature the consent allows', async () => {
    const id = await submitReview(intake, a, { name: 'Вера Смирнова', message: 'Первая\nвторая строка' });
    const home = await modA.get('/console');
    assert.match(home.body, /href="\/console\/reviews"/);
    const index = await modA.get('/console/reviews');
    assert.equal(index.statusCode, 303);
    assert.equal(index.headers.location, queueA);
    const page = await modA.get(queueA);
    assert.equal(page.statusCode, 200);
    assert.match(page.body, new RegExp(`data-review="${id}"\\s+data-state="pending"`));
    assert.match(page.body, /Ждут решения \(1\)/);
    assert.match(page.body, /Вера С\./);
    assert.match(page.body, /Первая<br \/>вторая строка/);
    assert.ok(!page.body.includes('Вера Смирнова'), 'the name itself is not shown, only signatures');
    // Both readings of the name are offered, as buttons of one form.
    assert.match(page.body, /name="order" value="given_first"[^>]*>\s*Опубликовать с подписью «Вера С\.»/);
    assert.match(
      page.body,
      /name="order" value="surname_first"[^>]*>\s*Опубликовать с подписью «Смирнова В\.»/,
    );
    assert.equal(await audited('review.read', id), 1);
  });

  it('publishes, takes down and rejects through form posts, each audited, back to the queue with a notice', async () => {
    const id = await submitReview(intake, a, { name: 'Ольга Петрова', show: 'first_name' });
    const published = await modA.submit(queueA, `${queueA}/${id}/publish`, { order: 'given_first' });
    assert.equal(published.statusCode, 303);
    assert.equal(published.headers.location, `${queueA}?state=pending&page=1&m=published`);
    assert.match((await modA.get(published.headers.location)).body, /Отзыв опубликован\./);
    assert.equal(await audited('review.publish', id), 1);
    const list = await modA.get(`${queueA}?state=published`);
    assert.match(list.body, new RegExp(`data-review="${id}"\\s+data-state="published"`));
    const down = await modA.submit(`${queueA}?state=published`, `${queueA}/${id}/unpublish`, {
      state: 'published',
    });
    assert.equal(down.headers.location, `${queueA}?state=published&page=1&m=unpublished`);
    assert.equal(await audited('review.unpublish', id), 1);
    const rejected = await modA.submit(queueA, `${queueA}/${id}/reject`, { state: 'unpublished' });
    assert.equal(rejected.statusCode, 303);
    assert.equal(await audited('review.reject', id), 1);
    assert.match((await modA.get(`${queueA}?state=rejected`)).body, new RegExp(`data-review="${id}"`));
  });

  it('refuses to publish without a live consent: no button, and a forged post gets 409 with the reason', async () => {
    const id = await submitReview(intake, a, { name: 'Нина Котова' });
    await (
      await c.env.admin()
    ).query(
      `UPDATE consent_records SET withdrawn_at = now(), withdrawn_channel = 'email'
       WHERE inquiry_id = $1 AND kind = 'review_publication'`,
      [id],
    );
    const page = await modA.get(queueA);
    const card = page.body.slice(page.body.indexOf(`data-review="${id}"`));
    const end = card.indexOf('</article>');
    assert.match(card.slice(0, end), /отозвано: публиковать нельзя/);
    assert.doesNotMatch(card.slice(0, end), /\/publish"/);
    const res = await modA.post(`${queueA}/${id}/publish`, { _csrf: csrfOf(page.body) });
    assert.equal(res.statusCode, 409);
    assert.match(res.body, /Не получилось: Автор не дал согласия на публикацию отзыва или отозвал его/);
    assert.equal(await audited('review.publish', id), 0);
  });

  it('gives staff of another operator 404 for the queue and every review of it; an agent is refused', async () => {
    const ofA = await submitReview(intake, a);
    const csrfB = csrfOf((await modB.get('/console')).body);
    assert.equal((await modB.get(queueA)).statusCode, 404);
    for (const verb of ['publish', 'unpublish', 'reject']) {
      // Under A's id and under B's own: not found either way.
      assert.equal((await modB.post(`${queueA}/${ofA}/${verb}`, { _csrf: csrfB })).statusCode, 404, verb);
      const underB = `/console/operators/${b.operatorId}/reviews/${ofA}/${verb}`;
      assert.equal((await modB.post(underB, { _csrf: csrfB })).statusCode, 404, verb);
    }
    assert.equal(await audited('review.publish', ofA), 0);
    assert.equal(await audited('review.read', ofA), 0);
    // B's queue shows nothing of A.
    const queueB = await modB.get(`/console/operators/${b.operatorId}/reviews`);
    assert.equal(queueB.statusCode, 200);
    assert.ok(!queueB.body.includes(ofA));
    const agent = c.browser({ ip: '127.0.0.3' });
    assert.equal((await agent.login(AGENT_A)).statusCode, 303);
    assert.equal((await agent.get(queueA)).statusCode, 403);
    const index = await agent.get('/console/reviews');
    assert.equal(index.statusCode, 200);
    assert.match(index.body, /Нет организаций, где вы модерируете отзывы/);
    // A forged token is refused before anything else.
    assert.equal((await modA.post(`${queueA}/${ofA}/publish`, { _csrf: 'forged' })).statusCode, 403);
  });

  it('shows hostile text escaped', async () => {
    const id = await submitReview(intake, a, {
      name: `${HOSTILE} Зло`,
      message: HOSTILE,
      show: 'first_name',
    });
    const page = await modA.get(queueA);
    assert.ok(page.body.includes(`data-review="${id}"`));
    assert.ok(!page.body.includes('<script>alert(1)'));
    assert.ok(!page.body.includes('<img src=x'));
    assert.ok(
      page.body.includes(
        '&lt;script&gt;alert(1)&lt;/script&gt;&quot;&#39;&gt;&lt;img src=x onerror=alert(2)&gt;',
      ),
    );
  });

  it('answers malformed ids and states with 400, not 500', async () => {
    assert.equal((await modA.get(`${queueA}?state=nonsense`)).statusCode, 400);
    assert.equal((await modA.get(`${queueA}?page=0`)).statusCode, 400);
    assert.equal((await modA.get('/console/operators/not-a-uuid/reviews')).statusCode, 400);
    const csrf = csrfOf((await modA.get(queueA)).body);
    assert.equal((await modA.post(`${queueA}/not-a-uuid/publish`, { _csrf: csrf })).statusCode, 400);
    const id = await submitReview(intake, a);
    assert.equal((await modA.post(`${queueA}/${id}/publish`, { _csrf: csrf, order: 'x' })).statusCode, 400);
    assert.equal((await modA.post(`${queueA}/${id}/publish`, { _csrf: csrf, extra: '1' })).statusCode, 400);
    assert.equal(await audited('review.publish', id), 0);
  });
});
