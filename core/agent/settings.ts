import { AgentSettingsSchema, type AgentSettings, type AgentSettingsPatch } from '../contract/index.js';
import type { WritableDB } from '../db/index.js';
import type { EventLog } from '../events/index.js';
import { SettingsRow } from '../settings/index.js';
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
  private readonly row: SettingsRow<typeof AgentSettingsSchema>;
  private cache: AgentSettings | null = null;

  constructor(
    db: WritableDB,
    private readonly log: EventLog,
    clock: Clock,
  ) {
    this.row = new SettingsRow(db, KEY, AgentSettingsSchema, DEFAULT_AGENT_SETTINGS, clock);
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
    this.log.transaction(() => {
      this.row.write(next);
      if (keys.length) this.log.append('settings.changed', { keys });
    });
    this.cache = next;
    return next;
  }
}
