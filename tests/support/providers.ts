import { after, before } from 'node:test';
import { AnthropicLoopback } from './anthropic-server.js';
import { OllamaLoopback } from './ollama-server.js';
import { OpenAILoopback } from './openai-server.js';

/** The API key the loopback servers are called with; redaction tests search for it. */
export const TEST_API_KEY = 'sk-ant-test-key-000000';
/** The OpenAI key core is given (`OPENAI_API_KEY`); the data folder must never hold it. */
export const TEST_OPENAI_KEY = 'sk-proj-loopbackOpenAIKey0000000000';

export interface LoopbackProviders {
  readonly anthropic: AnthropicLoopback;
  readonly ollama: OllamaLoopback;
  readonly openai: OpenAILoopback;
  /** Environment that points core's providers at the servers. */
  env(extra?: NodeJS.ProcessEnv): NodeJS.ProcessEnv;
}

/**
 * Starts loopback Anthropic, Ollama and OpenAI-compatible servers before the enclosing suite's tests
 * and closes them after; call it inside `describe`. Hooks registered after this one see them running.
 */
export function useLoopbackProviders(): LoopbackProviders {
  let servers: { anthropic: AnthropicLoopback; ollama: OllamaLoopback; openai: OpenAILoopback } | null = null;
  const running = () => {
    if (!servers) throw new Error('the loopback providers start in a before hook; use them inside tests or later hooks');
    return servers;
  };
  before(async () => {
    servers = { anthropic: await AnthropicLoopback.start(), ollama: await OllamaLoopback.start(), openai: await OpenAILoopback.start() };
  });
  after(async () => {
    await servers?.anthropic.close();
    await servers?.ollama.close();
    await servers?.openai.close();
  });
  return {
    get anthropic() {
      return running().anthropic;
    },
    get ollama() {
      return running().ollama;
    },
    get openai() {
      return running().openai;
    },
    env: (extra = {}) => ({
      ANTHROPIC_API_KEY: TEST_API_KEY,
      ANTHROPIC_BASE_URL: running().anthropic.url,
      OLLAMA_HOST: running().ollama.url,
      OPENAI_API_KEY: TEST_OPENAI_KEY,
      OPENAI_BASE_URL: running().openai.baseUrl,
      ...extra,
    }),
  };
}
