import { z } from 'zod';

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
});
export type StorageReport = z.infer<typeof StorageReportSchema>;

/** Maintenance events; merged into `EVENT_DATA`. */
export const MAINTENANCE_EVENT_DATA = {
  /** Old by-products were pruned by the retention settings (what and how many). */
  'maintenance.pruned': Pruned.extend({ trigger: z.enum(['command', 'daily']) }),
  /** The retention settings changed. */
  'retention.changed': RetentionSchema,
} as const;

/** Maintenance commands; merged into `COMMANDS`. */
export const MAINTENANCE_COMMANDS = {
  /** Sizes per file of the data folder and per table, and the retention settings. */
  'maintenance.report': { args: z.object({}).strict(), result: StorageReportSchema },
  /** Prunes by the retention settings, then (optionally) VACUUM and an integrity check; reports before and after. */
  'maintenance.run': {
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
  },
  /** Changes how long recordings, archived transcripts and the audit are kept. */
  'maintenance.retention.update': { args: RetentionSchema.partial().strict(), result: RetentionSchema },
} as const;
