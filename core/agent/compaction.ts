import type { ChatMessage, ContentBlock, ToolSpec } from '../providers/index.js';
import { estimatePrompt, estimateTokens } from './tokens.js';

/** The working conversation of a run: an optional summary of older turns, then the turns kept raw. */
export interface Conversation {
  summary: string | null;
  messages: ChatMessage[];
  /** Timeline seq of each message that came from the timeline; null for turns of this run. */
  seqs: (number | null)[];
}

export const SUMMARY_HEADER = '[Summary of the earlier conversation]';

/** The messages a model is sent: the summary rides at the head of the first user message. */
export function promptMessages(conv: Conversation): ChatMessage[] {
  if (!conv.summary) return conv.messages;
  const head = `${SUMMARY_HEADER}\n${conv.summary}\n[End of summary]`;
  const [first, ...rest] = conv.messages;
  if (!first) return [{ role: 'user', content: head }];
  if (typeof first.content === 'string') return [{ role: 'user', content: `${head}\n\n${first.content}` }, ...rest];
  return [{ role: 'user', content: [{ type: 'text', text: head }, ...first.content] }, ...rest];
}

/** Where older turns may be cut off: a user message that is not a tool result, so pairs stay whole. */
function isCutPoint(message: ChatMessage): boolean {
  return message.role === 'user' && (typeof message.content === 'string' || message.content.every((b) => b.type === 'text' || b.type === 'image' || b.type === 'document'));
}

/** The latest cut that keeps at least `keepLast` messages raw; 0 when there is none. */
export function findCut(messages: readonly ChatMessage[], keepLast: number): number {
  for (let k = messages.length - keepLast; k > 0; k--) if (isCutPoint(messages[k])) return k;
  return 0;
}

/** Older turns as plain text for the compaction model, newest kept when it must be shortened. */
export function renderTranscript(messages: readonly ChatMessage[], maxTokens: number): string {
  const lines = messages.map((m) => `${m.role === 'user' ? 'User' : 'Assistant'}: ${renderContent(m.content)}`);
  const out: string[] = [];
  let used = 0;
  for (let i = lines.length - 1; i >= 0; i--) {
    const cost = estimateTokens(lines[i]);
    if (used + cost > maxTokens) break;
    out.unshift(lines[i]);
    used += cost;
  }
  return out.join('\n\n');
}

function renderContent(content: string | ContentBlock[]): string {
  if (typeof content === 'string') return content;
  return content
    .map((b) => {
      switch (b.type) {
        case 'text':
          return b.text;
        case 'tool_use':
          return `[called ${b.name} ${JSON.stringify(b.input ?? {}).slice(0, 500)}]`;
        case 'tool_result':
          return `[tool result${b.isError ? ' (error)' : ''}: ${b.content.slice(0, 1500)}]`;
        case 'image':
          return `[attached image ${b.name}]`;
        case 'document':
          return `[attached file ${b.name}: ${b.text.slice(0, 1500)}]`;
      }
    })
    .join('\n');
}

/** The instruction the compaction model gets. */
export function compactionPrompt(previousSummary: string | null, transcript: string): { system: string; user: string } {
  return {
    system:
      'You compress conversations. Write a faithful summary of the conversation below for the assistant to continue from: ' +
      'facts learned, decisions, the user\'s preferences, names, numbers, files and open tasks. No preamble. Plain text, at most 300 words.',
    user: `${previousSummary ? `Summary so far:\n${previousSummary}\n\n` : ''}Conversation to fold in:\n${transcript}`,
  };
}

/** The conversation after older turns up to `cut` became `summary`. */
export function applySummary(conv: Conversation, cut: number, summary: string): Conversation {
  return { summary, messages: conv.messages.slice(cut), seqs: conv.seqs.slice(cut) };
}

/**
 * Emergency truncation, no model needed: drops the oldest turns (at cut points) until the prompt fits,
 * keeping the summary and the last turn; as a last resort shortens the summary and then the text of
 * the oldest remaining messages from their start.
 */
export function truncateToFit(conv: Conversation, system: string, tools: readonly ToolSpec[], limit: number): { conv: Conversation; dropped: number } {
  let current = conv;
  let dropped = 0;
  const size = (c: Conversation) => estimatePrompt(system, promptMessages(c), tools);
  while (size(current) > limit) {
    const cut = findCut(current.messages, 1);
    if (cut <= 0) break;
    dropped += cut;
    current = { summary: current.summary, messages: current.messages.slice(cut), seqs: current.seqs.slice(cut) };
  }
  if (size(current) > limit && current.summary) {
    const room = Math.max(0, limit - estimatePrompt(system, current.messages, tools) - 20);
    let summary = room > 10 ? current.summary.slice(-room * 3) : '';
    while (summary && estimateTokens(summary) > room) summary = summary.slice(Math.ceil(summary.length / 4));
    current = { ...current, summary: summary || null };
  }
  for (let i = 0; i < current.messages.length && size(current) > limit; i++) {
    const over = size(current) - limit;
    const messages = current.messages.slice();
    messages[i] = shorten(messages[i], over * 3 + 64);
    current = { ...current, messages };
  }
  return { conv: current, dropped };
}

function shorten(message: ChatMessage, chars: number): ChatMessage {
  const cutText = (t: string) => (t.length > chars ? `[…shortened]${t.slice(Math.min(t.length, chars))}` : '[…shortened]');
  if (typeof message.content === 'string') return { ...message, content: cutText(message.content) };
  return {
    ...message,
    content: message.content.map((b) =>
      b.type === 'text' ? { ...b, text: cutText(b.text) } : b.type === 'tool_result' ? { ...b, content: cutText(b.content) } : b.type === 'document' ? { ...b, text: cutText(b.text) } : b,
    ),
  };
}
