import { after, before } from 'node:test';
import { AnthropicLoopback } from './anthropic-server.js';
import { OllamaLoopback } from './ollama-server.js';

/** The API key the loopback servers are called with; redaction tests search for it. */
export const TEST_API_KEY = 'sk-ant-test-key-000000';

export interface LoopbackProviders {
  readonly anthropic: AnthropicLoopback;
  readonly ollama: OllamaLoopback;
  /** Environment that points core's providers at both servers. */
  env(extra?: NodeJS.ProcessEnv): NodeJS.ProcessEnv;
}

/**
 * Starts a loopback Anthropic and Ollama server before the enclosing suite's tests and closes them
 * after; call it inside `describe`. Hooks registered after this one see both servers running.
 */
export function useLoopbackProviders(): LoopbackProviders {
  let servers: { anthropic: AnthropicLoopback; ollama: OllamaLoopback } | null = null;
  const running = () => {
    if (!servers) throw new Error('the loopback providers start in a before hook; use them inside tests or later hooks');
    return servers;
  };
  before(async () => {
    servers = { anthropic: await AnthropicLoopback.start(), ollama: await OllamaLoopback.start() };
  });
  after(async () => {
    await servers?.anthropic.close();
    await servers?.ollama.close();
  });
  return {
    get anthropic() {
      return running().anthropic;
    },
    get ollama() {
      return running().ollama;
    },
    env: (extra = {}) => ({ ANTHROPIC_API_KEY: TEST_API_KEY, ANTHROPIC_BASE_URL: running().anthropic.url, OLLAMA_HOST: running().ollama.url, ...extra }),
  };
}
