/**
 * Test support for the published reviews on the public site (imported by tests only): a review
 * submitted to a clinic through the intake, as its review form would, then published by a
 * moderator.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { AppContext } from '../composition/context.ts';
import type { ReviewShow } from '../modules/inquiries/index.ts';
import { systemPrincipal } from '../modules/staff/index.ts';

let n = 0;

/** Submits a review to the clinic served on `host` and publishes it; returns the review's id. */
export async function publishedReview(
  ctx: AppContext,
  host: string,
  r: { name: string; message: string; rating?: string; show: ReviewShow; publish?: boolean },
): Promise<string> {
  const match = await ctx.services.operators.findByHost(host);
  assert.ok(match, `no site on ${host}`);
  n += 1;
  const result = await ctx.services.intake.submit({
    operatorId: match.operator.id,
    siteId: match.site.id,
    formId: 'review',
    fields: { name: r.name, message: r.message, rating: r.rating ?? '5' },
    consents: { processing: true, marketing: false, reviewPublication: { allowed: true, show: r.show } },
    channel: 'web_form',
    page: '/reviews',
    ip: `203.0.113.${n % 250}`,
    userAgent: 'test',
    idempotencyKey: `test:review:${randomUUID()}`,
  });
  assert.equal(result.kind, 'created', JSON.stringify(result));
  const id = (result as { inquiryId: string }).inquiryId;
  if (r.publish !== false) {
    await ctx.services.reviews.publish(systemPrincipal('test-moderator'), match.operator.id, id);
  }
  return id;
}
