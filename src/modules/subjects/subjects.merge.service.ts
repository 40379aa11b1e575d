/**
 * Merging two subjects of one operator into one (a privacy officer's decision, `subject.merge`):
 * the same patient came in twice under different contacts (a call from one phone, a form with
 * another). Everything the merged subject has moves to the kept one, each module's rows through
 * its part of the subject data registry (inquiries and their history, consent records, outbox
 * messages, published reviews, unsubscribe links), in one transaction. Every sealed value is
 * re-sealed from the merged subject's key to the kept one's; the associated data of each is its own
 * row's id, which does not change. The kept subject's empty fields (name, phone,
 * e-mail) are filled from the merged one's; where both have a value, the kept one's stays (the
 * merged one's phone or e-mail still finds the kept subject, see below). Each moved inquiry gets a
 * 'merge' event (ref_id = the merged subject), and one `subject.merge` audit entry names both
 * (object id = the merged subject, subject id = the kept one). The merged subject's key is then
 * destroyed and a `subject_merges` record keeps the pair.
 *
 * Order across the two databases (the keyring and the data are separate and have no common
 * transaction), chosen so that a crash at any point leaves nothing unreadable:
 *   1. keyring: the merged subject's blind-index lookups are copied to the kept subject (commit).
 *      A crash after it leaves the kept subject also found by the merged one's phone or e-mail,
 *      which is where the officer was taking it; both subjects still exist and read fine.
 *   2. data, one transaction: both subjects locked, every row re-sealed and moved, the merged
 *      subject's row deleted, the events, the record and the audit entry written. A failure rolls
 *      it all back (and the lookups copied in step 1 are taken back).
 *   3. keyring: the merged subject's key and lookups are destroyed, only after step 2 committed, so
 *      no ciphertext in the live data is left under a key that is gone. A crash before it leaves a
 *      key with no subject row and no destruction record: the orphan-key job (PURGE_ORPHAN_KEYS)
 *      deletes it, and until then nothing in the live data is sealed under it.
 *
 * @example
 *   const preview = await merges.preview(officer, operatorId, { keep, merge }); // audited reads
 *   const r = await merges.merge(officer, operatorId, { keep, merge });
 *   r.moved; // { inquiries: 2, consents: 3, events: 1, outbox: 1, reviews: 0, other: 0 }
 */
import type { Clock } from '../../platform/clock.ts';
import { open, seal } from '../../platform/crypto/aead.ts';
import type { Database, Tx } from '../../platform/db/database.ts';
import { AppError, ErrorCode } from '../../platform/errors.ts';
import { isUuid, type Ids } from '../../platform/ids.ts';
import type { Logger } from '../../platform/logger.ts';
import { parseInput } from '../../platform/validation.ts';
import type { AuditEntry, AuditService } from '../audit/index.ts';
import type { KeyringService, LookupRow, SubjectLookupMoves } from '../keyring/index.ts';
import { actorOf, auditEntryBy, requirePermission, type Principal } from '../staff/index.ts';
import type { SubjectDataRegistry } from './subject-data.registry.ts';
import { fillableFields } from './subjects.data-part.ts';
import { mergeRepository as repo } from './subjects.merge.repository.ts';
import { subjectsRepository } from './subjects.repository.ts';
import {
  MergeInput,
  SubjectRefText,
  type MergePreview,
  type MergeResult,
  type MergeSide,
} from './subjects.merge.schemas.ts';
import { decryptSubjectRow } from './subjects.service.ts';

export interface SubjectMergeDeps {
  db: Database;
  keyring: Pick<KeyringService, 'getDataKeys' | 'destroyDataKey'>;
  lookups: Pick<SubjectLookupMoves, 'copy' | 'remove'>;
  audit: AuditService;
  /** Every module's rows of a subject: the merge moves each part's. */
  registry: SubjectDataRegistry;
  /** Which subject an inquiry number names, and a subject's inquiries (ids and codes only). */
  inquiries: SubjectInquiryIndex;
  clock: Clock;
  ids: Ids;
  log?: Logger;
}

