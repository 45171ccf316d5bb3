import type { ChatMessage, ToolSpec } from '../providers/index.js';

/**
 * A conservative token estimate: one token per three characters (real tokenisers average nearer
 * four for English), plus a per-message overhead. Over-counting compacts a little early; under-
 * counting would let a prompt pass the window.
 */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 3);
}

export function estimateMessage(message: ChatMessage): number {
  if (typeof message.content === 'string') return 6 + estimateTokens(message.content);
  let n = 6;
  for (const block of message.content) {
    if (block.type === 'text') n += estimateTokens(block.text);
    else if (block.type === 'tool_use') n += 12 + estimateTokens(block.name + JSON.stringify(block.input ?? {}));
    else n += 12 + estimateTokens(block.content);
  }
  return n;
}

export function estimatePrompt(system: string, messages: readonly ChatMessage[], tools: readonly ToolSpec[] = []): number {
  let n = estimateTokens(system) + 8;
  for (const m of messages) n += estimateMessage(m);
  for (const t of tools) n += estimateTool(t);
  return n;
}

// A tool's exported schema is one cached object per tool, so its size is measured once, not every turn.
const toolSizes = new WeakMap<object, Map<string, number>>();
function estimateTool(t: ToolSpec): number {
  let byText = toolSizes.get(t.inputSchema);
  if (!byText) toolSizes.set(t.inputSchema, (byText = new Map()));
  const key = `${t.name}\n${t.description}`;
  let n = byText.get(key);
  if (n === undefined) {
    n = 16 + estimateTokens(t.name + t.description + JSON.stringify(t.inputSchema));
    byText.set(key, n);
  }
  return n;
}
