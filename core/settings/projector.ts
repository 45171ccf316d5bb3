import { AppError, type AppEvent } from '../contract/index.js';
import type { WritableDB } from '../db/index.js';
import type { EventLog, Projector } from '../events/index.js';

/** Settings rows whose owners announce a change with an event of their own carrying the whole row. */
export const SETTINGS_ROW_EVENTS = {
  'retention.changed': 'maintenance.retention',
  'backups.changed': 'maintenance.backups',
} as const satisfies Partial<Record<AppEvent['type'], string>>;

/**
 * Keeps the `settings` table in step with the log: every settings row is written here, from the
 * event that announces its change, in the appending transaction. Replaying the log into an empty
 * database gives the same rows. A `settings.changed` event of an older log, without `values`,
 * changes nothing.
 */
export function createSettingsProjector(db: WritableDB): Projector {
  const upsert = db.prepare('INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at');
  const remove = db.prepare('DELETE FROM settings WHERE key = ?');
  return (event: AppEvent) => {
    if (event.type === 'settings.changed') {
      for (const [key, value] of Object.entries(event.data.values ?? {})) {
        if (value === null || value === undefined) remove.run(key);
        else upsert.run(key, JSON.stringify(value), event.ts);
      }
    } else if (event.type === 'retention.changed' || event.type === 'backups.changed') {
      upsert.run(SETTINGS_ROW_EVENTS[event.type], JSON.stringify(event.data), event.ts);
    }
  };
}

/**
 * Refuses settings values the log would have to mask (a key, or text shaped like one): a settings
 * row is written from its event, which never holds a key, and keys belong in the secret store.
 */
export function refuseKeysIn(log: EventLog, values: unknown): void {
  if (log.masks(values)) {
    throw new AppError('invalid_input', 'a setting cannot hold a key or text shaped like one: put keys in their key fields, which keep them in the secret store');
  }
}
