/**
 * The keyring: data keys per subject and named keys, wrapped by the master key and stored in a
 * database apart from the data. Deleting a subject's key makes every copy of its ciphertext, in
 * backups, replicas and WAL, unreadable (crypto-shredding).
 *
 * It also holds the subjects' blind indexes (the lookup from a phone or e-mail HMAC to subject
 * ids), written with the data key and deleted with it in one transaction: kept in the data
 * database, they outlived a destruction in the data's backups and, with the blind-index key that
 * lives on, confirmed that a guessed phone had been a patient's.
 *
 * @example
 *   const key = await keyring.createSubjectKey(subjectId, operatorId, { phone: phoneBidx });
 *   await keyring.findSubjectIds(operatorId, 'phone', phoneBidx); // [subjectId]
 *   await keyring.destroyDataKey(subjectId); // its ciphertext is now noise, its index gone
 */
import { randomBytes } from 'node:crypto';
import type { Clock } from '../../platform/clock.ts';
import { open, seal, KEY_LEN } from '../../platform/crypto/aead.ts';
import type { MasterKeys } from '../../platform/crypto/master-key.ts';
import type { Database } from '../../platform/db/database.ts';
import { keyringRepository as repo, type LookupField, type WrappedRow } from './keyring.repository.ts';

export type { LookupField };

/** A subject's blind indexes by field; absent or null fields get no lookup row. */
export type SubjectLookups = Partial<Record<LookupField, Buffer | null>>;

export interface RewrapReport {
  dataKeys: number;
  namedKeys: number;
}

export class KeyringService {
  constructor(
    private readonly db: Database,
    private readonly masterKeys: MasterKeys,
    private readonly clock: Clock,
  ) {}

  private wrap(raw: Buffer, aad: string): { wrapped: Buffer; masterKeyId: string } {
    const mk = this.masterKeys.active;
    return { wrapped: seal(mk.key, raw, aad), masterKeyId: mk.id };
  }

  private unwrap(row: WrappedRow, aad: string): Buffer {
    const mk = this.masterKeys.byId(row.master_key_id);
    if (!mk) {
      throw new Error(
        `A key is wrapped by master key ${row.master_key_id}, which is not configured. ` +
          'Add it to SOGLASIE_MASTER_KEY_OLD and run `soglasie rotate-master-key`.',
      );
    }
    return open(mk.key, row.wrapped, aad);
  }

  /** Creates and stores a fresh data key for a new subject, without lookups; returns the raw key. */
  createDataKey(subjectId: string, operatorId: string): Promise<Buffer> {
    return this.createSubjectKey(subjectId, operatorId, {});
  }

  /**
   * Creates a new subject's data key and its blind-index lookups in one statement (both or
   * neither); returns the raw key.
   */
  async createSubjectKey(subjectId: string, operatorId: string, lookups: SubjectLookups): Promise<Buffer> {
    const raw = randomBytes(KEY_LEN);
    const { wrapped, masterKeyId } = this.wrap(raw, dataKeyAad(subjectId));
    const rows = lookupRows(lookups);
    const at = this.clock.now();
    await repo.insertDataKeyWithLookups(
      this.db.pool,
      { subjectId, operatorId, wrapped, masterKeyId, at },
      rows,
    );
    return raw;
  }

  /**
   * Ids of the subjects with this blind index at this operator, oldest first. Candidates only: an
   * id may have no subject row in the data database (an intake whose data transaction rolled back
   * after its key was stored), and the caller must treat that as no match.
   */
  findSubjectIds(operatorId: string, field: LookupField, bidx: Buffer): Promise<string[]> {
    return repo.findLookups(this.db.pool, operatorId, field, bidx);
  }

