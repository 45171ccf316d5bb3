import type { DataPaths } from '../datadir/index.js';
import type { WritableDB } from '../db/index.js';
import type { EventLog } from '../events/index.js';
import type { CapabilityModule } from '../modules/index.js';
import type { Clock, Logger, TimerHandle } from '../util/index.js';
import { pruneByRetention } from './prune.js';
import { RetentionSettings } from './retention.js';
import { storageReport } from './sizes.js';

const DAY_MS = 24 * 60 * 60 * 1000;
/** The first daily pass waits a little after start, so it never competes with the start itself. */
const FIRST_PASS_MS = 10 * 60 * 1000;

export interface MaintenanceModuleDeps {
  db: WritableDB;
  log: EventLog;
  clock: Clock;
  logger: Logger;
  paths: DataPaths;
  /** Whether this core prunes once a day by itself (the desktop app and the host; not a short CLI command). */
  daily: boolean;
}

export interface MaintenanceModule extends CapabilityModule {
  readonly retention: RetentionSettings;
}

/**
 * Keeps the data folder small for months of use: retention settings, a daily prune with a WAL
 * checkpoint, and `maintenance.run` for sizes, prune, VACUUM and an integrity check on demand.
 */
export function createMaintenanceModule(deps: MaintenanceModuleDeps): MaintenanceModule {
  const { db, log, clock, logger, paths } = deps;
  const retention = new RetentionSettings(db, log, clock);
  let timer: TimerHandle | null = null;

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
    handlers: {
      'maintenance.report': () => storageReport(db, paths, retention.get()),
      'maintenance.retention.update': (patch) => retention.update(patch),
      'maintenance.run': ({ prune, vacuum, integrity }) => {
        const before = storageReport(db, paths, retention.get()).totalBytes;
        const pruned = prune ? pruneByRetention(db, log, retention.get(), clock.now(), 'command') : { deltaEvents: 0, recordingSteps: 0, transcripts: 0, auditRequests: 0, auditEvents: 0 };
        if (vacuum) {
          db.exec('VACUUM');
          db.pragma('wal_checkpoint(TRUNCATE)');
        }
        const check = integrity ? String(db.pragma('integrity_check', { simple: true })) : null;
        logger.log('info', 'maintenance', { ...pruned, vacuumed: vacuum, integrity: check });
        return { pruned, vacuumed: vacuum, integrity: check, before: { totalBytes: before }, after: storageReport(db, paths, retention.get()) };
      },
    },
    start() {
      if (deps.daily) timer = clock.setTimeout(daily, FIRST_PASS_MS);
    },
    stop() {
      if (timer !== null) clock.clearTimeout(timer);
      timer = null;
    },
  };
}
