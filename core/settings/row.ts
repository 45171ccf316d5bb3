import type { Statement } from 'better-sqlite3';
import type { z } from 'zod';
import type { WritableDB } from '../db/index.js';

/**
 * One settings row holding a JSON object, read field by field against its schema: a value an older
 * or newer version (or a hand edit) wrote differently costs only that field, and a row that is not
 * JSON at all costs only that row; the defaults fill in. Rows are written by the settings projector
 * from the event that announces the change (`createSettingsProjector`), never here.
 */
export class SettingsRow<S extends z.ZodObject> {
  private readonly select: Statement;

  constructor(
    db: WritableDB,
    private readonly key: string,
    private readonly schema: S,
    private readonly defaults: z.output<S>,
  ) {
    this.select = db.prepare('SELECT value FROM settings WHERE key = ?');
  }

  read(): z.output<S> {
    const stored = storedObject(this.select.get(this.key) as { value: string } | undefined);
    const next: Record<string, unknown> = { ...this.defaults };
    for (const [key, field] of Object.entries(this.schema.shape as Record<string, z.ZodType>)) {
      if (!(key in stored)) continue;
      const parsed = field.safeParse(stored[key]);
      if (parsed.success) next[key] = parsed.data;
    }
    return next as z.output<S>;
  }

  /**
   * The row as stored, for an owner that checks its fields itself (worker roles, one role at a
   * time): the stored JSON object, or `{}` for a missing row or one that is not a JSON object.
   */
  readStored(): Record<string, unknown> {
    return storedObject(this.select.get(this.key) as { value: string } | undefined);
  }
}

function storedObject(row: { value: string } | undefined): Record<string, unknown> {
  if (!row) return {};
  try {
    const value: unknown = JSON.parse(row.value);
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}
