import { convert } from 'html-to-text';
import { z } from 'zod';
import { ToolError, defineTool } from './types.js';

export const HTTP_MAX_BYTES = 2 * 1024 * 1024;
export const HTTP_TIMEOUT_MS = 20_000;
const MAX_TEXT = 100_000;

/** Fetches a URL with a size and a time cap; HTML comes back as readable text. */
export const httpGetTool = defineTool({
  name: 'http_get',
  description: 'Fetch a web page or file over HTTP(S) with GET; HTML is returned as plain text.',
  args: z.object({ url: z.string().url().refine((u) => /^https?:\/\//i.test(u), 'only http and https URLs') }),
  capability: 'net.http',
  resource: (args) => args.url,
  summarize: (args) => `GET ${args.url}`,
  async run(args, ctx) {
    // The time cap runs on the injected clock, so it is the same clock every other deadline uses.
    const timer = new AbortController();
    const handle = ctx.clock.setTimeout(() => timer.abort(), HTTP_TIMEOUT_MS);
    try {
      return await fetchCapped(args.url, ctx.signal, timer.signal);
    } finally {
      ctx.clock.clearTimeout(handle);
    }
  },
});

async function fetchCapped(url: string, cancel: AbortSignal, timeout: AbortSignal): Promise<{ text: string; data: unknown }> {
  const signal = AbortSignal.any([cancel, timeout]);
  let response: Response;
  try {
    response = await fetch(url, { signal, redirect: 'manual', headers: { 'user-agent': 'AgentBlob/0.1', accept: 'text/html,text/plain,application/json;q=0.9,*/*;q=0.5' } });
  } catch (err) {
    if (timeout.aborted) throw new ToolError('timeout', `no answer from ${url} within ${HTTP_TIMEOUT_MS / 1000} s`);
    if (cancel.aborted) throw new ToolError('cancelled', 'the run was cancelled');
    throw new ToolError('unavailable', `cannot fetch ${url}: ${(err as Error).message}`);
  }
  // Redirects are not followed: the new address must pass the permission gate like any other.
  if (response.status >= 300 && response.status < 400 && response.headers.get('location')) {
    await response.body?.cancel();
    const target = new URL(response.headers.get('location')!, url).href;
    return { text: `HTTP ${response.status}: redirected to ${target}. Call http_get with that URL to follow it.`, data: { status: response.status, location: target } };
  }
  const declared = Number(response.headers.get('content-length') ?? 0);
  if (declared > HTTP_MAX_BYTES) {
    await response.body?.cancel();
    throw new ToolError('too_large', `${url} is ${declared} bytes; the limit is ${HTTP_MAX_BYTES}`);
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  let truncated = false;
  try {
    const reader = response.body?.getReader();
    for (;;) {
      if (!reader) break;
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > HTTP_MAX_BYTES) {
        truncated = true;
        await reader.cancel();
        break;
      }
      chunks.push(value);
    }
  } catch (err) {
    if (timeout.aborted) throw new ToolError('timeout', `${url} did not finish within ${HTTP_TIMEOUT_MS / 1000} s`);
    if (cancel.aborted) throw new ToolError('cancelled', 'the run was cancelled');
    throw new ToolError('unavailable', `reading ${url} failed: ${(err as Error).message}`);
  }
  const type = response.headers.get('content-type') ?? '';
  const raw = Buffer.concat(chunks).toString('utf8');
  let text = /html/i.test(type) || /^\s*<(!doctype|html)/i.test(raw) ? convert(raw, { wordwrap: false, selectors: [{ selector: 'a', options: { ignoreHref: true } }, { selector: 'img', format: 'skip' }] }) : raw;
  if (text.length > MAX_TEXT) {
    text = text.slice(0, MAX_TEXT);
    truncated = true;
  }
  const head = `HTTP ${response.status} ${type}`.trim();
  if (!response.ok) throw new ToolError('failed', `${head}: ${text.slice(0, 500)}`);
  return { text: `${head}${truncated ? ' [truncated]' : ''}\n\n${text}`, data: { status: response.status, bytes: size, truncated } };
}
