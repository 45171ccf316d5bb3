import type { Statement } from 'better-sqlite3';
import { RetentionSchema, type Retention } from '../contract/index.js';
import type { WritableDB } from '../db/index.js';
import type { EventLog } from '../events/index.js';
import type { Clock } from '../util/index.js';

const KEY = 'maintenance.retention';

/** Defaults that keep a year of daily use small: replays for a month, archived turns for a quarter, the audit for a year. */
export const DEFAULT_RETENTION: Retention = { recordingsDays: 30, transcriptsDays: 90, auditDays: 365 };

/** The retention settings, one settings row; a change is a `retention.changed` event. */
export class RetentionSettings {
  private readonly select: Statement;
  private readonly upsert: Statement;

  constructor(
    db: WritableDB,
    private readonly log: EventLog,
    private readonly clock: Clock,
  ) {
    this.select = db.prepare('SELECT value FROM settings WHERE key = ?');
    this.upsert = db.prepare('INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at');
  }

  get(): Retention {
    const row = this.select.get(KEY) as { value: string } | undefined;
    const stored = row ? (JSON.parse(row.value) as Record<string, unknown>) : {};
    const next: Record<string, unknown> = { ...DEFAULT_RETENTION };
    // Field by field: one value written differently costs only that field.
    for (const [key, schema] of Object.entries(RetentionSchema.shape)) {
      if (!(key in stored)) continue;
      const parsed = schema.safeParse(stored[key]);
      if (parsed.success) next[key] = parsed.data;
    }
    return next as Retention;
  }

  update(patch: Partial<Retention>): Retention {
    const next = RetentionSchema.parse({ ...this.get(), ...patch });
    this.log.transaction(() => {
      this.upsert.run(KEY, JSON.stringify(next), this.clock.now());
      this.log.append('retention.changed', next);
    });
    return next;
  }
}
