export { AnthropicLoopback } from './anthropic-server.js';
export { OllamaLoopback, hashEmbedding } from './ollama-server.js';
export { LoopbackServer } from './loopback-server.js';
export { OpenAILoopback } from './openai-server.js';
export { chunk, sleep, type ScriptedReply, type RecordedRequest } from './script.js';
export { tempDir, startTestCore, type TestCore } from './core.js';
export { waitFor, WAIT_MS } from './wait.js';
export { startTestHost, type TestHost } from './host.js';
export { useLoopbackProviders, TEST_API_KEY, TEST_OPENAI_KEY, type LoopbackProviders } from './providers.js';
