export {
  checkBackup,
  restoreBackup,
  takeBackup,
  verifyRestored,
  type BackupOptions,
  type CheckOptions,
  type CheckReport,
  type DatabaseUrls,
  type RestoreOptions,
  type RestoreReport,
} from './backup.service.ts';
export { BackupError, type Manifest } from '../../platform/db/backup/manifest.ts';
