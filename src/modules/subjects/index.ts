export {
  SubjectsService,
  decryptSubjectRow,
  encryptSubjectFields,
  prepareSubject,
  subjectAad,
  subjectBlindIndexes,
  type BlindIndexes,
  type MessengerIdentity,
  type PreparedSubject,
  type SubjectHandle,
  type SubjectKeyring,
  type SubjectLookup,
  type SubjectSearch,
  type SubjectsDeps,
} from './subjects.service.ts';
export {
  DestroyReason,
  SUBJECT_FIELDS,
  SubjectDto,
  SubjectInput,
  type DestroyResult,
  type SubjectField,
  type SubjectRef,
} from './subjects.schemas.ts';
export { PURGE_ORPHAN_KEYS, ORPHAN_GRACE_MS, purgeOrphanKeysJob } from './orphan-keys.job.ts';
export {
  SubjectMergeService,
  type SubjectInquiryIndex,
  type SubjectMergeDeps,
} from './subjects.merge.service.ts';
export {
  NOT_SUBJECT_KEYED,
  SubjectDataRegistry,
  type MergeCounts,
  type Reseal,
  type SealedColumn,
  type SubjectDataExport,
  type SubjectDataPart,
  type SubjectDestroyStep,
  type SubjectMergeStep,
  type SubjectScope,
} from './subject-data.registry.ts';
export { subjectRowPart } from './subjects.data-part.ts';
export {
  MergeInput,
  SubjectRefText,
  type MergePreview,
  type MergeResult,
  type MergeSide,
} from './subjects.merge.schemas.ts';
