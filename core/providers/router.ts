import type { Clock } from '../util/index.js';
import type { CircuitBreaker } from './breaker.js';
import { ProviderError, parseModelRef, type ModelProvider, type ModelRequest, type ProviderId, type StreamEvent } from './types.js';

export interface RetryPolicy {
  /** Attempts per model before falling to the next one. */
  attemptsPerModel: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** A `retry-after` longer than this falls to the next model instead of waiting. */
  maxRetryAfterMs: number;
  /**
   * A stream that sends nothing for this long is abandoned as a timeout. The SDKs' own timeouts end
   * at the response headers, so a provider that stalls after them would otherwise hold a run forever.
   * Generous, because a local model may take minutes to load before its first token.
   */
  idleMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attemptsPerModel: 3, baseDelayMs: 500, maxDelayMs: 8000, maxRetryAfterMs: 60_000, idleMs: 180_000 };

/** What the router tells its caller besides the model's own stream. */
export type RouterNotice =
  | { type: 'retry'; model: string; attempt: number; kind: string; message: string; delayMs: number }
  | { type: 'fallback'; from: string; to: string | null; reason: string }
  | { type: 'cooldown'; model: string; until: number; failures: number };

export type RoutedEvent = StreamEvent | RouterNotice;

export interface RouterDeps {
  providers: { get(id: ProviderId): ModelProvider };
  clock: Clock;
  breaker: CircuitBreaker;
  retry?: RetryPolicy;
}

/**
 * Streams a model turn from the first model of a chain that answers. Failures the router can act on
 * (429, 5xx, overloaded, timeout, unreachable) are retried with backoff, honouring `retry-after`, then
 * the next model is tried; a model in cooldown is skipped. A failure after output has started is not
 * retried: that text has already reached the user. The `end` event names the model that answered as
 * `provider:model`.
 */
export async function* routeStream(deps: RouterDeps, chain: readonly string[], request: Omit<ModelRequest, 'model'>): AsyncGenerator<RoutedEvent> {
  const policy = deps.retry ?? DEFAULT_RETRY;
  let lastError: ProviderError | null = null;
  for (let i = 0; i < chain.length; i++) {
    const ref = chain[i];
    const next = chain[i + 1] ?? null;
    const blocked = deps.breaker.blockedUntil(ref);
    if (blocked !== null) {
      // No clock time in the words: a UTC instant reads wrong to a person; windows show `until` in local time.
      lastError = new ProviderError(parseModelRef(ref).provider, 'overloaded', `${ref} is cooling down after repeated failures (about ${Math.max(1, Math.ceil((blocked - deps.clock.now()) / 1000))} s left)`);
      yield { type: 'fallback', from: ref, to: next, reason: 'cooldown' };
      continue;
    }
    const { provider, model } = parseModelRef(ref);
    for (let attempt = 1; ; attempt++) {
      let started = false;
      // The attempt's own signal: aborted by the caller's, or when the model goes quiet. Linked by
      // hand: AbortSignal.any cost ~0.2 ms a request on Node 20, a tenth of a worker's start.
      const controller = new AbortController();
      let stalled = false;
      const onIdle = () => {
        stalled = true;
        controller.abort();
      };
      const onCancel = () => controller.abort(request.signal.reason);
      if (request.signal.aborted) onCancel();
      else request.signal.addEventListener('abort', onCancel, { once: true });
      let idle = deps.clock.setTimeout(onIdle, policy.idleMs);
      try {
        for await (const event of deps.providers.get(provider).stream({ ...request, model, signal: controller.signal })) {
          deps.clock.clearTimeout(idle);
          idle = deps.clock.setTimeout(onIdle, policy.idleMs);
          started = true;
          yield event.type === 'end' ? { ...event, model: `${provider}:${event.model}` } : event;
        }
        deps.breaker.success(ref);
        return;
      } catch (err) {
        let error = err instanceof ProviderError ? err : new ProviderError(provider, 'server', (err as Error)?.message ?? String(err));
        if (stalled && !request.signal.aborted) error = new ProviderError(provider, 'timeout', `${ref} sent nothing for ${Math.round(policy.idleMs / 1000)} s`);
        else if (error.kind === 'cancelled' || request.signal.aborted) throw new ProviderError(provider, 'cancelled', 'cancelled');
        if (started || !error.retryable) throw error;
        lastError = error;
        const opened = deps.breaker.failure(ref);
        if (opened !== null) {
          yield { type: 'cooldown', model: ref, until: opened, failures: deps.breaker.failures(ref) };
          break;
        }
        if (attempt >= policy.attemptsPerModel) break;
        const delayMs = error.retryAfterMs ?? Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
        if (delayMs > policy.maxRetryAfterMs) break;
        yield { type: 'retry', model: ref, attempt, kind: error.kind, message: error.message, delayMs };
        await sleep(deps.clock, delayMs, request.signal, provider);
      } finally {
        deps.clock.clearTimeout(idle);
        request.signal.removeEventListener('abort', onCancel);
      }
    }
    yield { type: 'fallback', from: ref, to: next, reason: lastError?.kind ?? 'failed' };
  }
  throw lastError ?? new ProviderError('anthropic', 'bad_request', 'no model is configured for this purpose');
}

/** Waits on the injected clock; a cancel ends the wait at once (a `cancelled` error of `provider`, the one being retried). */
export function sleep(clock: Clock, ms: number, signal: AbortSignal, provider: ProviderId): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(new ProviderError(provider, 'cancelled', 'cancelled'));
    const onAbort = () => {
      clock.clearTimeout(timer);
      reject(new ProviderError(provider, 'cancelled', 'cancelled'));
    };
    const timer = clock.setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
