/**
 * What a channel reads besides the inquiries (which the inquiries module opens and adds events to)
 * and the consent records (the consent module's): whether a reply was already queued, and an
 * inquiry's subject. Every function takes a Tx scoped to the operator (row-level security).
 */
import type { Tx } from '../../platform/db/database.ts';

export const inboundRepository = {
  /**
   * Whether a message of this template was already queued for the inquiry: tied to it by a
   * `notification` event, or by the outbox row's own inquiry id.
   */
  async templateQueued(tx: Tx, operatorId: string, inquiryId: string, template: string): Promise<boolean> {
    const { rows } = await tx.query<{ yes: boolean }>(
      `SELECT EXISTS (
         SELECT 1 FROM inquiry_events e JOIN outbox o ON o.id = e.ref_id
         WHERE e.operator_id = $1 AND e.inquiry_id = $2 AND e.kind = 'notification' AND o.template = $3
       ) OR EXISTS (
         SELECT 1 FROM outbox WHERE operator_id = $1 AND inquiry_id = $2 AND template = $3
       ) AS yes`,
      [operatorId, inquiryId, template],
    );
    return rows[0]!.yes;
  },

  /** The inquiry's subject, share-locked (a destruction waits for the caller's write). */
  async subjectOf(tx: Tx, operatorId: string, inquiryId: string): Promise<string | undefined> {
    const { rows } = await tx.query<{ subject_id: string }>(
      'SELECT subject_id FROM inquiries WHERE id = $1 AND operator_id = $2 FOR SHARE',
      [inquiryId, operatorId],
    );
    return rows[0]?.subject_id;
  },
};
