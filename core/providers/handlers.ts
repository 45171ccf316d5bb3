import { AppError, type HealthCheck, type Settings } from '../contract/index.js';
import type { Handlers } from '../gateway/index.js';
import { ProviderError, parseModelRef, type ModelProvider, type ProviderId } from './types.js';
import { unknownProviderMessage } from './registry.js';

type ProviderCommand = 'providers.endpoint.save' | 'providers.endpoint.remove' | 'providers.models';

export interface ProviderHandlerDeps {
  settings: {
    get(): Settings;
    saveEndpoint(input: { name: string; baseUrl: string; apiKey?: string | null }): Settings;
    removeEndpoint(name: string): Settings;
  };
  providers: { get(id: ProviderId): ModelProvider; has(id: ProviderId): boolean };
  redact: (text: string) => string;
}

/** Endpoint management and model lists. */
export function createProviderHandlers(deps: ProviderHandlerDeps): Pick<Handlers, ProviderCommand> {
  return {
    'providers.endpoint.save': (input) => deps.settings.saveEndpoint(input),
    'providers.endpoint.remove': ({ name }) => deps.settings.removeEndpoint(name),
    'providers.models': async ({ provider }) => {
      if (!deps.providers.has(provider)) throw new AppError('not_found', unknownProviderMessage(provider));
      const source = deps.providers.get(provider);
      if (!source.listModels) throw new AppError('unavailable', `${provider} cannot list its models`);
      const controller = new AbortController();
      const timer = setTimeout(() => controller.abort(), 8000);
      try {
        const models = await source.listModels(controller.signal);
        return { provider, models: models.map((m) => `${provider}:${m}`) };
      } catch (err) {
        const message = err instanceof ProviderError && err.kind === 'cancelled' ? `${provider} did not list its models within 8 s` : (err as Error).message;
        throw new AppError('unavailable', deps.redact(message));
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

/** A chat model reference names a provider that exists; else a typed `invalid_input`. */
export function requireKnownModel(providers: { has(id: ProviderId): boolean }, ref: string): void {
  let provider: string;
  try {
    provider = parseModelRef(ref).provider;
  } catch {
    throw new AppError('invalid_input', `"${ref}" is not a model: write provider:model, e.g. anthropic:claude-sonnet-5-5`);
  }
  if (!providers.has(provider)) throw new AppError('invalid_input', unknownProviderMessage(provider));
}

export interface ProviderHealthDeps {
  settings: Settings;
  /** Every model the routes name (chat model included), to say which provider serves what. */
  usedModels: string[];
  providers: { get(id: ProviderId): ModelProvider; has(id: ProviderId): boolean; names(): ProviderId[] };
  probe: boolean;
  redact: (text: string) => string;
}

/**
 * One health check per provider: Anthropic, Ollama, OpenAI and each added endpoint. A provider the
 * chat model uses fails the check when it does not answer; others warn. A route naming a provider
 * that does not exist fails.
 */
export async function providerHealthChecks(deps: ProviderHealthDeps): Promise<HealthCheck[]> {
  const checks: HealthCheck[] = [];
  const chat = parseModelRef(deps.settings.models.chat);
  const used = new Set(deps.usedModels.map((m) => safeProvider(m)).filter((p): p is string => !!p));
  for (const id of deps.providers.names()) {
    const usedForChat = chat.provider === id;
    const name = `provider ${id}${usedForChat ? ` (chat model ${chat.model})` : ''}`;
    const severity = usedForChat ? 'fail' : 'warn';
    if (id === 'anthropic' && deps.settings.providers.anthropic.apiKeySource === 'none') {
      checks.push({ name, status: severity, detail: 'no API key set: open Settings or set ANTHROPIC_API_KEY' });
      continue;
    }
    if (id === 'openai' && deps.settings.providers.openai.apiKeySource === 'none' && !deps.settings.providers.openai.baseUrl) {
      checks.push({ name, status: used.has('openai') ? severity : 'ok', detail: 'not configured: set OPENAI_API_KEY or add a key in Settings → Providers' });
      continue;
    }
    if (!deps.probe) {
      checks.push({ name, status: 'ok', detail: 'configured (not probed)' });
      continue;
    }
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), 5000);
    try {
      const probe = await deps.providers.get(id).probe(controller.signal);
      checks.push({ name, status: probe.ok ? 'ok' : severity, detail: deps.redact(probe.detail) });
    } catch (err) {
      // A provider that cannot even be built is a finding of the check, not a failed doctor.
      checks.push({ name, status: severity, detail: deps.redact((err as Error).message) });
    } finally {
      clearTimeout(timer);
    }
  }
  const missing = [...used].filter((p) => !deps.providers.has(p));
  for (const id of missing) {
    checks.push({ name: `provider ${id}`, status: 'fail', detail: `${unknownProviderMessage(id)}; used by: ${deps.usedModels.filter((m) => safeProvider(m) === id).join(', ')}` });
  }
  return checks;
}

function safeProvider(ref: string): string | null {
  try {
    return parseModelRef(ref).provider;
  } catch {
    return null;
  }
}
