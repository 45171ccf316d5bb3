import { z } from 'zod';
import { PathSchema } from './paths.js';

const days = z.number().int().min(1).max(36_500).nullable();

/** How long the bulky by-products of runs are kept; null keeps them for ever. The event log itself is never cut. */
export const RetentionSchema = z.object({
  /** Replay recordings (model streams, tool results) of runs that ended this many days ago. */
  recordingsDays: days,
  /** The raw turns a compaction replaced (its summary stays). */
  transcriptsDays: days,
  /** Decided permission requests in the audit, with their events (pending ones and rules are kept). */
  auditDays: days,
});
export type Retention = z.infer<typeof RetentionSchema>;

const Pruned = z.object({
  /** Streamed-text events of finished messages: the finished message holds the whole text. */
  deltaEvents: z.number().int(),
  recordingSteps: z.number().int(),
  transcripts: z.number().int(),
  auditRequests: z.number().int(),
  auditEvents: z.number().int(),
});

const SizeRow = z.object({ name: z.string(), bytes: z.number().int() });

/** The daily backup: off by default; when on, a copy of the database once a day, the newest `keep` kept. */
export const BackupSettingsSchema = z.object({
  daily: z.boolean(),
  /** How many daily copies are kept; older ones are removed after each new one. */
  keep: z.number().int().min(1).max(365),
  /** An absolute folder for the copies; null: the data folder's `backups/`. */
  folder: PathSchema.refine((p) => p.startsWith('/') || /^[A-Za-z]:[\\/]/.test(p) || p.startsWith('\\\\'), 'the backup folder must be an absolute path').nullable(),
});
export type BackupSettings = z.infer<typeof BackupSettingsSchema>;

/** One copy made by the daily backup (or Back up now), restorable with `agent-blob restore PATH`. */
export const BackupFileSchema = z.object({ name: z.string(), path: z.string(), bytes: z.number().int(), at: z.number() });
export type BackupFile = z.infer<typeof BackupFileSchema>;

/** The daily backup's settings, where its copies are, and what happened last. */
export const BackupStatusSchema = z.object({
  settings: BackupSettingsSchema,
  /** The folder in use (the setting, or the data folder's `backups/`). */
  folder: z.string(),
  /** The copies in that folder, newest first. */
  files: z.array(BackupFileSchema),
  /** All of them together. */
  bytes: z.number().int(),
  /** When the next daily copy is due; null while the daily backup is off or this app does not run it (a CLI command). */
  nextAt: z.number().nullable(),
  /** The last daily attempt that failed, while no copy has been made since. */
  lastError: z.object({ at: z.number(), message: z.string() }).nullable(),
});
export type BackupStatus = z.infer<typeof BackupStatusSchema>;

/** Where the data folder's space goes. */
export const StorageReportSchema = z.object({
  dataDir: z.string(),
  /** Every file of the data folder together. */
  totalBytes: z.number().int(),
  /** The database, its WAL, the logs, artifacts, ... largest first. */
  files: z.array(SizeRow),
  /** Bytes per table and index inside the database, largest first. */
  tables: z.array(SizeRow),
  /** Pages of the database that are free (space a VACUUM gives back). */
  freeBytes: z.number().int(),
  events: z.number().int(),
  retention: RetentionSchema,
  /** The data folder by kind: database, its WAL (with shared memory), backups kept inside it, logs, worker artifacts, the rest. */
  parts: z.object({
    database: z.number().int(),
    wal: z.number().int(),
    backups: z.number().int(),
    logs: z.number().int(),
    artifacts: z.number().int(),
    other: z.number().int(),
  }),
  backups: BackupStatusSchema,
});
export type StorageReport = z.infer<typeof StorageReportSchema>;

/** Maintenance events: builders merged into `EVENT_DATA`, each built on first use. */
export const MAINTENANCE_EVENT_DATA = {
  /** Old by-products were pruned by the retention settings (what and how many). */
  'maintenance.pruned': () => Pruned.extend({ trigger: z.enum(['command', 'daily']) }),
  /** The retention settings changed. */
  'retention.changed': () => RetentionSchema,
  /** The daily backup's settings changed. */
  'backups.changed': () => BackupSettingsSchema,
  /** A copy of the database was made in the backup folder; `removed` names the older copies let go to keep the newest `keep`. */
  'backup.made': () => z.object({ path: z.string(), bytes: z.number().int(), trigger: z.enum(['daily', 'command']), removed: z.array(z.string()) }),
} as const;

/** Maintenance commands: builders merged into `COMMANDS`, each built on first use. */
export const MAINTENANCE_COMMANDS = {
  /** Sizes per file of the data folder and per table, and the retention settings. */
  'maintenance.report': () => ({ args: z.object({}).strict(), result: StorageReportSchema }),
  /** Prunes by the retention settings, then (optionally) VACUUM and an integrity check; reports before and after. */
  'maintenance.run': () => ({
    args: z
      .object({
        prune: z.boolean().default(true),
        vacuum: z.boolean().default(true),
        integrity: z.boolean().default(true),
      })
      .strict(),
    result: z.object({
      pruned: Pruned,
      vacuumed: z.boolean(),
      integrity: z.string().nullable(),
      before: z.object({ totalBytes: z.number().int() }),
      after: StorageReportSchema,
    }),
  }),
  /** The daily backup: its settings, its folder and the copies in it. */
  'maintenance.backups': () => ({ args: z.object({}).strict(), result: BackupStatusSchema }),
  /** Turns the daily backup on or off, or changes how many copies are kept and where. */
  'maintenance.backups.update': () => ({ args: BackupSettingsSchema.partial().strict(), result: BackupStatusSchema }),
  /** Makes a copy in the backup folder now (as the daily backup would), then keeps the newest `keep`. */
  'maintenance.backups.now': () => ({ args: z.object({}).strict(), result: z.object({ made: BackupFileSchema, status: BackupStatusSchema }) }),
  /** Changes how long recordings, archived transcripts and the audit are kept. */
  'maintenance.retention.update': () => ({ args: RetentionSchema.partial().strict(), result: RetentionSchema }),
} as const;
