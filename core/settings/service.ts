import type { Statement } from 'better-sqlite3';
import type { Settings, SettingsPatch } from '../contract/index.js';
import type { WritableDB } from '../db/index.js';
import type { EventLog } from '../events/index.js';
import type { ProviderSettings } from '../providers/index.js';
import type { SecretStore } from '../secrets/index.js';
import type { Clock } from '../util/clock.js';

export const DEFAULT_CHAT_MODEL = 'anthropic:claude-sonnet-5-5';
export const DEFAULT_OLLAMA_HOST = 'http://127.0.0.1:11434';
const ANTHROPIC_KEY = 'anthropic.apiKey';

type StoredKey = 'anthropicBaseUrl' | 'ollamaHost' | 'chatModel' | 'spellcheck';

/**
 * Settings: plain values in the database (changes are events), keys in the secret store. The
 * environment fills what settings leave empty (`ANTHROPIC_API_KEY`, `ANTHROPIC_BASE_URL`, `OLLAMA_HOST`).
 */
export class SettingsService {
  private readonly select: Statement;
  private readonly upsert: Statement;
  private readonly remove: Statement;
  private listeners = new Set<() => void>();

  constructor(
    db: WritableDB,
    private readonly log: EventLog,
    private readonly secrets: SecretStore,
    private readonly env: NodeJS.ProcessEnv,
    private readonly clock: Clock,
  ) {
    this.select = db.prepare('SELECT key, value FROM settings');
    this.upsert = db.prepare('INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at');
    this.remove = db.prepare('DELETE FROM settings WHERE key = ?');
  }

  private stored(): Partial<Record<StoredKey, unknown>> {
    const out: Partial<Record<StoredKey, unknown>> = {};
    for (const row of this.select.all() as { key: StoredKey; value: string }[]) out[row.key] = JSON.parse(row.value);
    return out;
  }

  get(): Settings {
    const s = this.stored();
    const key = this.secrets.get(ANTHROPIC_KEY);
    return {
      providers: {
        anthropic: {
          baseUrl: (s.anthropicBaseUrl as string | undefined) ?? this.env.ANTHROPIC_BASE_URL ?? null,
          apiKeySource: key ? 'settings' : this.env.ANTHROPIC_API_KEY ? 'env' : 'none',
        },
        ollama: { host: (s.ollamaHost as string | undefined) ?? this.env.OLLAMA_HOST ?? DEFAULT_OLLAMA_HOST },
      },
      models: { chat: (s.chatModel as string | undefined) ?? this.env.AGENT_BLOB_CHAT_MODEL ?? DEFAULT_CHAT_MODEL },
      desktop: { spellcheck: s.spellcheck === true },
    };
  }

  /** What providers are built from, with the key itself. Stays inside core. */
  providerSettings(): ProviderSettings {
    const settings = this.get();
    return {
      anthropic: { apiKey: this.secrets.get(ANTHROPIC_KEY) ?? this.env.ANTHROPIC_API_KEY ?? null, baseUrl: settings.providers.anthropic.baseUrl },
      ollama: { host: settings.providers.ollama.host },
    };
  }

  update(patch: SettingsPatch): Settings {
    const changed: string[] = [];
    if (patch.anthropicApiKey !== undefined) {
      this.secrets.set(ANTHROPIC_KEY, patch.anthropicApiKey);
      changed.push('anthropicApiKey');
    }
    const plain: StoredKey[] = ['anthropicBaseUrl', 'ollamaHost', 'chatModel', 'spellcheck'];
    this.log.transaction(() => {
      for (const key of plain) {
        const value = patch[key];
        if (value === undefined) continue;
        if (value === null) this.remove.run(key);
        else this.upsert.run(key, JSON.stringify(value), this.clock.now());
        changed.push(key);
      }
      if (changed.length) this.log.append('settings.changed', { keys: changed });
    });
    if (changed.length) for (const listener of this.listeners) listener();
    return this.get();
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
