import { RetentionSchema, type Retention } from '../contract/index.js';
import type { WritableDB } from '../db/index.js';
import type { EventLog } from '../events/index.js';
import { SETTINGS_ROW_EVENTS, SettingsRow } from '../settings/index.js';

const KEY = SETTINGS_ROW_EVENTS['retention.changed'];

/** Defaults that keep a year of daily use small: replays for a month, archived turns for a quarter, the audit for a year. */
export const DEFAULT_RETENTION: Retention = { recordingsDays: 30, transcriptsDays: 90, auditDays: 365 };

/** The retention settings, one settings row; a change is a `retention.changed` event. */
export class RetentionSettings {
  private readonly row: SettingsRow<typeof RetentionSchema>;

  constructor(
    db: WritableDB,
    private readonly log: EventLog,
  ) {
    this.row = new SettingsRow(db, KEY, RetentionSchema, DEFAULT_RETENTION);
  }

  get(): Retention {
    return this.row.read();
  }

  update(patch: Partial<Retention>): Retention {
    const next = RetentionSchema.parse({ ...this.get(), ...patch });
    // The settings projector writes the row from the event.
    this.log.transaction(() => this.log.append('retention.changed', next));
    return next;
  }
}
