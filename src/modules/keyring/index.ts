export {
  KeyringService,
  type LookupField,
  type RewrapReport,
  type SubjectLookups,
} from './keyring.service.ts';
