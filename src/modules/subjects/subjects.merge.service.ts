/**
 * Merging two subjects of one operator into one (a privacy officer's decision, `subject.merge`):
 * the same patient came in twice under different contacts (a call from one phone, a form with
 * another). Everything the merged subject has moves to the kept one: inquiries, consent records,
 * history, outbox messages, published reviews, and rows of other modules that point at it. Every
 * sealed value is re-sealed from the merged subject's key to the kept one's; the associated data
 * of each is its own row's id, which does not change. The kept subject's empty fields (name, phone,
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
import { open, openString, seal } from '../../platform/crypto/aead.ts';
import type { Database, Tx } from '../../platform/db/database.ts';
import { AppError, ErrorCode } from '../../platform/errors.ts';
import { isUuid, type Ids } from '../../platform/ids.ts';
import type { Logger } from '../../platform/logger.ts';
import { parseInput } from '../../platform/validation.ts';
import type { AuditEntry, AuditService } from '../audit/index.ts';
import type { KeyringService, LookupRow, SubjectLookupMoves } from '../keyring/index.ts';
import { actorOf, auditEntryBy, requirePermission, type Principal } from '../staff/index.ts';
import {
  mergeRepository as repo,
  UnknownSealedReference,
  type SealedRow,
} from './subjects.merge.repository.ts';
import {
  MergeInput,
  SubjectRefText,
  type MergePreview,
  type MergeResult,
  type MergeSide,
} from './subjects.merge.schemas.ts';
import { SUBJECT_FIELDS, type SubjectField } from './subjects.schemas.ts';
import { decryptSubjectRow, subjectAad } from './subjects.service.ts';

export interface SubjectMergeDeps {
  db: Database;
  keyring: Pick<KeyringService, 'getDataKeys' | 'destroyDataKey'>;
  lookups: Pick<SubjectLookupMoves, 'copy' | 'remove'>;
  audit: AuditService;
  clock: Clock;
  ids: Ids;
  log?: Logger;
}

/**
 * The associated data of every sealed column a merge re-seals, by table. They are defined where the
 * values are written (intake, inquiries, channels, outbox, reviews); they are repeated here rather
 * than imported because those modules import this one. A test checks them against the originals.
 */
