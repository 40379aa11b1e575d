/**
 * Where a patient's data lives: one part per module that stores rows keyed to a data subject. Each
 * part is declared once, in its own module (its tables, its sealed columns with the associated data
 * each is sealed with, and how to re-seal, export, count and destroy its rows); the composition
 * root hands the list to the subjects module, which iterates it for a merge, a destruction, an
 * access report. The subjects module imports no part's module, so no import cycle forms.
 *
 * The subject's own row is a part too (`subjectRowPart`); the registry always runs it last, after
 * every other part, since their rows reference it.
 *
 * @example
 *   const registry = new SubjectDataRegistry([consentDataPart, inquiriesDataPart, outboxDataPart]);
 *   const counts = await registry.count({ tx, operatorId, subjectId }); // { inquiries: { inquiries: 2 } }
 */
import type { Tx } from '../../platform/db/database.ts';
import type { MergeResult } from './subjects.merge.schemas.ts';

/** A column holding ciphertext under the subject's data key, and the associated data it is sealed with. */
export interface SealedColumn {
  table: string;
  column: string;
  /** The owner's own AAD function, imported, given the id of the row the value is in. */
  aad: (rowId: string) => string;
}

/** One subject of one operator, in a transaction scoped to that operator. */
export interface SubjectScope {
  tx: Tx;
  operatorId: string;
  subjectId: string;
}

/**
 * Opens a value under the merged subject's key and seals it under the kept one's. `keptAad`
 * defaults to `aad` (every sealed value but the subject row's own is bound to its row's id, which a
 * merge does not change).
 */
export type Reseal = (blob: Buffer | null, aad: string, keptAad?: string) => Buffer | null;

/** What a part is given to move its rows from the merged subject to the kept one. */
export interface SubjectMergeStep {
  tx: Tx;
  operatorId: string;
  mergedId: string;
  keptId: string;
  reseal: Reseal;
  at: Date;
  actor: { type: string; id: string | null };
  /** A new row id (an event that records the merge). */
  newId: () => string;
}

/** What a part is given to destroy its rows; the destruction record is already written. */
export interface SubjectDestroyStep extends SubjectScope {
  at: Date;
}

/** How many rows of each kind a merge moved (the merge result's own names). */
export type MergeCounts = Partial<MergeResult['moved']>;

/** A part's rows decrypted for the patient's access report: plain DTOs by kind of row. */
export type SubjectDataExport = Record<string, readonly Record<string, unknown>[]>;

export interface SubjectDataPart {
  /** A short name for the part (its module's), unique in the registry. */
  readonly name: string;
  /** Tables whose rows the part reads, moves and destroys (every one referencing subjects(id)). */
  readonly tables: readonly string[];
  readonly sealed: readonly SealedColumn[];
  /** Moves and re-seals the merged subject's rows; runs in the merge's transaction. */
  merge(step: SubjectMergeStep): Promise<MergeCounts>;
  /** The subject's rows, decrypted with its data key, for the access report. */
  export(scope: SubjectScope & { key: Buffer }): Promise<SubjectDataExport>;
  /** Row counts by kind of row (a table's name for all its rows, a longer name for a subset). */
  count(scope: SubjectScope): Promise<Record<string, number>>;
  /** Removes the subject's rows (or leaves them to the subject row's cascade, keeping what must stay). */
  destroy(step: SubjectDestroyStep): Promise<void>;
}

/**
 * Sealed columns under a key that is NOT a data subject's: nothing of a patient, so no part declares
 * them and a destruction or merge does not touch them. The guard test reads the schema and fails on
 * a sealed column that is neither here nor in a part.
 */
export const NOT_SUBJECT_KEYED: readonly { column: string; reason: string }[] = [
  {
    column: 'channel_connections.credentials_enc',
    reason:
      'an operator’s provider credentials, under the operator’s named key channel-credentials:<operator>',
  },
  {
    column: 'staff.totp_secret_enc',
    reason: 'a staff member’s TOTP secret, under the named key staff-secrets',
  },
  {
    column: 'webhook_endpoints.secret_enc',
    reason: 'an integrator’s signing secret, under the named key webhook-secrets',
  },
];

/** The parts of the installation, each run in order, the subject's own row always last. */
export class SubjectDataRegistry {
  readonly parts: readonly SubjectDataPart[];

  constructor(parts: readonly SubjectDataPart[], own: SubjectDataPart) {
    this.parts = [...parts, own];
    const names = new Set<string>();
    const columns = new Set<string>();
    for (const p of this.parts) {
      if (names.has(p.name)) throw new Error(`subject data part ${p.name} is registered twice`);
      names.add(p.name);
      for (const c of p.sealed) {
        const name = `${c.table}.${c.column}`;
        if (columns.has(name)) throw new Error(`sealed column ${name} is declared twice`);
        columns.add(name);
      }
    }
  }

  /** Every declared sealed column, with the part that declares it. */
  sealedColumns(): (SealedColumn & { part: string })[] {
    return this.parts.flatMap((p) => p.sealed.map((c) => ({ ...c, part: p.name })));
  }

  /** Runs every part's merge in order; the counts of parts that name the same kind add up. */
  async merge(step: SubjectMergeStep): Promise<Required<MergeCounts>> {
    const moved = { inquiries: 0, consents: 0, events: 0, outbox: 0, reviews: 0, other: 0 };
    for (const p of this.parts) {
      const counts = await p.merge(step);
      for (const k of Object.keys(moved) as (keyof typeof moved)[]) moved[k] += counts[k] ?? 0;
    }
    return moved;
  }

  async export(scope: SubjectScope & { key: Buffer }): Promise<Record<string, SubjectDataExport>> {
    const out: Record<string, SubjectDataExport> = {};
    for (const p of this.parts) out[p.name] = await p.export(scope);
    return out;
  }

  async count(scope: SubjectScope): Promise<Record<string, Record<string, number>>> {
    const out: Record<string, Record<string, number>> = {};
    for (const p of this.parts) out[p.name] = await p.count(scope);
    return out;
  }

  async destroy(step: SubjectDestroyStep): Promise<void> {
    for (const p of this.parts) await p.destroy(step);
  }
}
