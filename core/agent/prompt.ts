import type { MessageItem } from '../contract/index.js';
import type { ChatMessage } from '../providers/index.js';

export interface SystemPromptInput {
  now: number;
  timeZone: string;
  /** Sections later capabilities add: skills index, permission summary, retrieved memory. */
  sections?: { title: string; body: string }[];
}

// A formatter costs more to build than the rest of a prompt; one per zone is kept.
const formatters = new Map<string, Intl.DateTimeFormat>();

/** The system prompt: who the assistant is, today's date, and what capabilities contribute. */
export function buildSystemPrompt(input: SystemPromptInput): string {
  let format = formatters.get(input.timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-GB', { dateStyle: 'full', timeStyle: 'short', timeZone: input.timeZone });
    formatters.set(input.timeZone, format);
  }
  const date = format.format(new Date(input.now));
  const parts = [
    'You are Agent Blob, a personal assistant running on the user\'s own computer. ' +
      'You keep one ongoing conversation with one person. Be direct and concise; say so when you do not know.',
    `Current date and time: ${date} (${input.timeZone}).`,
  ];
  for (const section of input.sections ?? []) parts.push(`## ${section.title}\n${section.body}`);
  return parts.join('\n\n');
}

/**
 * Turns timeline messages into a conversation a model accepts: it starts with the user, roles
 * alternate (neighbours of one role are joined), and empty or failed replies are left out.
 */
export function toConversation(messages: readonly MessageItem[]): ChatMessage[] {
  const out: { role: 'user' | 'assistant'; content: string }[] = [];
  for (const message of messages) {
    if (message.role === 'assistant' && (message.status === 'failed' || !message.text.trim())) continue;
    if (message.status === 'streaming' && message.role === 'assistant') continue;
    const text = message.status === 'cancelled' ? `${message.text}\n[reply stopped by the user]` : message.text;
    const last = out[out.length - 1];
    if (last && last.role === message.role) last.content += `\n\n${text}`;
    else out.push({ role: message.role, content: text });
  }
  while (out.length && out[0].role !== 'user') out.shift();
  return out;
}
