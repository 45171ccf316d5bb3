import { createHash } from 'node:crypto';
import type { DiffLine, McpPinState, McpToolDefinition } from '../contract/index.js';

/** JSON with object keys sorted at every level, so equal definitions give equal text whatever the key order. */
export function canonicalJson(value: unknown, indent?: number): string {
  return JSON.stringify(sortKeys(value), null, indent);
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value as Record<string, unknown>)
        .sort()
        .map((k) => [k, sortKeys((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}

/** The pin of a tool definition: a SHA-256 of its name, description and input schema. */
export function definitionHash(name: string, definition: McpToolDefinition): string {
  return createHash('sha256').update(canonicalJson({ name, description: definition.description, inputSchema: definition.inputSchema })).digest('hex');
}

/** Whether a listed definition matches the one approved. */
export function pinState(currentHash: string, approvedHash: string | null): McpPinState {
  if (approvedHash === null) return 'new';
  return approvedHash === currentHash ? 'approved' : 'changed';
}

/** A definition as lines a person reads in a diff: the description, then the schema with sorted keys. */
export function definitionLines(definition: McpToolDefinition): string[] {
  return ['description:', ...definition.description.split('\n').map((l) => `  ${l}`), 'input schema:', ...canonicalJson(definition.inputSchema, 2).split('\n').map((l) => `  ${l}`)];
}

const MAX_DIFF_LINES = 2000;

/**
 * A line diff (longest common subsequence) of two definitions. Definitions are small; past
 * `MAX_DIFF_LINES` lines on either side the rest is shown as removed and added whole.
 */
export function diffDefinitions(before: McpToolDefinition, after: McpToolDefinition): DiffLine[] {
  const a = definitionLines(before);
  const b = definitionLines(after);
  if (a.length > MAX_DIFF_LINES || b.length > MAX_DIFF_LINES) return [...a.map((text) => ({ op: '-' as const, text })), ...b.map((text) => ({ op: '+' as const, text }))];
  const lcs: number[][] = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) lcs[i][j] = a[i] === b[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
  }
  const out: DiffLine[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) {
      out.push({ op: ' ', text: a[i] });
      i++;
      j++;
    } else if (lcs[i + 1][j] >= lcs[i][j + 1]) out.push({ op: '-', text: a[i++] });
    else out.push({ op: '+', text: b[j++] });
  }
  while (i < a.length) out.push({ op: '-', text: a[i++] });
  while (j < b.length) out.push({ op: '+', text: b[j++] });
  return out;
}
