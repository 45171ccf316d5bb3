import type { Statement } from 'better-sqlite3';
import { AppError, type Endpoint, type Settings, type SettingsPatch } from '../contract/index.js';
import type { WritableDB } from '../db/index.js';
import type { EventLog } from '../events/index.js';
import { OPENAI_BASE_URL, type EndpointSettings, type ProviderSettings } from '../providers/index.js';
import type { SecretStore } from '../secrets/index.js';
import { refuseKeysIn } from './projector.js';

export const DEFAULT_CHAT_MODEL = 'anthropic:claude-sonnet-5-5';
export const DEFAULT_OLLAMA_HOST = 'http://127.0.0.1:11434';
const ANTHROPIC_KEY = 'anthropic.apiKey';
const OPENAI_KEY = 'openai.apiKey';
const endpointKey = (name: string) => `endpoint.${name}.apiKey`;

type StoredKey = 'anthropicBaseUrl' | 'ollamaHost' | 'chatModel' | 'spellcheck' | 'startAtLogin' | 'openaiBaseUrl' | 'endpoints';
type StoredEndpoint = { name: string; baseUrl: string };

/**
 * Settings: plain values in the database (changes are events), keys in the secret store. The
 * environment fills what settings leave empty (`ANTHROPIC_API_KEY`, `ANTHROPIC_BASE_URL`, `OLLAMA_HOST`,
 * `OPENAI_API_KEY`, `OPENAI_BASE_URL`). OpenAI-compatible endpoints the user adds are stored by name
 * with their base URL; their keys, like every key, only in the secret store.
 */
export class SettingsService {
  private readonly select: Statement;
  private listeners = new Set<() => void>();

  constructor(
    db: WritableDB,
    private readonly log: EventLog,
    private readonly secrets: SecretStore,
    private readonly env: NodeJS.ProcessEnv,
  ) {
    this.select = db.prepare('SELECT key, value FROM settings');
  }

  private stored(): Partial<Record<StoredKey, unknown>> {
    const out: Partial<Record<StoredKey, unknown>> = {};
    for (const row of this.select.all() as { key: StoredKey; value: string }[]) out[row.key] = JSON.parse(row.value);
    return out;
  }

  private endpoints(s = this.stored()): StoredEndpoint[] {
    const list = Array.isArray(s.endpoints) ? (s.endpoints as StoredEndpoint[]) : [];
    return list.filter((e) => e && typeof e.name === 'string' && typeof e.baseUrl === 'string').sort((a, b) => a.name.localeCompare(b.name));
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
        openai: {
          baseUrl: (s.openaiBaseUrl as string | undefined) ?? (this.env.OPENAI_BASE_URL || null),
          apiKeySource: this.secrets.get(OPENAI_KEY) ? 'settings' : this.env.OPENAI_API_KEY ? 'env' : 'none',
        },
        endpoints: this.endpoints(s).map((e): Endpoint => ({ name: e.name, baseUrl: e.baseUrl, apiKeySource: this.secrets.get(endpointKey(e.name)) ? 'settings' : 'none' })),
      },
      models: { chat: (s.chatModel as string | undefined) ?? this.env.AGENT_BLOB_CHAT_MODEL ?? DEFAULT_CHAT_MODEL },
      desktop: { spellcheck: s.spellcheck === true, startAtLogin: s.startAtLogin === true },
    };
  }

  /** What providers are built from, with the key itself. Stays inside core. */
  providerSettings(): ProviderSettings {
    const settings = this.get();
    const openaiBase = settings.providers.openai.baseUrl;
    const endpoints: Record<string, EndpointSettings> = {
      openai: {
        baseUrl: openaiBase ?? OPENAI_BASE_URL,
        apiKey: this.secrets.get(OPENAI_KEY) ?? (this.env.OPENAI_API_KEY || null),
        // OpenAI itself needs a key; a compatible server the user pointed `openai` at may not.
        keyRequired: !openaiBase || isOpenAIHost(openaiBase),
      },
    };
    for (const e of settings.providers.endpoints) endpoints[e.name] = { baseUrl: e.baseUrl, apiKey: this.secrets.get(endpointKey(e.name)), keyRequired: false };
    return {
      anthropic: { apiKey: this.secrets.get(ANTHROPIC_KEY) ?? this.env.ANTHROPIC_API_KEY ?? null, baseUrl: settings.providers.anthropic.baseUrl },
      ollama: { host: settings.providers.ollama.host },
      endpoints,
    };
  }

  /** Adds or changes an OpenAI-compatible endpoint. `apiKey` undefined keeps the stored key, null removes it. */
  saveEndpoint(input: { name: string; baseUrl: string; apiKey?: string | null }): Settings {
    const baseUrl = input.baseUrl.replace(/\/+$/, '');
    refuseKeysIn(this.log, baseUrl);
    if (input.apiKey !== undefined) this.secrets.set(endpointKey(input.name), input.apiKey);
    this.log.transaction(() => {
      const list = this.endpoints().filter((e) => e.name !== input.name);
      list.push({ name: input.name, baseUrl });
      this.log.append('settings.changed', { keys: [`endpoints.${input.name}`, ...(input.apiKey !== undefined ? [`endpoints.${input.name}.apiKey`] : [])], values: { endpoints: list } });
    });
    this.changed();
    return this.get();
  }

  /** Removes an added endpoint and its key. */
  removeEndpoint(name: string): Settings {
    const list = this.endpoints();
    if (!list.some((e) => e.name === name)) throw new AppError('not_found', `no endpoint named "${name}"`);
    this.log.transaction(() => {
      this.log.append('settings.changed', { keys: [`endpoints.${name}`], values: { endpoints: list.filter((e) => e.name !== name) } });
    });
    this.secrets.set(endpointKey(name), null);
    this.changed();
    return this.get();
  }

  private changed(): void {
    for (const listener of this.listeners) listener();
  }

  update(patch: SettingsPatch): Settings {
    const plain = ['anthropicBaseUrl', 'ollamaHost', 'chatModel', 'spellcheck', 'startAtLogin', 'openaiBaseUrl'] as const;
    refuseKeysIn(this.log, plain.map((key) => patch[key]));
    const changed: string[] = [];
    if (patch.anthropicApiKey !== undefined) {
      this.secrets.set(ANTHROPIC_KEY, patch.anthropicApiKey);
      changed.push('anthropicApiKey');
    }
    if (patch.openaiApiKey !== undefined) {
      this.secrets.set(OPENAI_KEY, patch.openaiApiKey);
      changed.push('openaiApiKey');
    }
    // The settings projector writes the rows from the event (null removes one).
    const values: Record<string, unknown> = {};
    for (const key of plain) {
      const value = patch[key];
      if (value === undefined) continue;
      values[key] = value;
      changed.push(key);
    }
    if (changed.length) this.log.transaction(() => this.log.append('settings.changed', { keys: changed, values }));
    if (changed.length) this.changed();
    return this.get();
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

function isOpenAIHost(baseUrl: string): boolean {
  try {
    return new URL(baseUrl).hostname === 'api.openai.com';
  } catch {
    return false;
  }
}
