import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { createTestEnv, type TestEnv } from '../../../test/harness.ts';
import { rejectsWith } from '../../../test/rejects.ts';
import { ErrorCode } from '../../platform/errors.ts';
import type { IntakeService } from '../inquiries/index.ts';
import {
  insertOperatorWithSite,
  policySource,
  staffPrincipal,
  testIntake,
  testPolicy,
  type TestOperator,
} from '../inquiries/intake.testing.ts';
import { systemPrincipal, type Principal } from '../staff/index.ts';
import { reviewSignature } from './review-signature.ts';
import { REVIEWS_CACHE_TTL_MS, ReviewsService } from './reviews.service.ts';
import { submitReview } from './reviews.testing.ts';

describe('reviewSignature', () => {
  it('shows only what the consent allows, and less when a part is missing', () => {
    assert.equal(reviewSignature('Вера Смирнова', 'first_name_initial'), 'Вера С.');
    assert.equal(reviewSignature('  вера   смирнова  ', 'first_name_initial'), 'вера С.');
    assert.equal(reviewSignature('Вера Смирнова', 'first_name'), 'Вера');
    assert.equal(reviewSignature('Вера Смирнова', 'anonymous'), null);
    assert.equal(reviewSignature('Вера', 'first_name_initial'), 'Вера');
    assert.equal(reviewSignature('«Вера», С.', 'first_name_initial'), 'Вера С.');
    assert.equal(reviewSignature('Анна-Мария Ёлкина-Палкина', 'first_name_initial'), 'Анна-Мария Ё.');
    // Surname first: the first name is the second word, the initial the first word's.
    assert.equal(reviewSignature('Смирнова Вера Ивановна', 'first_name_initial', 'surname_first'), 'Вера С.');
    assert.equal(reviewSignature('Смирнова Вера', 'first_name', 'surname_first'), 'Вера');
    // A lone surname has no first name to show.
    assert.equal(reviewSignature('Смирнова', 'first_name', 'surname_first'), null);
    assert.equal(reviewSignature('', 'first_name'), null);
    assert.equal(reviewSignature(undefined, 'first_name_initial'), null);
    assert.equal(reviewSignature('... ---', 'first_name'), null);
  });
});

