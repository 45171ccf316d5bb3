import type { Memory } from '../../../contract/index.js';
import { formatTime, oneLine, table } from '../format.js';

// What the memory commands print, and the search command's options: apart from memory.ts so that
// the direct search (../direct-search.ts) prints the same without loading the other commands.

/** The stable shape scripts read: `{id, text, area, score?, pinned, created_at}`. */
export function memoryJson(m: Memory, score?: number): Record<string, unknown> {
  return { id: m.id, text: m.text, area: m.area, ...(score === undefined ? {} : { score }), pinned: m.pinned, created_at: new Date(m.createdAt).toISOString() };
}

export function rows(memories: { memory: Memory; score?: number }[]): string {
  return table([
    ['ID', 'AREA', 'PIN', 'CREATED (UTC)', ...(memories.some((m) => m.score !== undefined) ? ['SCORE'] : []), 'TEXT'],
    ...memories.map(({ memory: m, score }) => [m.id, m.area, m.pinned ? '*' : '', formatTime(m.createdAt), ...(score === undefined ? [] : [score.toFixed(4)]), oneLine(m.text, 80)]),
  ]);
}

export const area = { type: 'string', value: 'AREA', description: 'main, fragments, solutions or instruments' } as const;

/** `memory search`'s options; the direct search parses the same. */
export const SEARCH_OPTIONS = { limit: { type: 'string', value: 'K', description: 'at most K results (default 10)' }, area } as const;

/** What `memory search` prints for its hits, whether the core or the direct search found them. */
export function searchOutput(hits: { memory: Memory; score: number }[], json: boolean): string {
  if (json) return `${JSON.stringify(hits.map((h) => memoryJson(h.memory, h.score)))}\n`;
  return hits.length ? rows(hits) : 'no memories match\n';
}
