export {
  KeyringService,
  type LookupField,
  type RewrapReport,
  type SubjectLookups,
} from './keyring.service.ts';
export { SubjectLookupMoves, type LookupRow } from './subject-lookups.ts';
