/** Retention, sizes, prune, VACUUM and integrity: the data folder kept small for months of use. */
export { createMaintenanceModule, type MaintenanceModule, type MaintenanceModuleDeps } from './module.js';
export { DEFAULT_RETENTION, RetentionSettings } from './retention.js';
export { DELTA_GRACE_MS, pruneByRetention, type PruneCounts } from './prune.js';
export { storageReport } from './sizes.js';
export { BackupSettingsStore, DEFAULT_BACKUPS, backupFolder, listBackups, makeBackup } from './backups.js';
