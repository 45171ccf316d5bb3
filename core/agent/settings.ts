import type { Statement } from 'better-sqlite3';
import { AgentSettingsSchema, type AgentSettings, type AgentSettingsPatch } from '../contract/index.js';
import type { WritableDB } from '../db/index.js';
import type { EventLog } from '../events/index.js';
import type { Clock } from '../util/index.js';

const KEY = 'agent.settings';

export const DEFAULT_AGENT_SETTINGS: AgentSettings = {
  routes: {},
  prices: {},
  budgets: { runTokens: null, runCostUsd: null },
  contextTokens: {},
  compactAt: 0.75,
  maxTurns: 12,
};

/** Routing, prices, budgets and limits, stored as one settings row; a change is a `settings.changed` event. */
export class AgentSettingsService {
  private readonly select: Statement;
  private readonly upsert: Statement;
  private cache: AgentSettings | null = null;

  constructor(
    db: WritableDB,
    private readonly log: EventLog,
    private readonly clock: Clock,
  ) {
    this.select = db.prepare('SELECT value FROM settings WHERE key = ?');
    this.upsert = db.prepare('INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at');
  }

  get(): AgentSettings {
    if (this.cache) return this.cache;
    const row = this.select.get(KEY) as { value: string } | undefined;
    const stored = row ? (JSON.parse(row.value) as Record<string, unknown>) : {};
    // Field by field, so one value a newer or older version wrote differently costs only that field.
    const next: Record<string, unknown> = { ...DEFAULT_AGENT_SETTINGS };
    for (const [key, schema] of Object.entries(AgentSettingsSchema.shape)) {
      if (!(key in stored)) continue;
      const parsed = schema.safeParse(stored[key]);
      if (parsed.success) next[key] = parsed.data;
    }
    this.cache = next as AgentSettings;
    return this.cache;
  }

  update(patch: AgentSettingsPatch): AgentSettings {
    const next = AgentSettingsSchema.parse({ ...this.get(), ...patch });
    const keys = Object.keys(patch).map((k) => `agent.${k}`);
    this.log.transaction(() => {
      this.upsert.run(KEY, JSON.stringify(next), this.clock.now());
      if (keys.length) this.log.append('settings.changed', { keys });
    });
    this.cache = next;
    return next;
  }
}
