/**
 * Test support for reviews (imported by tests only): review submissions through the real intake,
 * with the publication consent the author chose.
 */
import assert from 'node:assert/strict';
import type { IntakeService, ReviewShow } from '../inquiries/index.ts';
import { callback, type TestOperator } from '../inquiries/intake.testing.ts';

export interface ReviewSubmission {
  name?: string;
  message?: string;
  rating?: string;
  show?: ReviewShow;
}

/** Submits a review through the intake (public form path); returns its id (the inquiry's). */
export async function submitReview(
  intake: IntakeService,
  op: TestOperator,
  r: ReviewSubmission = {},
): Promise<string> {
  const result = await intake.submit(
    callback(op, {
      formId: 'review',
      fields: {
        name: r.name ?? 'Вера Смирнова',
        message: r.message ?? '  Всё быстро и вежливо.  ',
        rating: r.rating ?? '5',
      },
      consents: {
        processing: true,
        marketing: false,
        reviewPublication: { allowed: true, show: r.show ?? 'first_name_initial' },
      },
    }),
  );
  assert.equal(result.kind, 'created', JSON.stringify(result));
  return (result as { inquiryId: string }).inquiryId;
}
