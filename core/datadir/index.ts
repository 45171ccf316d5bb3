export { dataPaths, defaultDataDir, prepareDataDir, type DataPaths } from './paths.js';
export { acquireLock, currentBoot, readLock, isProcessAlive, lockHolderAlive, processStartTime, writtenBeforeBoot, DataDirBusyError, type DataDirLock, type LockInfo } from './lock.js';
export { backupDatabase, gunzipFile, gzipFile, isCompressedName, isGzipFile, type BackupResult } from './backup.js';
export { openDataFolder, type DataFolder } from './open.js';
export { restoreDatabase, type RestoreResult } from './restore.js';
