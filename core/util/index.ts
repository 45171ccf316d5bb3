/** Time, ids and logs, injected everywhere so tests and replays control them; storage errors in plain words; packages loaded on first use. */
export { ManualClock, localTimeZone, systemClock, type Clock, type TimerHandle } from './clock.js';
export { createIds, createSequentialIds, type Ids } from './ids.js';
export { DEFAULT_LOG_KEEP, DEFAULT_LOG_MAX_BYTES, LOG_LEVELS, createFileLogger, rotatedLogName, silentLogger, withFields, type FileLoggerOptions, type LogLevel, type Logger } from './logger.js';
export { storageError, storageFault, type StorageFault } from './storage-errors.js';
export { PackageLoadError, isPackageLoadError, loadPackage, requirePackage, type PackageLoader } from './packages.js';
