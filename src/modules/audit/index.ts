export {
  AuditService,
  type Actor,
  type ActorType,
  type AuditEntry,
  type AuditResult,
  type InlineAudit,
  type VerifyReport,
} from './audit.service.ts';
export { SETTLE_AUDIT, settleAuditJob } from './settle-audit.job.ts';
export { VERIFY_AUDIT, verifyAuditJob } from './verify-audit.job.ts';