/** What the merge's pages ask the inquiries module, in the caller's transaction (ids and codes only). */
export interface SubjectInquiryIndex {
  subjectOfNumber(tx: Tx, operatorId: string, inquiryNumber: string): Promise<string | undefined>;
  /** The subject's inquiries, newest first, at most `limit`. */
  listOfSubject(
    tx: Tx,
    operatorId: string,
    subjectId: string,
    limit: number,
  ): Promise<MergeSide['inquiries']>;
}

export class SubjectMergeService {
  constructor(private readonly deps: SubjectMergeDeps) {}

  /**
   * The subject an inquiry number («123», «№ 123») or a subject id names at the operator. NotFound
   * when there is none; Conflict, naming the kept subject, for a subject merged before.
   */
  async resolve(principal: Principal, operatorId: string, ref: string): Promise<string> {
    requirePermission(principal, 'subject.merge', operatorId);
    const text = parseInput(
      SubjectRefText,
      ref,
      'Укажите номер обращения или идентификатор субъекта / Give an inquiry number or a subject id',
    );
    return this.deps.db.scoped([operatorId], async (tx) => {
      if (isUuid(text.toLowerCase())) {
        const id = text.toLowerCase();
        if (await repo.subjectExists(tx, operatorId, id)) return id;
        const merged = await repo.findMerge(tx, operatorId, id);
        if (merged) {
          throw new AppError(
            ErrorCode.Conflict,
            `Субъект уже объединён с ${merged.kept_subject_id} / The subject was merged into ${merged.kept_subject_id}`,
          );
        }
        throw notFound();
      }
      const id = await this.deps.inquiries.subjectOfNumber(tx, operatorId, text.replace(/^[№#]\s*/u, ''));
      if (!id) throw new AppError(ErrorCode.NotFound, 'Обращение не найдено / Inquiry not found');
      return id;
    });
  }

  /**
   * Both subjects decrypted side by side with what each has, for the officer to confirm the
   * merge. Each subject's read is audited (`subject.read`).
   */
  async preview(principal: Principal, operatorId: string, input: MergeInput): Promise<MergePreview> {
    requirePermission(principal, 'subject.merge', operatorId);
    const { keep, merge } = parseInput(MergeInput, input, 'Проверьте субъектов / Check the subjects');
    const { db, keyring, audit, registry, inquiries } = this.deps;
    return db.scoped([operatorId], async (tx) => {
      const rows = await repo.findPair(tx, operatorId, [keep, merge]);
      const keys = await keyring.getDataKeys([keep, merge]);
      const side = async (id: string): Promise<MergeSide> => {
        const row = rows.get(id);
        if (!row) throw notFound();
        const key = keys.get(id);
        if (!key) throw destroyed();
        const dto = decryptSubjectRow(key, row);
        const counts = await registry.count({ tx, operatorId, subjectId: id });
        await audit.record(tx, this.entry(principal, 'subject.read', operatorId, id, id));
        return {
          id,
          name: dto.name,
          phone: dto.phone,
          email: dto.email,
          createdAt: dto.createdAt,
          inquiries: await inquiries.listOfSubject(tx, operatorId, id, 200),
          consents: countOf(counts, 'consent_records'),
          publishedReviews: countOf(counts, 'published_reviews'),
        };
      };
      return { keep: await side(keep), merge: await side(merge) };
    });
  }

  /** Merges `merge` into `keep` (see the module's comment for what moves and in which order). */
  async merge(principal: Principal, operatorId: string, input: MergeInput): Promise<MergeResult> {
    requirePermission(principal, 'subject.merge', operatorId);
    const { keep, merge } = parseInput(MergeInput, input, 'Проверьте субъектов / Check the subjects');
    const { db, keyring, lookups, log } = this.deps;

    // Both must be this operator's before the keyring is touched at all.
    const found = await db.scoped([operatorId], (tx) => repo.findPair(tx, operatorId, [keep, merge]));
    if (!found.has(keep) || !found.has(merge)) throw notFound();

    // 1. The kept subject is found by the merged one's lookups too.
    const copied: LookupRow[] = await lookups.copy(merge, keep);
    let result: MergeResult;
    try {
      // 2. Everything moves in one data transaction.
      result = await db.scoped([operatorId], (tx) => this.moveAll(tx, principal, operatorId, keep, merge));
    } catch (e) {
      // Back to how it was; should this fail too, the extra lookups only point at the kept
      // subject, which the officer meant to merge into anyway.
      await lookups
        .remove(keep, copied)
        .catch((err: unknown) =>
          log?.warn({ err, operatorId, keptId: keep }, 'could not take back copied lookups'),
        );
      throw e;
    }
    // 3. Nothing in the live data is sealed under the merged key any more.
    try {
      await keyring.destroyDataKey(merge);
    } catch (err) {
      log?.warn({ err, operatorId, mergedId: merge }, 'merged subject key left for the orphan-key job');
    }
    log?.info({ operatorId, keptId: keep, mergedId: merge, moved: result.moved }, 'subjects merged');
    return result;
  }

  private async moveAll(
    tx: Tx,
    principal: Principal,
    operatorId: string,
    keptId: string,
    mergedId: string,
  ): Promise<MergeResult> {
    const { keyring, audit, clock, ids, registry } = this.deps;
    const rows = await repo.lockPair(tx, operatorId, [keptId, mergedId]);
    const kept = rows.get(keptId);
    const merged = rows.get(mergedId);
    if (!kept || !merged) throw notFound();
    const keys = await keyring.getDataKeys([keptId, mergedId]);
    const keptKey = keys.get(keptId);
    const mergedKey = keys.get(mergedId);
    if (!keptKey || !mergedKey) throw destroyed();
    const at = clock.now();
    const actor = actorOf(principal);
    const filled = fillableFields(kept, merged);

    // Every part moves its rows, re-sealed from the merged subject's key to the kept one's; the
    // subject row's own part runs last and fills the kept subject's empty fields.
    const moved = await registry.merge({
      tx,
      operatorId,
      mergedId,
      keptId,
      reseal: (blob, aad, keptAad = aad) =>
        blob === null ? null : seal(keptKey, open(mergedKey, blob, aad), keptAad),
      at,
      actor,
      newId: () => ids.uuid(),
    });

    // Nothing references the merged subject any more, so the delete cascades to nothing.
    await subjectsRepository.deleteById(tx, operatorId, mergedId);
    await repo.insertMerge(tx, {
      merged_subject_id: mergedId,
      kept_subject_id: keptId,
      operator_id: operatorId,
      actor_type: actor.type,
      actor_id: actor.id,
      merged_at: at,
    });
    await audit.record(tx, this.entry(principal, 'subject.merge', operatorId, mergedId, keptId));
    return { keptId, mergedId, mergedAt: at.toISOString(), moved, filled };
  }

  private entry(
    principal: Principal,
    action: string,
    operatorId: string,
    objectId: string,
    subjectId: string,
  ): AuditEntry {
    return auditEntryBy(principal, action, {
      objectType: 'subject',
      objectId,
      subjectId,
      operatorId,
    });
  }
}

/** A kind of row's count summed over the parts that report it. */
function countOf(counts: Record<string, Record<string, number>>, kind: string): number {
  return Object.values(counts).reduce((n, c) => n + (c[kind] ?? 0), 0);
}

function notFound(): AppError {
  return new AppError(ErrorCode.NotFound, 'Субъект не найден / Subject not found');
}

function destroyed(): AppError {
  return new AppError(
    ErrorCode.SubjectDestroyed,
    'Данные субъекта уничтожены / The subject’s data was destroyed',
  );
}
