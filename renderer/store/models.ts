import type { AppEvent, Settings } from '../../core/contract/index.js';
import { describeError } from './errors.js';
import type { SliceCreator } from './types.js';

/** The models one provider offers, or why they could not be listed. */
export interface ModelGroup {
  provider: string;
  models: string[];
  error: string | null;
}

export interface ModelsSlice {
  /** Providers with the models each lists, for the composer's picker; empty until loaded. */
  modelGroups: ModelGroup[];
  /** The default chat model (used when the composer names none). */
  defaultModel: string | null;
  /** The model the composer sends with (`provider:model`), or null for the default. */
  composerModel: string | null;
  /** Bumped when settings change, so the picker lists again. */
  modelsVersion: number;
  /** Lists every configured provider's models, once per settings version (a repeated call reuses it). */
  loadModelGroups(): Promise<void>;
  setComposerModel(model: string | null): void;
  /** Adds or changes an OpenAI-compatible endpoint; `apiKey` undefined keeps the stored one. Returns an error text, or null. */
  saveEndpoint(input: { name: string; baseUrl: string; apiKey?: string | null }): Promise<string | null>;
  removeEndpoint(name: string): Promise<string | null>;
  /** The models a provider lists, as `provider:model`. */
  listModels(provider: string): Promise<{ models: string[] } | { error: string }>;
  applyModelEvents(events: readonly AppEvent[]): void;
}

/** Providers worth asking for models: those that are configured. */
function configuredProviders(settings: Settings): string[] {
  const out: string[] = [];
  if (settings.providers.anthropic.apiKeySource !== 'none') out.push('anthropic');
  out.push('ollama');
  if (settings.providers.openai.apiKeySource !== 'none' || settings.providers.openai.baseUrl) out.push('openai');
  for (const e of settings.providers.endpoints) out.push(e.name);
  return out;
}

export const createModelsSlice: SliceCreator<ModelsSlice> = (set, get, client) => {
  let loading: { version: number; promise: Promise<void> } | null = null;

  async function listAll(): Promise<void> {
    let settings: Settings;
    try {
      settings = await client.call('settings.get', {});
    } catch {
      return;
    }
    const providers = configuredProviders(settings);
    const lists = await Promise.allSettled(providers.map((provider) => client.call('providers.models', { provider })));
    const modelGroups = providers.map((provider, i): ModelGroup => {
      const r = lists[i];
      return r.status === 'fulfilled' ? { provider, models: r.value.models, error: null } : { provider, models: [], error: describeError(r.reason) };
    });
    set({ modelGroups, defaultModel: settings.models.chat });
  }

  return {
    modelGroups: [],
    defaultModel: null,
    composerModel: null,
    modelsVersion: 0,

    loadModelGroups() {
      const version = get().modelsVersion;
      if (loading?.version !== version) loading = { version, promise: listAll() };
      return loading.promise;
    },

    setComposerModel(model) {
      set({ composerModel: model });
    },

    async saveEndpoint(input) {
      try {
        set({ settings: await client.call('providers.endpoint.save', input), settingsError: null });
        return null;
      } catch (err) {
        return describeError(err);
      }
    },

    async removeEndpoint(name) {
      try {
        set({ settings: await client.call('providers.endpoint.remove', { name }) });
        const chosen = get().composerModel;
        if (chosen?.startsWith(`${name}:`)) set({ composerModel: null });
        return null;
      } catch (err) {
        return describeError(err);
      }
    },

    async listModels(provider) {
      try {
        return { models: (await client.call('providers.models', { provider })).models };
      } catch (err) {
        return { error: describeError(err) };
      }
    },

    applyModelEvents(events) {
      if (events.some((e) => e.type === 'settings.changed')) set({ modelsVersion: get().modelsVersion + 1 });
    },
  };
};
