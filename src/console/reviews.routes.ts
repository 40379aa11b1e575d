/**
 * Console routes for review moderation: /console/reviews lists the organisations whose reviews
 * the reader moderates (straight to the queue when there is one), /console/operators/:id/reviews
 * is the queue by state (pending first), and each decision is a form post that redirects (303)
 * back to the queue. Handlers are thin: ReviewsService checks `review.moderate` (NotFound for an
 * organisation or review the reader has no role at), decrypts, audits. A refused decision (no
 * publication consent, a review in another state) re-renders the queue with the reason, 409.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { App } from '../app.ts';
import type { AppContext } from '../composition/context.ts';
import { NameOrder, ReviewState, MAX_PAGE, type ModerationResult } from '../modules/reviews/index.ts';
import { principalOf, type Principal } from '../modules/staff/index.ts';
import { AppError, ErrorCode } from '../platform/errors.ts';
import { send } from './console.routes.ts';
import { operatorsWhere, pageBase, READ, WRITE } from './section.ts';
import { localeOf } from './i18n/index.ts';
import { en as reviewsEn, ru as reviewsRu, type ReviewsText } from './i18n/reviews.ts';
import { reviewsIndexPage, reviewsPage, reviewsUrl } from './reviews.views.ts';

const page = z.coerce.number().int().min(1).max(MAX_PAGE);

export const ReviewsQuery = z.strictObject({
  state: ReviewState.default('pending'),
  page: page.default(1),
  m: z.enum(['published', 'unpublished', 'rejected', 'unchanged']).optional(),
});

/** A decision's form: where to come back to, and for publish how to read the author's name. */
export const ReviewDecisionForm = z.strictObject({
  _csrf: z.string().max(200),
  state: ReviewState.optional(),
  page: page.optional(),
  order: NameOrder.optional(),
});

const ReviewParams = z.object({ operatorId: z.uuid(), reviewId: z.uuid() });
const OperatorParams = z.object({ operatorId: z.uuid() });

export function reviewsText(req: FastifyRequest): ReviewsText {
  return localeOf(req) === 'en' ? reviewsEn : reviewsRu;
}

/** The part of a bilingual service message ("по-русски / in English") in the reader's language. */
function messageFor(req: FastifyRequest, message: string): string {
  const [ru, en] = message.split(' / ');
  return (localeOf(req) === 'en' ? en : ru) ?? message;
}

export async function registerReviewRoutes(app: App, ctx: AppContext): Promise<void> {
  const { reviews, operators } = ctx.services;
  const common = async (req: FastifyRequest, reply: FastifyReply, path: string) => ({
    ...(await pageBase(req, reply, path)),
    r: reviewsText(req),
  });

  const queuePage = async (
    req: FastifyRequest,
    reply: FastifyReply,
    operatorId: string,
    q: { state: ReviewState; page: number },
    status: number,
    extra: { notice?: string; error?: string } = {},
  ) => {
    const principal = principalOf(req);
    // The queue first: it answers NotFound or Forbidden before anything of the operator is read.
    const queue = await reviews.queue(principal, operatorId, q);
    const operator = await operators.get(principal, operatorId);
    return send(
      reply,
      status,
      reviewsPage({ ...(await common(req, reply, reviewsUrl(operatorId))), operator, queue, ...extra }),
    );
  };

  app.get('/console/reviews', READ, async (req, reply) => {
    const principal = principalOf(req);
    const mine = await operatorsWhere(operators, principal, 'review.moderate');
    if (mine.length === 1) return reply.redirect(reviewsUrl(mine[0]!.id), 303);
    const list = [];
    for (const operator of mine) {
      list.push({ operator, pending: (await reviews.counts(principal, operator.id)).pending });
    }
    return send(
      reply,
      200,
      reviewsIndexPage({ ...(await common(req, reply, '/console/reviews')), operators: list }),
    );
  });

  app.get(
    '/console/operators/:operatorId/reviews',
    { ...READ, schema: { params: OperatorParams, querystring: ReviewsQuery } },
    async (req, reply) => {
      const { state, page: n, m } = req.query;
      const notice = m ? reviewsText(req).notices[m] : undefined;
      return queuePage(req, reply, req.params.operatorId, { state, page: n }, 200, { notice });
    },
  );

  type Decide = (
    principal: Principal,
    p: z.infer<typeof ReviewParams>,
    body: z.infer<typeof ReviewDecisionForm>,
  ) => Promise<ModerationResult>;
  const decide = (verb: 'publish' | 'unpublish' | 'reject', run: Decide) => {
    app.post(
      `/console/operators/:operatorId/reviews/:reviewId/${verb}`,
      { ...WRITE, schema: { params: ReviewParams, body: ReviewDecisionForm } },
      async (req, reply) => {
        const { operatorId } = req.params;
        const back = { state: req.body.state ?? 'pending', page: req.body.page ?? 1 };
        let result: ModerationResult;
        try {
          result = await run(principalOf(req), req.params, req.body);
        } catch (e) {
          if (!(e instanceof AppError) || e.code !== ErrorCode.Conflict) throw e;
          return queuePage(req, reply, operatorId, back, 409, { error: messageFor(req, e.message) });
        }
        const m = result.changed ? result.state : 'unchanged';
        return reply.redirect(`${reviewsUrl(operatorId)}?state=${back.state}&page=${back.page}&m=${m}`, 303);
      },
    );
  };

  decide('publish', (principal, p, body) =>
    reviews.publish(principal, p.operatorId, p.reviewId, { order: body.order ?? 'given_first' }),
  );
  decide('unpublish', (principal, p) => reviews.unpublish(principal, p.operatorId, p.reviewId));
  decide('reject', (principal, p) => reviews.reject(principal, p.operatorId, p.reviewId));
}
