import { createAnthropicProvider } from './anthropic.js';
import { createOllamaProvider } from './ollama.js';
import type { ModelProvider, ProviderId } from './types.js';

export interface ProviderSettings {
  anthropic: { apiKey: string | null; baseUrl: string | null };
  ollama: { host: string };
}

/**
 * Builds provider clients from the current settings and rebuilds them when settings change. Tests
 * may pass their own providers; those are used as given.
 */
export class ProviderRegistry {
  private cache = new Map<ProviderId, ModelProvider>();

  constructor(
    private readonly readSettings: () => ProviderSettings,
    private readonly overrides: Partial<Record<ProviderId, ModelProvider>> = {},
  ) {}

  get(id: ProviderId): ModelProvider {
    const override = this.overrides[id];
    if (override) return override;
    let provider = this.cache.get(id);
    if (!provider) {
      const settings = this.readSettings();
      provider = id === 'anthropic' ? createAnthropicProvider(settings.anthropic) : createOllamaProvider(settings.ollama);
      this.cache.set(id, provider);
    }
    return provider;
  }

  /** Forgets built clients; the next `get` reads settings again. */
  invalidate(): void {
    this.cache.clear();
  }
}
