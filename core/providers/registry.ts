import { providerUrlProblem } from '../contract/index.js';
import { createAnthropicProvider } from './anthropic.js';
import { createOllamaProvider } from './ollama.js';
import { createOpenAICompatibleProvider, type OpenAICompatibleConfig } from './openai.js';
import { ProviderError, type ModelProvider, type ProviderId } from './types.js';

/** An OpenAI-compatible endpoint as settings describe it, with its key. */
export interface EndpointSettings {
  baseUrl: string;
  apiKey: string | null;
  keyRequired: boolean;
}

export interface ProviderSettings {
  anthropic: { apiKey: string | null; baseUrl: string | null };
  ollama: { host: string };
  /** Every OpenAI-compatible endpoint by name: `openai` itself and the ones the user added. */
  endpoints: Record<string, EndpointSettings>;
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

  /** The provider of that name; an unknown name is a `bad_request` the router does not retry. */
  get(id: ProviderId): ModelProvider {
    const override = this.overrides[id];
    if (override) return override;
    let provider = this.cache.get(id);
    if (!provider) {
      const settings = this.readSettings();
      const address = id === 'anthropic' ? settings.anthropic.baseUrl : id === 'ollama' ? settings.ollama.host : (settings.endpoints[id]?.baseUrl ?? null);
      const problem = address === null ? null : providerUrlProblem(address);
      if (problem) provider = misconfigured(id, `${id}'s address in Settings → Providers cannot be used: ${problem}`);
      else if (id === 'anthropic') provider = createAnthropicProvider(settings.anthropic);
      else if (id === 'ollama') provider = createOllamaProvider(settings.ollama);
      else {
        const endpoint = settings.endpoints[id];
        if (!endpoint) throw new ProviderError(id, 'bad_request', unknownProviderMessage(id));
        provider = createOpenAICompatibleProvider(endpointConfig(id, endpoint));
      }
      this.cache.set(id, provider);
    }
    return provider;
  }

  /** Whether a provider of that name exists now. */
  has(id: ProviderId): boolean {
    return !!this.overrides[id] || id === 'anthropic' || id === 'ollama' || id in this.readSettings().endpoints;
  }

  /** Every provider name there is: the built-in ones, then added endpoints in name order. */
  names(): ProviderId[] {
    const added = Object.keys(this.readSettings().endpoints).filter((n) => n !== 'openai').sort();
    return ['anthropic', 'ollama', 'openai', ...added];
  }

  /** Forgets built clients; the next `get` reads settings again. */
  invalidate(): void {
    this.cache.clear();
  }
}

/**
 * A provider whose address cannot be used (stored by an older version, or from the environment):
 * every call fails with that reason, and the doctor shows it, instead of a client built on it.
 */
function misconfigured(id: ProviderId, message: string): ModelProvider {
  const fail = (): never => {
    throw new ProviderError(id, 'bad_request', message);
  };
  return {
    id,
    // eslint-disable-next-line require-yield -- fails before its first event
    stream: async function* () {
      fail();
    },
    probe: async () => ({ ok: false, detail: message }),
    listModels: async () => fail(),
  };
}

export function endpointConfig(name: string, endpoint: EndpointSettings): OpenAICompatibleConfig {
  return { name, baseUrl: endpoint.baseUrl, apiKey: endpoint.apiKey, keyRequired: endpoint.keyRequired };
}

export function unknownProviderMessage(id: string): string {
  return `no provider named "${id}": models are written provider:model with anthropic, ollama, openai or an endpoint added in Settings → Providers`;
}
