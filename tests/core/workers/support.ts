import type { AppEvent } from '../../../core/contract/index.js';
import { chunk, type ScriptedReply } from '../../support/index.js';

/** An Anthropic Messages request as the loopback server received it. */
export type MessagesBody = { system?: unknown; messages: { role: string; content: unknown }[] };

/** True for a worker's request: its system prompt carries the envelope instructions. */
export function isWorkerRequest(body: unknown): boolean {
  return JSON.stringify((body as MessagesBody)?.system ?? '').includes('You are a worker');
}

/** A worker request's task: its first user message. */
export function taskOf(body: unknown): string {
  const first = (body as MessagesBody).messages[0]?.content;
  return typeof first === 'string' ? first : JSON.stringify(first);
}

/** How many model turns the run has had before this request. */
export function turnsBefore(body: unknown): number {
  return (body as MessagesBody).messages.filter((m) => m.role === 'assistant').length;
}

/** The tool results the request carries, as text. */
export function toolResults(body: unknown): string[] {
  const out: string[] = [];
  for (const m of (body as MessagesBody).messages) {
    if (!Array.isArray(m.content)) continue;
    for (const block of m.content as { type: string; content?: unknown }[]) if (block.type === 'tool_result') out.push(typeof block.content === 'string' ? block.content : JSON.stringify(block.content));
  }
  return out;
}

/** A reply that is a whole result envelope. */
export function envelopeReply(envelope: Record<string, unknown>, delayMs = 0): ScriptedReply {
  return { kind: 'stream', chunks: chunk(JSON.stringify(envelope), 24), delayMs, usage: { input: 40, output: 12 } };
}

/** `run.status` moves of worker runs, in log order. */
export function statusMoves(events: readonly AppEvent[]): { runId: string; to: string; reason: string | null }[] {
  return events.flatMap((e) => (e.type === 'run.status' && e.runId ? [{ runId: e.runId, to: e.data.to, reason: e.data.reason }] : []));
}

/** The most workers running at once, from the log. */
export function maxRunningAtOnce(events: readonly AppEvent[], ids: ReadonlySet<string>): number {
  const running = new Set<string>();
  let max = 0;
  for (const move of statusMoves(events)) {
    if (!ids.has(move.runId)) continue;
    if (move.to === 'running' || move.to === 'waiting_permission') running.add(move.runId);
    else running.delete(move.runId);
    max = Math.max(max, running.size);
  }
  return max;
}
