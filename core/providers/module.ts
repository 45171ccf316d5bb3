import { AppError } from '../contract/index.js';
import type { CapabilityModule } from '../modules/index.js';
import type { Clock } from '../util/index.js';
import { CircuitBreaker } from './breaker.js';
import { createProviderHandlers, type ProviderHandlerDeps } from './handlers.js';
import { ProviderRegistry, type ProviderSettings } from './registry.js';
import type { ModelProvider, ProviderId } from './types.js';

export interface ProvidersModule extends CapabilityModule {
  readonly providers: ProviderRegistry;
  /** Models that keep failing sit out a cooldown; shared by every run. */
  readonly breaker: CircuitBreaker;
}

export interface ProvidersModuleDeps {
  clock: Clock;
  /** Settings: what clients are built from (keys stay inside core), endpoints, and their changes. */
  settings: ProviderHandlerDeps['settings'] & { providerSettings(): ProviderSettings; onChange(listener: () => void): unknown };
  /** Providers to use as given instead of building them (tests). */
  overrides?: Partial<Record<ProviderId, ModelProvider>>;
  redact: (text: string) => string;
}

/** Model providers built from settings, the circuit breaker, and their status and probe commands. */
export function createProvidersModule(deps: ProvidersModuleDeps): ProvidersModule {
  const providers = new ProviderRegistry(() => deps.settings.providerSettings(), deps.overrides);
  const breaker = new CircuitBreaker(deps.clock);
  deps.settings.onChange(() => providers.invalidate());
  return {
    name: 'providers',
    providers,
    breaker,
    handlers: {
      ...createProviderHandlers({ settings: deps.settings, providers, redact: deps.redact }),
      'providers.status': () => ({ models: breaker.snapshot() }),
      'providers.tryNow': ({ model }) => {
        breaker.reset(model);
        return { models: breaker.snapshot() };
      },
      'providers.test': async ({ provider }) => {
        const controller = new AbortController();
        const timer = setTimeout(() => controller.abort(), 8000);
        try {
          const probe = await providers.get(provider).probe(controller.signal);
          return { ok: probe.ok, detail: deps.redact(probe.detail) };
        } catch (err) {
          throw new AppError('unavailable', deps.redact((err as Error).message));
        } finally {
          clearTimeout(timer);
        }
      },
    },
  };
}
