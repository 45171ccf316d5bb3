import type { DataPaths } from '../datadir/index.js';
import type { WritableDB } from '../db/index.js';
import type { EventLog } from '../events/index.js';
import type { CapabilityModule } from '../modules/index.js';
import type { Clock, Logger, TimerHandle } from '../util/index.js';
import type { BackupFile, BackupStatus } from '../contract/index.js';
import { BackupSettingsStore, backupFolder, listBackups, makeBackup } from './backups.js';
import { pruneByRetention } from './prune.js';
import { RetentionSettings } from './retention.js';
import { storageReport } from './sizes.js';

const DAY_MS = 24 * 60 * 60 * 1000;
/** The first daily pass waits a little after start, so it never competes with the start itself. */
const FIRST_PASS_MS = 10 * 60 * 1000;
/** The daily backup waits this long after start, and looks again at least this often (a sleep, a changed clock). */
const BACKUP_GRACE_MS = 2 * 60 * 1000;
const HOUR_MS = 60 * 60 * 1000;

export interface MaintenanceModuleDeps {
  db: WritableDB;
  log: EventLog;
  clock: Clock;
  logger: Logger;
  paths: DataPaths;
  /** Whether this core prunes and backs up once a day by itself (the desktop app and the host; not a short CLI command). */
  daily: boolean;
}

export interface MaintenanceModule extends CapabilityModule {
  readonly retention: RetentionSettings;
  readonly backups: BackupSettingsStore;
}

/**
 * Keeps the data folder small for months of use: retention settings, a daily prune with a WAL
 * checkpoint, and `maintenance.run` for sizes, prune, VACUUM and an integrity check on demand.
 */
export function createMaintenanceModule(deps: MaintenanceModuleDeps): MaintenanceModule {
  const { db, log, clock, logger, paths } = deps;
  const retention = new RetentionSettings(db, log);
  const backups = new BackupSettingsStore(db, log);
  let timer: TimerHandle | null = null;

  // The daily backup: due a day after the newest copy in the backup folder (so a restart or a
  // changed setting never makes an extra one), never in the first minutes after start, an hour
  // after a failed attempt; the timer wakes at least hourly so a sleep or a changed clock is noticed.
  const startedAt = clock.now();
  let backupTimer: TimerHandle | null = null;
  let backupNextAt: number | null = null;
  let backupRetryAt = 0;
  let backupError: { at: number; message: string } | null = null;
  let backingUp: Promise<unknown> | null = null;
  // The daily attempt, until its next one is planned (what `idle` waits for).
  let dailyAttempt: Promise<void> | null = null;
  let stopped = false;

  const planBackup = () => {
    if (backupTimer !== null) clock.clearTimeout(backupTimer);
    backupTimer = null;
    backupNextAt = null;
    const settings = backups.get();
    if (!deps.daily || stopped || !settings.daily) return;
    const newest = listBackups(backupFolder(settings, paths))[0];
    const now = clock.now();
    backupNextAt = Math.max(newest ? newest.at + DAY_MS : now, startedAt + BACKUP_GRACE_MS, backupRetryAt);
    backupTimer = clock.setTimeout(backupTick, Math.min(Math.max(0, backupNextAt - now), HOUR_MS));
  };
  const backupTick = () => {
    backupTimer = null;
    if (backingUp || backupNextAt === null || clock.now() < backupNextAt) return planBackup();
    dailyAttempt = backUp('daily')
      .then(() => undefined, () => undefined)
      .finally(() => {
        dailyAttempt = null;
        planBackup();
      });
  };
  const backUp = (trigger: 'daily' | 'command'): Promise<{ made: BackupFile; removed: string[] }> => {
    const now = clock.now();
    const attempt = (async () => {
      if (backingUp) await backingUp.catch(() => {});
      return makeBackup(db, paths, backups.get(), now);
    })();
    backingUp = attempt;
    return attempt.then(
      (result) => {
        backingUp = null;
        backupError = null;
        backupRetryAt = 0;
        log.transaction(() => log.append('backup.made', { path: result.made.path, bytes: result.made.bytes, trigger, removed: result.removed }));
        logger.log('info', 'backup made', { path: result.made.path, bytes: result.made.bytes, trigger, removed: result.removed.length });
        return result;
      },
      (err: unknown) => {
        backingUp = null;
        const message = err instanceof Error ? err.message : String(err);
        if (trigger === 'daily') {
          backupError = { at: now, message };
          backupRetryAt = now + HOUR_MS;
        }
        logger.log('warn', 'backup failed', { trigger, error: message });
        throw err;
      },
    );
  };
  const backupStatus = (): BackupStatus => {
    const settings = backups.get();
    const folder = backupFolder(settings, paths);
    const files = listBackups(folder);
    return { settings, folder, files, bytes: files.reduce((sum, f) => sum + f.bytes, 0), nextAt: backupNextAt, lastError: backupError };
  };

  const daily = () => {
    timer = null;
    try {
      const counts = pruneByRetention(db, log, retention.get(), clock.now(), 'daily');
      db.pragma('wal_checkpoint(TRUNCATE)');
      db.pragma('optimize');
      logger.log('info', 'daily maintenance', { ...counts });
    } catch (err) {
      logger.log('warn', 'daily maintenance failed', { error: String(err) });
    }
    timer = clock.setTimeout(daily, DAY_MS);
  };

  return {
    name: 'maintenance',
    retention,
    backups,
    handlers: {
      'maintenance.report': () => storageReport(db, paths, retention.get(), backupStatus()),
      'maintenance.backups': () => backupStatus(),
      'maintenance.backups.update': (patch) => {
        backups.update(patch, paths);
        backupRetryAt = 0;
        backupError = null;
        planBackup();
        return backupStatus();
      },
      'maintenance.backups.now': async () => {
        const { made } = await backUp('command');
        planBackup();
        return { made, status: backupStatus() };
      },
      'maintenance.retention.update': (patch) => retention.update(patch),
      'maintenance.run': ({ prune, vacuum, integrity }) => {
        const before = storageReport(db, paths, retention.get(), backupStatus()).totalBytes;
        const pruned = prune ? pruneByRetention(db, log, retention.get(), clock.now(), 'command') : { deltaEvents: 0, recordingSteps: 0, transcripts: 0, auditRequests: 0, auditEvents: 0 };
        if (vacuum) {
          db.exec('VACUUM');
          db.pragma('wal_checkpoint(TRUNCATE)');
        }
        const check = integrity ? String(db.pragma('integrity_check', { simple: true })) : null;
        logger.log('info', 'maintenance', { ...pruned, vacuumed: vacuum, integrity: check });
        return { pruned, vacuumed: vacuum, integrity: check, before: { totalBytes: before }, after: storageReport(db, paths, retention.get(), backupStatus()) };
      },
    },
    start() {
      if (deps.daily) timer = clock.setTimeout(daily, FIRST_PASS_MS);
      planBackup();
    },
    idle: () => (dailyAttempt ?? backingUp ? Promise.allSettled([dailyAttempt, backingUp]).then(() => undefined) : null),
    async stop() {
      stopped = true;
      if (timer !== null) clock.clearTimeout(timer);
      timer = null;
      if (backupTimer !== null) clock.clearTimeout(backupTimer);
      backupTimer = null;
      // A copy in progress reads the database: it finishes before the database closes.
      await Promise.allSettled([dailyAttempt, backingUp]);
    },
  };
}