export const MERGE_AADS = {
  inquiryFields: (id: string) => `inquiry:${id}:fields`,
  inquiryReplyTo: (id: string) => `inquiry:${id}:reply_to`,
  consentRepresentative: (id: string) => `consent:${id}:representative`,
  consentEvidence: (id: string) => `consent:${id}:evidence`,
  eventNote: (id: string) => `inquiry_event:${id}:note`,
  outbox: (id: string) => `outbox:${id}`,
  reviewAuthor: (id: string) => `review:${id}:author`,
  reviewText: (id: string) => `review:${id}:text`,
} as const;

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
      const id = await repo.subjectOfInquiryNumber(tx, operatorId, text.replace(/^[№#]\s*/u, ''));
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
    const { db, keyring, audit } = this.deps;
    return db.scoped([operatorId], async (tx) => {
      const rows = await repo.findPair(tx, operatorId, [keep, merge]);
      const keys = await keyring.getDataKeys([keep, merge]);
      const side = async (id: string): Promise<MergeSide> => {
        const row = rows.get(id);
        if (!row) throw notFound();
        const key = keys.get(id);
        if (!key) throw destroyed();
        const dto = decryptSubjectRow(key, row);
        const h = await repo.holdings(tx, operatorId, id);
        await audit.record(tx, this.entry(principal, 'subject.read', operatorId, id, id));
        return {
          id,
          name: dto.name,
          phone: dto.phone,
          email: dto.email,
          createdAt: dto.createdAt,
          inquiries: h.inquiries.map((i) => ({
            id: i.id,
            number: i.number,
            formId: i.form_id,
            channel: i.channel,
            status: i.status,
            createdAt: i.created_at.toISOString(),
          })),
          consents: h.consents,
          publishedReviews: h.reviews,
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
      if (e instanceof UnknownSealedReference) {
        throw new AppError(
          ErrorCode.Conflict,
          'Объединение невозможно: у субъекта есть данные, которые объединение не умеет перенести / ' +
            'The merge cannot move some of the subject’s data',
        );
      }
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
    const { keyring, audit, clock, ids } = this.deps;
    const rows = await repo.lockPair(tx, operatorId, [keptId, mergedId]);
    const kept = rows.get(keptId);
    const merged = rows.get(mergedId);
    if (!kept || !merged) throw notFound();
    const keys = await keyring.getDataKeys([keptId, mergedId]);
    const keptKey = keys.get(keptId);
    const mergedKey = keys.get(mergedId);
    if (!keptKey || !mergedKey) throw destroyed();
    /** Opens under the merged subject's key and seals under the kept one's, with the same AAD. */
    const reseal = (blob: Buffer | null, aad: string): Buffer | null =>
      blob === null ? null : seal(keptKey, open(mergedKey, blob, aad), aad);
    const m = { operatorId, mergedId, keptId };

    const inquiries = (await repo.lockInquiries(tx, operatorId, mergedId)).map((r): SealedRow => ({
      id: r.id,
      a: reseal(r.a, MERGE_AADS.inquiryFields(r.id)),
      b: reseal(r.b, MERGE_AADS.inquiryReplyTo(r.id)),
    }));
    const inquiryIds = inquiries.map((i) => i.id);
    const events = (await repo.sealedEvents(tx, operatorId, inquiryIds)).map((r): SealedRow => ({
      id: r.id,
      a: reseal(r.a, MERGE_AADS.eventNote(r.id)),
      b: null,
    }));
    const consents = (await repo.consents(tx, operatorId, mergedId)).map((r): SealedRow => ({
      id: r.id,
      a: reseal(r.a, MERGE_AADS.consentRepresentative(r.id)),
      b: reseal(r.b, MERGE_AADS.consentEvidence(r.id)),
    }));
    const outbox = (await repo.lockOutbox(tx, operatorId, mergedId)).map((r): SealedRow => ({
      id: r.id,
      a: reseal(r.a, MERGE_AADS.outbox(r.id)),
      b: null,
    }));
    const reviews = (await repo.lockReviews(tx, operatorId, mergedId)).map((r): SealedRow => ({
      id: r.id,
      a: reseal(r.a, MERGE_AADS.reviewAuthor(r.id)),
      b: reseal(r.b, MERGE_AADS.reviewText(r.id)),
    }));

    // The history's events belong to the inquiries, so they are re-sealed while the inquiries are
    // still the merged subject's (the function checks exactly that), then the inquiries move.
    await repo.rekeyEvidence(tx, m, consents, events);
    await repo.moveInquiries(tx, operatorId, keptId, inquiries);
    await repo.moveOutbox(tx, operatorId, keptId, outbox);
    await repo.moveReviews(tx, operatorId, keptId, reviews);
    const other = await repo.moveOtherReferences(tx, mergedId, keptId);

    const at = clock.now();
    const filled = SUBJECT_FIELDS.filter((f) => kept[`${f}_enc`] === null && merged[`${f}_enc`] !== null);
    if (filled.length > 0) {
      const values: Partial<Record<`${SubjectField}_enc`, Buffer>> = {};
      for (const f of filled) {
        const plain = openString(mergedKey, merged[`${f}_enc`]!, subjectAad(mergedId, f));
        values[`${f}_enc`] = seal(keptKey, Buffer.from(plain, 'utf8'), subjectAad(keptId, f));
      }
      await repo.fillSubject(tx, operatorId, keptId, values, at);
    }

    const actor = actorOf(principal);
    await repo.insertMergeEvents(
      tx,
      { operatorId, mergedId, at, actorType: actor.type, actorId: actor.id },
      inquiryIds.map((inquiryId) => ({ id: ids.uuid(), inquiryId })),
    );
    // Nothing references the merged subject any more, so the delete cascades to nothing.
    await repo.deleteSubject(tx, operatorId, mergedId);
    await repo.insertMerge(tx, {
      merged_subject_id: mergedId,
      kept_subject_id: keptId,
      operator_id: operatorId,
      actor_type: actor.type,
      actor_id: actor.id,
      merged_at: at,
    });
    await audit.record(tx, this.entry(principal, 'subject.merge', operatorId, mergedId, keptId));
    return {
      keptId,
      mergedId,
      mergedAt: at.toISOString(),
      moved: {
        inquiries: inquiries.length,
        consents: consents.length,
        events: events.length,
        outbox: outbox.length,
        reviews: reviews.length,
        other,
      },
      filled,
    };
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

function notFound(): AppError {
  return new AppError(ErrorCode.NotFound, 'Субъект не найден / Subject not found');
}

function destroyed(): AppError {
  return new AppError(
    ErrorCode.SubjectDestroyed,
    'Данные субъекта уничтожены / The subject’s data was destroyed',
  );
}
