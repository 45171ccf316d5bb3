import { z } from 'zod';
import { describeZodError } from '../contract/index.js';
import type { AnyTool } from '../tools/index.js';

export type ParsedArgs = { ok: true; args: unknown; repaired: string | null } | { ok: false; message: string };

/**
 * Validates a model's tool arguments against the tool's schema. Broken JSON is repaired when the fix
 * is unambiguous (a missing closing brace, a trailing comma, a code fence), and scalars of the wrong
 * type are coerced when the conversion is exact ("5" for a number, 5 for a string). Anything else is
 * a message the model can act on.
 */
export function parseToolArgs(tool: AnyTool, input: unknown, rawArguments: string): ParsedArgs {
  let value = input;
  let repaired: string | null = null;
  if (value === undefined) {
    const fixed = repairJson(rawArguments);
    if (fixed === undefined) return { ok: false, message: `the arguments were not valid JSON (${rawArguments.slice(0, 200)}); send them again as one JSON object` };
    value = fixed;
    repaired = 'broken JSON repaired';
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return { ok: false, message: 'the arguments must be one JSON object' };
  }
  let result = tool.args.safeParse(value);
  if (!result.success) {
    const coerced = coerceScalars(tool, value as Record<string, unknown>);
    if (coerced) {
      const second = tool.args.safeParse(coerced);
      if (second.success) {
        result = second;
        repaired = repaired ? `${repaired}; types coerced` : 'types coerced';
      }
    }
  }
  if (!result.success) return { ok: false, message: `invalid arguments for ${tool.name}: ${describeZodError(result.error)}` };
  return { ok: true, args: result.data, repaired };
}

/** Tries a few unambiguous repairs of a JSON object text; undefined when none gives an object. */
export function repairJson(raw: string): unknown {
  const candidates: string[] = [];
  let text = raw.trim();
  const fence = /^```(?:json)?\s*([\s\S]*?)\s*```$/i.exec(text);
  if (fence) text = fence[1];
  candidates.push(text);
  const noTrailingComma = text.replace(/,\s*([}\]])/g, '$1');
  candidates.push(noTrailingComma);
  const closed = closeBrackets(noTrailingComma.replace(/,\s*$/, ''));
  if (closed) candidates.push(closed);
  for (const c of candidates) {
    try {
      const v = JSON.parse(c) as unknown;
      if (v && typeof v === 'object' && !Array.isArray(v)) return v;
    } catch {
      // try the next repair
    }
  }
  return undefined;
}

/** Appends the closing quotes and brackets a truncated JSON text lacks; null when it is not just truncated. */
function closeBrackets(text: string): string | null {
  const stack: string[] = [];
  let inString = false;
  let escaped = false;
  for (const ch of text) {
    if (inString) {
      if (escaped) escaped = false;
      else if (ch === '\\') escaped = true;
      else if (ch === '"') inString = false;
      continue;
    }
    if (ch === '"') inString = true;
    else if (ch === '{') stack.push('}');
    else if (ch === '[') stack.push(']');
    else if (ch === '}' || ch === ']') {
      if (stack.pop() !== ch) return null;
    }
  }
  if (!stack.length && !inString) return null;
  return text + (inString ? '"' : '') + stack.reverse().join('');
}

function coerceScalars(tool: AnyTool, value: Record<string, unknown>): Record<string, unknown> | null {
  let json: { properties?: Record<string, { type?: string | string[] }> };
  try {
    // A tool that brings its own JSON Schema (an MCP tool) names its property types there.
    json = (tool.jsonSchema ?? z.toJSONSchema(tool.args, { io: 'input', unrepresentable: 'any' })) as typeof json;
  } catch {
    return null;
  }
  const out = { ...value };
  let changed = false;
  for (const [key, prop] of Object.entries(json.properties ?? {})) {
    const v = out[key];
    const types = Array.isArray(prop.type) ? prop.type : [prop.type];
    if (typeof v === 'string' && (types.includes('number') || types.includes('integer')) && v.trim() !== '' && Number.isFinite(Number(v))) {
      out[key] = Number(v);
      changed = true;
    } else if (typeof v === 'number' && types.includes('string')) {
      out[key] = String(v);
      changed = true;
    } else if (typeof v === 'string' && types.includes('boolean') && (v === 'true' || v === 'false')) {
      out[key] = v === 'true';
      changed = true;
    }
  }
  return changed ? out : null;
}
