/**
 * The consent log's one owner (COMPLIANCE A5, A6): records consents, answers who consented to
 * what, and withdraws them. A withdrawal is one operation: the records are marked (when, through
 * which channel, in what form, recorded by whom), audited (`consent.withdraw` per record), and the
 * modules that registered for that kind of consent are told, all in one transaction; a listener
 * that fails rolls the withdrawal back.
 *
 * The reads and the plain insert are functions of the caller's transaction (they need nothing but
 * it); the withdrawal needs the audit log, the clock and the listeners, so it is ConsentService's.
 */
import type { Clock } from '../../platform/clock.ts';
import type { Database, Tx } from '../../platform/db/database.ts';
import type { Logger } from '../../platform/logger.ts';
import { parseInput } from '../../platform/validation.ts';
import type { AuditService } from '../audit/index.ts';
import { actorOf, requirePermission, sourceOf, type Principal } from '../staff/index.ts';
import { consentRepository as repo } from './consent.repository.ts';
import {
  RecordWithdrawalInput,
  type ConsentEntry,
  type ConsentKind,
  type ConsentWithdrawn,
  type InlineStatement,
  type InquiryConsent,
  type NewConsent,
  type Withdrawal,
} from './consent.schemas.ts';

/** The associated data of a consent's representative (JSON of name and relation). */
export function consentRepresentativeAad(id: string): string {
  return `consent:${id}:representative`;
}

/** The associated data of a verbal consent's evidence (the call recording's reference). */
export function consentEvidenceAad(id: string): string {
  return `consent:${id}:evidence`;
}

/**
 * The INSERT of these consent records, parameters numbered after `offset`, for a write that
 * carries them in its own statement (the intake's one round trip), as `AuditService.inline` does:
 * `WITH ..., c AS (${s.sql}) SELECT ...` with `[...itsParams, ...s.params]`.
 */
export function consentInsertInline(records: readonly NewConsent[], offset: number): InlineStatement {
  return repo.insertStatement(records, offset);
}

/** Records consents in the caller's transaction (scoped to their operator). */
export function recordConsents(tx: Tx, records: readonly NewConsent[]): Promise<void> {
  return repo.insert(tx, records);
}

/**
 * Whether the subject consented to the kind at the operator: `live` when the consent must still
 * stand (given and not withdrawn), `ever` when having given it once is what counts.
 */
export function hasConsent(
  tx: Tx,
  operatorId: string,
  subjectId: string,
  kind: ConsentKind,
  which: 'live' | 'ever',
): Promise<boolean> {
  return repo.exists(tx, operatorId, subjectId, kind, which === 'live');
}

/** The consents given with an inquiry, oldest first. */
export function consentsOfInquiry(tx: Tx, operatorId: string, inquiryId: string): Promise<ConsentEntry[]> {
  return repo.ofInquiry(tx, operatorId, inquiryId);
}

/** Per inquiry id, its latest consent of the kind given by its own subject (absent: none). */
export function latestConsentsOfInquiries(
  tx: Tx,
  kind: ConsentKind,
  inquiries: readonly { id: string; subjectId: string }[],
): Promise<Map<string, InquiryConsent>> {
  return repo.latestOfInquiries(tx, kind, inquiries);
}

/** A page of the operator's subjects with a live consent of the kind, in id order after `after`. */
export function subjectsWithLiveConsent(
  tx: Tx,
  operatorId: string,
  kind: ConsentKind,
  page: { among: readonly string[] | null; after: string | null; limit: number },
): Promise<string[]> {
  return repo.liveSubjects(tx, operatorId, kind, page.among, page.after, page.limit);
}

/** Told of a withdrawal inside its transaction; throwing rolls the withdrawal back. */
export type WithdrawalListener = (tx: Tx, w: ConsentWithdrawn) => Promise<unknown>;

export interface ConsentDeps {
  db: Database;
  audit: Pick<AuditService, 'record'>;
  clock: Clock;
  log?: Logger;
}

export class ConsentService {
  private readonly listeners = new Map<ConsentKind, WithdrawalListener[]>();

  constructor(private readonly deps: ConsentDeps) {}

  /**
   * Registers a module's reaction to withdrawals of one kind of consent (the composition root
   * wires them at start). Listeners run in registration order, in the withdrawal's transaction.
   */
  onWithdrawn(kind: ConsentKind, listener: WithdrawalListener): void {
    this.listeners.set(kind, [...(this.listeners.get(kind) ?? []), listener]);
  }

  /**
   * Records a withdrawal the patient made to the clinic (by phone, letter, in person...), as the
   * rights desk does: `rights.manage` at the operator. Withdraws every live consent of the kind of
   * the subject; idempotent (nothing live, nothing written). ValidationFailed for a bad input.
   */
  async withdraw(
    principal: Principal,
    operatorId: string,
    input: RecordWithdrawalInput,
  ): Promise<{ consentIds: string[] }> {
    requirePermission(principal, 'rights.manage', operatorId);
    const i = parseInput(
      RecordWithdrawalInput,
      input,
      'Отзыв согласия не записан: проверьте поля / Check the fields',
    );
    const consentIds = await this.deps.db.scoped([operatorId], (tx) =>
      this.withdrawIn(tx, {
        operatorId,
        subjectId: i.subjectId,
        kind: i.kind,
        channel: i.channel,
        method: i.method,
        by: actorOf(principal),
        source: sourceOf(principal),
        principal,
      }),
    );
    if (consentIds.length > 0) {
      this.deps.log?.info({ operatorId, kind: i.kind, channel: i.channel }, 'consent withdrawal recorded');
    }
    return { consentIds };
  }

  /**
   * The withdrawal in the caller's transaction (scoped to the operator), for a caller that has
   * established who withdraws: the one-click link, whose token is the proof. Returns the withdrawn
   * records' ids; the listeners of the kind run only when there was something to withdraw.
   */
  async withdrawIn(tx: Tx, w: Withdrawal): Promise<string[]> {
    const at = this.deps.clock.now();
    const consentIds = await repo.withdraw(tx, w, at);
    if (consentIds.length === 0) return consentIds;
    for (const id of consentIds) {
      await this.deps.audit.record(tx, {
        actor: w.by,
        action: 'consent.withdraw',
        objectType: 'consent',
        objectId: id,
        subjectId: w.subjectId,
        operatorId: w.operatorId,
        source: w.source,
        result: 'success',
      });
    }
    const event: ConsentWithdrawn = { ...w, consentIds, at };
    for (const listener of this.listeners.get(w.kind) ?? []) await listener(tx, event);
    return consentIds;
  }
}
