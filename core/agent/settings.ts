import { AgentSettingsSchema, type AgentSettings, type AgentSettingsPatch } from '../contract/index.js';
import type { WritableDB } from '../db/index.js';
import type { EventLog } from '../events/index.js';
import { refuseKeysIn, SettingsRow } from '../settings/index.js';

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
  private readonly row: SettingsRow<typeof AgentSettingsSchema>;
  private cache: AgentSettings | null = null;

  constructor(
    db: WritableDB,
    private readonly log: EventLog,
  ) {
    this.row = new SettingsRow(db, KEY, AgentSettingsSchema, DEFAULT_AGENT_SETTINGS);
  }

  get(): AgentSettings {
    if (this.cache) return this.cache;
    // Field by field, so one value a newer or older version wrote differently costs only that field.
    this.cache = this.row.read();
    return this.cache;
  }

  update(patch: AgentSettingsPatch): AgentSettings {
    const next = AgentSettingsSchema.parse({ ...this.get(), ...patch });
    const keys = Object.keys(patch).map((k) => `agent.${k}`);
    refuseKeysIn(this.log, next);
    // The settings projector writes the row from the event.
    if (keys.length) this.log.transaction(() => this.log.append('settings.changed', { keys, values: { [KEY]: next } }));
    this.cache = next;
    return next;
  }
}
