export { KeyringService, type RewrapReport } from './keyring.service.ts';