  /**
   * For an intake: the ids of the subjects with any of these lookups (phone matches first), or,
   * when there are none, a new data key for `subjectId` stored with the lookups in the same
   * statement (as createSubjectKey), returned raw.
   */
  async findOrCreateSubjectKey(
    subjectId: string,
    operatorId: string,
    lookups: SubjectLookups,
  ): Promise<{ candidates: string[] } | { key: Buffer }> {
    const raw = randomBytes(KEY_LEN);
    const { wrapped, masterKeyId } = this.wrap(raw, dataKeyAad(subjectId));
    const candidates = await repo.findOrInsertDataKeyWithLookups(
      this.db.pool,
      { subjectId, operatorId, wrapped, masterKeyId, at: this.clock.now() },
      lookupRows(lookups),
    );
    return candidates.length > 0 ? { candidates } : { key: raw };
  }

  /** The subject's raw data key, or undefined once the subject has been destroyed. */
  async getDataKey(subjectId: string): Promise<Buffer | undefined> {
    const row = await repo.findDataKey(this.db.pool, subjectId);
    return row ? this.unwrap(row, dataKeyAad(subjectId)) : undefined;
  }

  async getDataKeys(subjectIds: readonly string[]): Promise<Map<string, Buffer>> {
    const rows = await repo.findDataKeys(this.db.pool, subjectIds);
    return new Map([...rows].map(([id, row]) => [id, this.unwrap(row, dataKeyAad(id))]));
  }

  /**
   * Deletes the subject's key and its blind-index lookups in one transaction. Returns false if
   * there was no key.
   */
  destroyDataKey(subjectId: string): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      // Explicit, although the foreign key cascades: the lookups must go whatever the schema says.
      await repo.deleteLookups(tx, subjectId);
      return repo.deleteDataKey(tx, subjectId);
    });
  }

  /**
   * Pages through the subject ids of data keys created before `cutoff` (for reconciling the
   * keyring with the data database). Start with `afterId` = the nil UUID.
   */
  dataKeyIdsCreatedBefore(cutoff: Date, afterId: string, limit: number): Promise<string[]> {
    return repo.findDataKeyIdsCreatedBefore(this.db.pool, cutoff, afterId, limit);
  }

  /** A named 32-byte key (for example `blind-index:<operator>`), created on first use. */
  async namedKey(name: string): Promise<Buffer> {
    const found = await repo.findNamedKey(this.db.pool, name);
    if (found) return this.unwrap(found, namedKeyAad(name));
    const raw = randomBytes(KEY_LEN);
    const { wrapped, masterKeyId } = this.wrap(raw, namedKeyAad(name));
    const stored = await repo.insertNamedKey(this.db.pool, {
      name,
      wrapped,
      masterKeyId,
      at: this.clock.now(),
    });
    return this.unwrap(stored, namedKeyAad(name));
  }

  /**
   * Re-wraps every key not wrapped by the active master key, in small transactions, without
   * touching the data. Safe to interrupt and run again.
   */
  async rewrapAll(batchSize = 500): Promise<RewrapReport> {
    const report: RewrapReport = { dataKeys: 0, namedKeys: 0 };
    for (const table of ['data_keys', 'named_keys'] as const) {
      for (;;) {
        const n = await this.db.transaction(async (tx) => {
          const batch = await repo.lockStaleBatch(tx, table, this.masterKeys.active.id, batchSize);
          for (const row of batch) {
            const aad = table === 'data_keys' ? dataKeyAad(row.id) : namedKeyAad(row.id);
            const { wrapped, masterKeyId } = this.wrap(this.unwrap(row, aad), aad);
            await repo.updateWrap(tx, table, row.id, wrapped, masterKeyId, this.clock.now());
          }
          return batch.length;
        });
        if (table === 'data_keys') report.dataKeys += n;
        else report.namedKeys += n;
        if (n < batchSize) break;
      }
    }
    return report;
  }
}

function dataKeyAad(subjectId: string): string {
  return `soglasie/data-key/${subjectId}`;
}

function namedKeyAad(name: string): string {
  return `soglasie/named-key/${name}`;
}

/** The lookups given, phone first (the preferred match), without absent fields. */
function lookupRows(lookups: SubjectLookups): { field: LookupField; bidx: Buffer }[] {
  return (['phone', 'email', 'telegram', 'max'] as const).flatMap((field) => {
    const bidx = lookups[field];
    return bidx ? [{ field, bidx }] : [];
  });
}
