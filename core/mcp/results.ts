import { canonicalJson } from './pinning.js';

/** How much of a result the model gets: text past this is cut, with a note of how much was left out. */
export const MCP_RESULT_MAX_CHARS = 25_000;

/** What the tool card keeps of a result besides its text: what kinds of content came back. */
export interface NormalizedResult {
  text: string;
  isError: boolean;
  /** One entry per content part: `text`, `image image/png 12 KB`, `resource_link file:///…`. */
  parts: string[];
  truncated: boolean;
}

type Part = { type?: unknown; [key: string]: unknown };

function size(base64: unknown): string {
  const bytes = typeof base64 === 'string' ? Math.floor((base64.replace(/=+$/, '').length * 3) / 4) : 0;
  return bytes >= 1024 ? `${Math.round(bytes / 1024)} KB` : `${bytes} bytes`;
}

/**
 * Turns an MCP `CallToolResult` into text for the model: text parts as they are, images and audio as a
 * line naming their type and size (their bytes are not sent on), resource links and embedded
 * resources by address (an embedded text resource with its text), structured content as JSON when
 * there is no text. The whole is cut at `MCP_RESULT_MAX_CHARS`.
 */
export function normalizeToolResult(result: Record<string, unknown>): NormalizedResult {
  const chunks: string[] = [];
  const parts: string[] = [];
  const content = Array.isArray(result.content) ? (result.content as Part[]) : [];
  for (const part of content) {
    switch (part?.type) {
      case 'text':
        chunks.push(String(part.text ?? ''));
        parts.push('text');
        break;
      case 'image':
      case 'audio': {
        const line = `[${part.type}: ${String(part.mimeType ?? 'unknown type')}, ${size(part.data)}; not shown]`;
        chunks.push(line);
        parts.push(`${part.type} ${String(part.mimeType ?? '')} ${size(part.data)}`.trim());
        break;
      }
      case 'resource_link': {
        const label = [part.title ?? part.name, part.mimeType ? `(${String(part.mimeType)})` : null].filter(Boolean).join(' ');
        chunks.push(`[resource link: ${String(part.uri ?? '')}${label ? ` ${label}` : ''}${part.description ? ` — ${String(part.description)}` : ''}]`);
        parts.push(`resource_link ${String(part.uri ?? '')}`);
        break;
      }
      case 'resource': {
        const resource = (part.resource ?? {}) as Record<string, unknown>;
        const uri = String(resource.uri ?? '');
        if (typeof resource.text === 'string') chunks.push(`[resource ${uri}${resource.mimeType ? ` (${String(resource.mimeType)})` : ''}]\n${resource.text}`);
        else chunks.push(`[resource ${uri}: ${String(resource.mimeType ?? 'binary')}, ${size(resource.blob)}; not shown]`);
        parts.push(`resource ${uri}`);
        break;
      }
      default:
        chunks.push(`[content of type ${JSON.stringify(part?.type ?? null)}; not shown]`);
        parts.push(String(part?.type ?? 'unknown'));
    }
  }
  if (!chunks.length && result.structuredContent !== undefined) {
    chunks.push(canonicalJson(result.structuredContent, 2));
    parts.push('structured');
  }
  // Servers of the 2024-10-07 protocol answer with `toolResult`.
  if (!chunks.length && result.toolResult !== undefined) {
    chunks.push(typeof result.toolResult === 'string' ? result.toolResult : canonicalJson(result.toolResult, 2));
    parts.push('toolResult');
  }
  let text = chunks.join('\n');
  let truncated = false;
  if (text.length > MCP_RESULT_MAX_CHARS) {
    const left = text.length - MCP_RESULT_MAX_CHARS;
    text = `${text.slice(0, MCP_RESULT_MAX_CHARS)}\n[result cut: ${left} more characters]`;
    truncated = true;
  }
  return { text, isError: result.isError === true, parts, truncated };
}
