/**
 * The subject's own row as a part of the registry: its name, phone and e-mail (sealed under its
 * own key, bound to its id and field). The registry runs it after every other part: a destruction
 * deletes the row last (the evidence tables that the app may not DELETE go by its cascade), and a
 * merge fills the kept subject's empty fields from the merged one's.
 */
import type { SubjectDataPart } from './subject-data.registry.ts';
import { mergeRepository } from './subjects.merge.repository.ts';
import { subjectsRepository, type SubjectRow } from './subjects.repository.ts';
import { SUBJECT_FIELDS, type SubjectField } from './subjects.schemas.ts';
import { decryptSubjectRow, subjectAad } from './subjects.service.ts';

/** The fields the kept subject lacks and the merged one has: a merge copies them. */
export function fillableFields(kept: SubjectRow, merged: SubjectRow): SubjectField[] {
  return SUBJECT_FIELDS.filter((f) => kept[`${f}_enc`] === null && merged[`${f}_enc`] !== null);
}

export const subjectRowPart: SubjectDataPart = {
  name: 'subjects',
  tables: ['subjects'],
  sealed: SUBJECT_FIELDS.map((f) => ({
    table: 'subjects',
    column: `${f}_enc`,
    aad: (id: string) => subjectAad(id, f),
  })),

  async merge({ tx, operatorId, mergedId, keptId, reseal, at }) {
    const rows = await mergeRepository.findPair(tx, operatorId, [keptId, mergedId]);
    const kept = rows.get(keptId);
    const merged = rows.get(mergedId);
    if (!kept || !merged) return {};
    const filled = fillableFields(kept, merged);
    if (filled.length === 0) return {};
    const values: Partial<Record<`${SubjectField}_enc`, Buffer>> = {};
    for (const f of filled) {
      // The subject's fields are bound to its own id: the value moves to the kept subject's AAD.
      values[`${f}_enc`] = reseal(merged[`${f}_enc`], subjectAad(mergedId, f), subjectAad(keptId, f))!;
    }
    await mergeRepository.fillSubject(tx, operatorId, keptId, values, at);
    return {};
  },

  async export({ tx, operatorId, subjectId, key }) {
    const row = await subjectsRepository.findById(tx, operatorId, subjectId);
    if (!row) return { subjects: [] };
    const dto = decryptSubjectRow(key, row);
    return {
      subjects: [
        { id: dto.id, name: dto.name, phone: dto.phone, email: dto.email, createdAt: dto.createdAt },
      ],
    };
  },

  async count({ tx, operatorId, subjectId }) {
    return { subjects: (await subjectsRepository.findById(tx, operatorId, subjectId)) ? 1 : 0 };
  },

  async destroy({ tx, operatorId, subjectId }) {
    await subjectsRepository.deleteById(tx, operatorId, subjectId);
  },
};
