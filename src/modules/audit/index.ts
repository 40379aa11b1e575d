export {
  AuditService,
  type Actor,
  type ActorType,
  type AuditEntry,
  type AuditResult,
  type InlineAudit,
  type VerifyReport,
} from './audit.service.ts';
