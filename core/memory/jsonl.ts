import { z } from 'zod';
import { MemoryAreaSchema, type Memory, type MemoryArea } from '../contract/index.js';

/** One line of a memory JSONL file. Times are ISO 8601 strings or epoch milliseconds. */
const LineSchema = z.object({
  text: z.string().trim().min(1, 'text is empty').max(20_000),
  area: MemoryAreaSchema.default('main'),
  created_at: z.union([z.number().int().min(0), z.string()]).optional(),
  updated_at: z.union([z.number().int().min(0), z.string()]).optional(),
  pinned: z.boolean().default(false),
});

export interface ImportItem {
  line: number;
  text: string;
  area: MemoryArea;
  createdAt: number | null;
  updatedAt: number | null;
  pinned: boolean;
}

/** Parses JSONL; blank lines are skipped, bad lines come back with their 1-based number. */
export function parseMemoryJsonl(jsonl: string): { items: ImportItem[]; errors: { line: number; message: string }[] } {
  const items: ImportItem[] = [];
  const errors: { line: number; message: string }[] = [];
  const lines = jsonl.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i].trim();
    if (!raw) continue;
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch {
      errors.push({ line: i + 1, message: 'not valid JSON' });
      continue;
    }
    const parsed = LineSchema.safeParse(value);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      errors.push({ line: i + 1, message: `${issue.path.join('.') || 'line'}: ${issue.message}` });
      continue;
    }
    const createdAt = parsed.data.created_at === undefined ? null : parseTime(parsed.data.created_at);
    if (Number.isNaN(createdAt)) {
      errors.push({ line: i + 1, message: `created_at: "${String(parsed.data.created_at)}" is not a date` });
      continue;
    }
    const updatedAt = parsed.data.updated_at === undefined ? null : parseTime(parsed.data.updated_at);
    items.push({ line: i + 1, text: parsed.data.text, area: parsed.data.area, createdAt, updatedAt: Number.isNaN(updatedAt) ? null : updatedAt, pinned: parsed.data.pinned });
  }
  return { items, errors };
}

function parseTime(value: number | string): number {
  return typeof value === 'number' ? value : Date.parse(value);
}

/** One export line: the import format plus id and update time, so a round trip keeps everything. */
export function memoryToJsonLine(m: Memory): string {
  return JSON.stringify({
    id: m.id,
    text: m.text,
    area: m.area,
    created_at: new Date(m.createdAt).toISOString(),
    updated_at: new Date(m.updatedAt).toISOString(),
    pinned: m.pinned,
  });
}
