import type { ChatMessage, ToolSpec } from './types.js';

/**
 * A conservative token estimate: one token per three ASCII characters (real tokenisers average
 * nearer four for English) and two per other UTF-16 unit (accented letters, CJK, emoji: one to three
 * tokens each in practice), plus a per-message overhead. Over-counting compacts a little early;
 * under-counting would let a prompt pass the window.
 */
export function estimateTokens(text: string): number {
  let wide = 0;
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0x7f) wide++;
  return Math.ceil((text.length - wide) / 3) + wide * 2;
}

/** What one attached image is counted as. */
export const IMAGE_TOKENS = 1600;

// Messages are never changed once made, so each is measured once however many turns resend it.
const messageSizes = new WeakMap<ChatMessage, number>();

export function estimateMessage(message: ChatMessage): number {
  const known = messageSizes.get(message);
  if (known !== undefined) return known;
  let n = 6;
  if (typeof message.content === 'string') n += estimateTokens(message.content);
  else {
    for (const block of message.content) {
      if (block.type === 'text') n += estimateTokens(block.text);
      else if (block.type === 'tool_use') n += 12 + estimateTokens(block.name + JSON.stringify(block.input ?? {}));
      else if (block.type === 'tool_result') n += 12 + estimateTokens(block.content);
      else if (block.type === 'document') n += 12 + estimateTokens(block.name + block.text);
      // Providers count an image by its pixels (Anthropic: width × height / 750, at most ~1,600 for
      // an image the window shrank); the bytes are not read here, so every image counts as the most.
      else n += IMAGE_TOKENS;
    }
  }
  messageSizes.set(message, n);
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
