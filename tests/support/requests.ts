import type { RecordedRequest } from './script.js';

/** The system prompt of a recorded model request: Anthropic's `system`, or the system message of OpenAI's and Ollama's chat. */
export function systemPromptOf(body: unknown): string {
  const b = body as { system?: unknown; messages?: { role?: string; content?: unknown }[] } | null;
  const system = b?.system ?? b?.messages?.find((m) => m.role === 'system')?.content;
  if (typeof system === 'string') return system;
  return Array.isArray(system) ? system.map((block: { text?: string }) => block.text ?? '').join('\n') : '';
}

/**
 * True for a request of a chat turn: the agent's own system prompt, not a worker's (which adds the
 * worker's instructions), and not the one question a memory extraction or a compaction asks. A
 * scheduled prompt's run has the chat's system prompt, so its requests count too.
 */
export function isChatRequest(body: unknown): boolean {
  const system = systemPromptOf(body);
  return system.startsWith('You are Agent Blob') && !system.includes('You are a worker');
}

/**
 * The last request of a chat turn a loopback server received. The last request of all may be a
 * memory extraction, a compaction or a worker's that came after it.
 */
export function lastChatRequest(server: { requests: readonly RecordedRequest[] }): RecordedRequest {
  const found = server.requests.findLast((r) => isChatRequest(r.body));
  if (!found) throw new Error(`none of the ${server.requests.length} requests the server received is a chat turn's`);
  return found;
}
