/**
 * Recomputes the audit log's hash chain, so that an entry altered behind the triggers' back is
 * noticed within a day rather than when someone next runs `soglasie verify-audit`. A broken chain
 * is logged as an error naming the entry id (ids only) and recorded as a failed verification.
 */
import { z } from 'zod';
import type { AuditService } from './audit.service.ts';
import { defineJob, type JobHandler } from '../../platform/jobs/index.ts';

export const VERIFY_AUDIT = 'audit.verify';

export function verifyAuditJob(o: { audit: AuditService }): JobHandler {
  return defineJob({
    kind: VERIFY_AUDIT,
    payload: z.object({}),
    run: async (_payload, job) => {
      const report = await o.audit.verify();
      if (!report.ok) {
        job.log.error(
          { entryId: report.firstBroken?.id, reason: report.firstBroken?.reason, checked: report.checked },
          'the audit log hash chain is broken',
        );
      } else {
        job.log.info({ checked: report.checked }, 'audit log hash chain verified');
      }
      await o.audit.record(job.tx, {
        actor: { type: 'job', id: VERIFY_AUDIT },
        action: 'audit.verify',
        objectType: 'audit_log',
        objectId: report.ok ? null : (report.firstBroken?.id ?? null),
        result: report.ok ? 'success' : 'failure',
      });
    },
  });
}
