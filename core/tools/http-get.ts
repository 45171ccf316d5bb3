import { request as httpRequest, type IncomingMessage, type RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { z } from 'zod';
import { nonPublicReason, parseHttpTarget, parseNetApproval, systemResolver } from '../permissions/index.js';
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
      const approval = parseNetApproval(ctx.approved);
      const url = approval?.href ?? args.url;
      const addresses = await vettedAddresses(url, approval?.addresses ?? [], approval?.privateAllowed ?? false);
      return await fetchCapped(url, addresses, ctx.signal, timer.signal);
    } finally {
      ctx.clock.clearTimeout(handle);
    }
  },
});

/**
 * The addresses this call may connect to. The gate's own answer when it resolved the host; otherwise
 * (no resolver, or an ungated call) one lookup here, held to the gate's rules: a non-public address
 * only when a rule names the host. Never a second lookup at connect time, so the answer cannot change
 * between the check and the connection (DNS rebinding).
 */
async function vettedAddresses(url: string, fromGate: readonly string[], privateAllowed: boolean): Promise<string[]> {
  if (fromGate.length > 0) return [...fromGate];
  const target = parseHttpTarget(url);
  if (!target.ok) throw new ToolError('invalid_args', target.reason);
  let addresses: string[];
  if (target.isIp) addresses = [target.host];
  else {
    try {
      addresses = await systemResolver(target.host);
    } catch (err) {
      throw new ToolError('unavailable', `cannot resolve ${target.host}: ${(err as Error).message}`);
    }
    if (addresses.length === 0) throw new ToolError('unavailable', `${target.host} has no address`);
  }
  if (!privateAllowed) {
    const reason = target.privateReason ?? addresses.map(nonPublicReason).find((r) => r !== null);
    if (reason) throw new ToolError('denied', `${target.host} was not checked as a private address (${target.isIp ? reason : `it resolves to ${reason}`}); only a rule naming this host can allow it`);
  }
  return addresses;
}

/** Answers every lookup with the vetted addresses (Host header, SNI and the certificate check keep the name). */
function pinnedLookup(addresses: readonly string[]): LookupFunction {
  const entries = addresses.map((address) => ({ address, family: isIP(address) }));
  return ((_host: string, options: { all?: boolean }, callback: (...a: unknown[]) => void) => {
    if (options?.all) callback(null, entries);
    else callback(null, entries[0].address, entries[0].family);
  }) as LookupFunction;
}

function get(url: string, addresses: readonly string[], signal: AbortSignal): { response: Promise<IncomingMessage>; abort: () => void } {
  const parsed = new URL(url);
  const options: RequestOptions = {
    method: 'GET',
    signal,
    lookup: pinnedLookup(addresses),
    // A pooled socket is keyed by host name, not by address: one kept from an earlier call would skip this call's vetting.
    agent: false,
    headers: { 'user-agent': 'AgentBlob/0.1', accept: 'text/html,text/plain,application/json;q=0.9,*/*;q=0.5' },
  };
  const req = parsed.protocol === 'https:' ? httpsRequest(parsed, options) : httpRequest(parsed, options);
  const response = new Promise<IncomingMessage>((resolve, reject) => {
    req.once('response', resolve);
    req.once('error', reject);
  });
  req.end();
  return { response, abort: () => req.destroy() };
}

async function fetchCapped(url: string, addresses: readonly string[], cancel: AbortSignal, timeout: AbortSignal): Promise<{ text: string; data: unknown }> {
  const signal = AbortSignal.any([cancel, timeout]);
  const aborted = (err: unknown, doing: string) => {
    if (timeout.aborted) return new ToolError('timeout', doing === 'fetch' ? `no answer from ${url} within ${HTTP_TIMEOUT_MS / 1000} s` : `${url} did not finish within ${HTTP_TIMEOUT_MS / 1000} s`);
    if (cancel.aborted) return new ToolError('cancelled', 'the run was cancelled');
    return new ToolError('unavailable', doing === 'fetch' ? `cannot fetch ${url}: ${(err as Error).message}` : `reading ${url} failed: ${(err as Error).message}`);
  };
  if (signal.aborted) throw aborted(null, 'fetch');
  const call = get(url, addresses, signal);
  let response: IncomingMessage;
  try {
    response = await call.response;
  } catch (err) {
    throw aborted(err, 'fetch');
  }
  const status = response.statusCode ?? 0;
  const header = (name: string) => {
    const v = response.headers[name];
    return Array.isArray(v) ? v[0] : v;
  };
  // Redirects are not followed: the new address must pass the permission gate like any other.
  const location = header('location');
  if (status >= 300 && status < 400 && location) {
    call.abort();
    const target = new URL(location, url).href;
    return { text: `HTTP ${status}: redirected to ${target}. Call http_get with that URL to follow it.`, data: { status, location: target } };
  }
  const declared = Number(header('content-length') ?? 0);
  if (declared > HTTP_MAX_BYTES) {
    call.abort();
    throw new ToolError('too_large', `${url} is ${declared} bytes; the limit is ${HTTP_MAX_BYTES}`);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  let truncated = false;
  try {
    for await (const chunk of response as AsyncIterable<Buffer>) {
      size += chunk.byteLength;
      if (size > HTTP_MAX_BYTES) {
        truncated = true;
        call.abort();
        break;
      }
      chunks.push(chunk);
    }
  } catch (err) {
    throw aborted(err, 'read');
  }
  // An abort that lands between chunks ends the stream quietly on some Node versions: it is still an abort.
  if (!truncated && (timeout.aborted || cancel.aborted)) throw aborted(null, 'read');
  const type = header('content-type') ?? '';
  const raw = Buffer.concat(chunks).toString('utf8');
  const isHtml = /html/i.test(type) || /^\s*<(!doctype|html)/i.test(raw);
  // Loaded on first use: it is a large module that start-up never needs.
  const convert = isHtml ? (await import('html-to-text')).convert : null;
  let text = convert ? convert(raw, { wordwrap: false, selectors: [{ selector: 'a', options: { ignoreHref: true } }, { selector: 'img', format: 'skip' }] }) : raw;
  if (text.length > MAX_TEXT) {
    text = text.slice(0, MAX_TEXT);
    truncated = true;
  }
  const head = `HTTP ${status} ${type}`.trim();
  if (status < 200 || status > 299) throw new ToolError('failed', `${head}: ${text.slice(0, 500)}`);
  return { text: `${head}${truncated ? ' [truncated]' : ''}\n\n${text}`, data: { status, bytes: size, truncated } };
}