describe('ReviewsService', () => {
  let env: TestEnv;
  let a: TestOperator;
  let b: TestOperator;
  let intake: IntakeService;
  let reviews: ReviewsService;
  let moderator: Principal;
  let agent: Principal;
  let moderatorB: Principal;
  let moderatorId: string;

  const q = async <R extends object>(sql: string, params: unknown[] = []): Promise<R[]> =>
    (await (await env.admin()).query<R>(sql, params)).rows;

  before(async () => {
    env = await createTestEnv();
    a = await insertOperatorWithSite(env, 'rv-a');
    b = await insertOperatorWithSite(env, 'rv-b');
    intake = testIntake(
      env,
      policySource({
        [a.operatorId]: await testPolicy(env, a.operatorId),
        [b.operatorId]: await testPolicy(env, b.operatorId),
      }),
    );
    reviews = env.ctx.services.reviews;
    moderatorId = randomUUID();
    moderator = staffPrincipal(moderatorId, { [a.operatorId]: ['moderator'] });
    agent = staffPrincipal(randomUUID(), { [a.operatorId]: ['agent'] });
    moderatorB = staffPrincipal(randomUUID(), { [b.operatorId]: ['moderator'] });
  });
  after(() => env.close());

  const audit = async (action: string, objectId: string) =>
    q<{ actor_id: string; subject_id: string; operator_id: string }>(
      'SELECT actor_id, subject_id, operator_id FROM audit_log WHERE action = $1 AND object_id = $2 ORDER BY id',
      [action, objectId],
    );

  /** The public list read past the cache (the time to live elapses first). */
  const fresh = async (operatorId: string, page = 1) => {
    env.clock.advance(REVIEWS_CACHE_TTL_MS);
    return reviews.published(operatorId, page);
  };

  it('queues new reviews as pending, decrypted, with the signature the consent allows, each read audited', async () => {
    const id = await submitReview(intake, a, { name: 'Вера Смирнова', show: 'first_name_initial' });
    const page = await reviews.queue(moderator, a.operatorId);
    assert.equal(page.state, 'pending');
    const item = page.items.find((i) => i.id === id);
    assert.ok(item);
    assert.equal(item.state, 'pending');
    assert.equal(item.text, 'Всё быстро и вежливо.');
    assert.equal(item.rating, 5);
    assert.equal(item.consent, 'live');
    assert.equal(item.show, 'first_name_initial');
    assert.deepEqual(item.signatures, { given_first: 'Вера С.', surname_first: 'Смирнова В.' });
    // The moderator never gets the name itself.
    assert.ok(
      !JSON.stringify(item).includes('Смирнова Вера') && !JSON.stringify(item).includes('Вера Смирнова'),
    );
    assert.ok(page.counts.pending >= 1);
    const reads = await audit('review.read', id);
    assert.equal(reads.length, 1);
    assert.equal(reads[0]!.actor_id, moderatorId);
  });

  it('publishes exactly what each consent allows: first name and initial, first name, or nobody', async () => {
    const ids = {
      initial: await submitReview(intake, a, {
        name: 'Ольга Петрова',
        message: 'Первый\nотзыв ',
        show: 'first_name_initial',
      }),
      first: await submitReview(intake, a, {
        name: 'Ольга Петрова',
        message: 'Второй',
        rating: '4',
        show: 'first_name',
      }),
      anon: await submitReview(intake, a, {
        name: 'Ольга Петрова',
        message: 'Третий',
        rating: '3',
        show: 'anonymous',
      }),
    };
    for (const id of [ids.initial, ids.first, ids.anon]) {
      env.clock.advance(1000);
      const r = await reviews.publish(moderator, a.operatorId, id);
      assert.deepEqual(r, { id, state: 'published', changed: true });
      assert.equal((await audit('review.publish', id)).length, 1);
    }
    const page = await fresh(a.operatorId);
    const byId = new Map(page.items.map((i) => [i.id, i]));
    assert.equal(byId.get(ids.initial)?.author, 'Ольга П.');
    assert.equal(byId.get(ids.initial)?.text, 'Первый\nотзыв');
    assert.equal(byId.get(ids.first)?.author, 'Ольга');
    assert.equal(byId.get(ids.first)?.rating, 4);
    assert.equal(byId.get(ids.anon)?.author, null);
    // Newest first.
    assert.deepEqual(
      page.items.slice(0, 3).map((i) => i.id),
      [ids.anon, ids.first, ids.initial],
    );
    // Publishing again changes nothing.
    assert.deepEqual(await reviews.publish(moderator, a.operatorId, ids.anon), {
      id: ids.anon,
      state: 'published',
      changed: false,
    });
    // The stored copy is ciphertext, not the text.
    const [row] = await q<{ text_enc: Buffer; author_enc: Buffer | null }>(
      'SELECT text_enc, author_enc FROM reviews WHERE inquiry_id = $1',
      [ids.initial],
    );
    assert.ok(!row!.text_enc.toString('utf8').includes('Первый'));
  });

  it('reads a surname-first name the way the moderator says', async () => {
    const id = await submitReview(intake, a, { name: 'Кузнецова Анна Павловна', message: 'Хорошо' });
    await reviews.publish(moderator, a.operatorId, id, { order: 'surname_first' });
    const page = await fresh(a.operatorId);
    assert.equal(page.items.find((i) => i.id === id)?.author, 'Анна К.');
  });

  it('publishes only reviews with a live publication consent', async () => {
    const none = await submitReview(intake, a);
    await q(`DELETE FROM consent_records WHERE inquiry_id = $1 AND kind = 'review_publication'`, [none]);
    await rejectsWith(reviews.publish(moderator, a.operatorId, none), ErrorCode.Conflict);
    const withdrawn = await submitReview(intake, a);
    await q(
      `UPDATE consent_records SET withdrawn_at = now(), withdrawn_channel = 'email'
       WHERE inquiry_id = $1 AND kind = 'review_publication'`,
      [withdrawn],
    );
    await rejectsWith(reviews.publish(moderator, a.operatorId, withdrawn), ErrorCode.Conflict);
    const items = (await reviews.queue(moderator, a.operatorId)).items;
    assert.equal(items.find((i) => i.id === none)?.consent, 'none');
    assert.equal(items.find((i) => i.id === withdrawn)?.consent, 'withdrawn');
    assert.equal(
      (await q('SELECT 1 FROM reviews WHERE inquiry_id = ANY($1::uuid[])', [[none, withdrawn]])).length,
      0,
    );
    // Nothing of them on the public page.
    const page = await fresh(a.operatorId);
    assert.ok(!page.items.some((i) => i.id === none || i.id === withdrawn));
  });

  it('unpublishes on demand: gone from this instance at once, erased, and can be published again', async () => {
    const id = await submitReview(intake, a, { message: 'Снимут и вернут' });
    await reviews.publish(moderator, a.operatorId, id);
    assert.ok((await reviews.published(a.operatorId)).items.some((i) => i.id === id));
    assert.deepEqual(await reviews.unpublish(moderator, a.operatorId, id), {
      id,
      state: 'unpublished',
      changed: true,
    });
    // No clock advance: the change cleared the cache.
    assert.ok(!(await reviews.published(a.operatorId)).items.some((i) => i.id === id));
    const [row] = await q<{
      state: string;
      text_enc: Buffer | null;
      author_enc: Buffer | null;
      unpublish_reason: string;
    }>('SELECT state, text_enc, author_enc, unpublish_reason FROM reviews WHERE inquiry_id = $1', [id]);
    assert.deepEqual(row, {
      state: 'unpublished',
      text_enc: null,
      author_enc: null,
      unpublish_reason: 'staff',
    });
    assert.equal((await audit('review.unpublish', id)).length, 1);
    assert.equal((await reviews.unpublish(moderator, a.operatorId, id)).changed, false);
    const listed = await reviews.queue(moderator, a.operatorId, { state: 'unpublished' });
    assert.equal(listed.items.find((i) => i.id === id)?.unpublishReason, 'staff');
    await reviews.publish(moderator, a.operatorId, id);
    assert.ok((await reviews.published(a.operatorId)).items.some((i) => i.id === id));
  });

  it('rejects pending reviews; a published one must be taken down first', async () => {
    const id = await submitReview(intake, a, { message: 'Отклонят' });
    assert.deepEqual(await reviews.reject(moderator, a.operatorId, id), {
      id,
      state: 'rejected',
      changed: true,
    });
    assert.equal((await audit('review.reject', id)).length, 1);
    const rejected = await reviews.queue(moderator, a.operatorId, { state: 'rejected' });
    assert.ok(rejected.items.some((i) => i.id === id));
    assert.ok(!(await reviews.queue(moderator, a.operatorId)).items.some((i) => i.id === id));
    const published = await submitReview(intake, a);
    await reviews.publish(moderator, a.operatorId, published);
    await rejectsWith(reviews.reject(moderator, a.operatorId, published), ErrorCode.Conflict);
    await rejectsWith(reviews.unpublish(moderator, a.operatorId, id), ErrorCode.Conflict);
  });

  it('takes every review of the subject down for good when the consent is withdrawn', async () => {
    const published = await submitReview(intake, a, { name: 'Ирина Белова', message: 'Отзову' });
    const [{ subject_id: subjectId }] = (await q<{ subject_id: string }>(
      'SELECT subject_id FROM inquiries WHERE id = $1',
      [published],
    )) as [{ subject_id: string }];
    await reviews.publish(moderator, a.operatorId, published);
    const n = await env.ctx.db.scoped([a.operatorId], (tx) => reviews.consentWithdrawn(tx, subjectId));
    assert.equal(n, 1);
    assert.ok(!(await reviews.published(a.operatorId)).items.some((i) => i.id === published));
    const [row] = await q<{ state: string; unpublish_reason: string; consent_withdrawn_at: Date | null }>(
      'SELECT state, unpublish_reason, consent_withdrawn_at FROM reviews WHERE inquiry_id = $1',
      [published],
    );
    assert.equal(row!.state, 'unpublished');
    assert.equal(row!.unpublish_reason, 'consent_withdrawn');
    assert.ok(row!.consent_withdrawn_at);
    const entries = await audit('review.unpublish', published);
    assert.equal(entries.length, 1);
    assert.equal(entries[0]!.actor_id, 'consent-withdrawal');
    await rejectsWith(reviews.publish(moderator, a.operatorId, published), ErrorCode.Conflict);
    // A pending review whose consent is withdrawn stays pending, and can never be published.
    const pending = await submitReview(intake, a, { name: 'Нина Котова', message: 'Ещё не решили' });
    const [{ subject_id: other }] = (await q<{ subject_id: string }>(
      'SELECT subject_id FROM inquiries WHERE id = $1',
      [pending],
    )) as [{ subject_id: string }];
    assert.equal(await env.ctx.db.scoped([a.operatorId], (tx) => reviews.consentWithdrawn(tx, other)), 0);
    const item = (await reviews.queue(moderator, a.operatorId)).items.find((i) => i.id === pending);
    assert.equal(item?.state, 'pending');
    assert.equal(item?.consent, 'withdrawn');
    await rejectsWith(reviews.publish(moderator, a.operatorId, pending), ErrorCode.Conflict);
  });

  it('keeps each operator’s reviews to itself: 404 for another operator’s ids, Forbidden without the role', async () => {
    const ofB = await submitReview(intake, b, { message: 'Отзыв клиники Б' });
    await reviews.publish(moderatorB, b.operatorId, ofB);
    // A's staff ask for B's review under either operator id: not found.
    await rejectsWith(reviews.publish(moderator, b.operatorId, ofB), ErrorCode.NotFound);
    await rejectsWith(reviews.publish(moderator, a.operatorId, ofB), ErrorCode.NotFound);
    await rejectsWith(reviews.unpublish(moderator, a.operatorId, ofB), ErrorCode.NotFound);
    await rejectsWith(reviews.reject(moderator, b.operatorId, ofB), ErrorCode.NotFound);
    await rejectsWith(reviews.queue(moderator, b.operatorId), ErrorCode.NotFound);
    // An agent of A has a role there but not the permission.
    const ofA = await submitReview(intake, a);
    await rejectsWith(reviews.publish(agent, a.operatorId, ofA), ErrorCode.Forbidden);
    await rejectsWith(reviews.queue(agent, a.operatorId), ErrorCode.Forbidden);
    // The public lists: each operator's own only.
    const pageA = await fresh(a.operatorId);
    const pageB = await reviews.published(b.operatorId);
    assert.ok(!pageA.items.some((i) => i.id === ofB));
    assert.deepEqual(
      pageB.items.map((i) => i.id),
      [ofB],
    );
    assert.ok(
      !(await reviews.queue(moderator, a.operatorId, { state: 'published' })).items.some((i) => i.id === ofB),
    );
    assert.equal(
      (await q(`SELECT 1 FROM reviews WHERE inquiry_id = $1 AND state = 'published'`, [ofB])).length,
      1,
    );
  });

  it('pages the public list, newest first', async () => {
    const c = await insertOperatorWithSite(env, 'rv-c');
    const own = testIntake(env, policySource({ [c.operatorId]: await testPolicy(env, c.operatorId) }));
    const mod = staffPrincipal(randomUUID(), { [c.operatorId]: ['moderator'] });
    const ids: string[] = [];
    for (let i = 0; i < 12; i++) {
      const id = await submitReview(own, c, { name: `Автор${i} Тест`, message: `Отзыв ${i}` });
      env.clock.advance(1000);
      await reviews.publish(mod, c.operatorId, id);
      ids.push(id);
    }
    const first = await fresh(c.operatorId, 1);
    assert.equal(first.total, 12);
    assert.equal(first.pages, 2);
    assert.deepEqual(
      first.items.map((i) => i.id),
      ids.slice(2).reverse(),
    );
    const second = await reviews.published(c.operatorId, 2);
    assert.deepEqual(
      second.items.map((i) => i.id),
      ids.slice(0, 2).reverse(),
    );
    assert.deepEqual((await reviews.published(c.operatorId, 3)).items, []);
    assert.deepEqual((await reviews.published(c.operatorId, 0)).items, []);
  });

  it('another instance shows a change within the cache’s time to live, exactly', async () => {
    const d = await insertOperatorWithSite(env, 'rv-d');
    const own = testIntake(env, policySource({ [d.operatorId]: await testPolicy(env, d.operatorId) }));
    const id = await submitReview(own, d);
    await reviews.publish(systemPrincipal('test'), d.operatorId, id);
    const other = new ReviewsService({
      db: env.ctx.db,
      keyring: env.ctx.services.keyring,
      audit: env.ctx.services.audit,
      clock: env.clock,
    });
    assert.equal((await other.published(d.operatorId)).total, 1);
    await reviews.unpublish(systemPrincipal('test'), d.operatorId, id);
    env.clock.advance(REVIEWS_CACHE_TTL_MS - 1);
    assert.equal((await other.published(d.operatorId)).total, 1, 'still cached just inside the TTL');
    env.clock.advance(1);
    assert.equal((await other.published(d.operatorId)).total, 0, 'gone at the TTL');
  });

  it('a destroyed author takes the published review with them', async () => {
    const id = await submitReview(intake, a, { name: 'Лидия Орлова', message: 'Уничтожат' });
    await reviews.publish(moderator, a.operatorId, id);
    const [{ subject_id: subjectId }] = (await q<{ subject_id: string }>(
      'SELECT subject_id FROM inquiries WHERE id = $1',
      [id],
    )) as [{ subject_id: string }];
    await env.ctx.services.subjects.destroy(
      systemPrincipal('test'),
      a.operatorId,
      subjectId,
      'subject_request',
    );
    assert.equal((await q('SELECT 1 FROM reviews WHERE inquiry_id = $1', [id])).length, 0);
    assert.ok(!(await fresh(a.operatorId)).items.some((i) => i.id === id));
  });
});
