import http from 'node:http';
import https from 'node:https';
import { Readable } from 'node:stream';
import zlib from 'node:zlib';

/**
 * A `fetch` for the model SDKs over `node:http`/`node:https` with keep-alive agents: connections to
 * a provider are kept open between requests and reused (most recently used first), and a request is
 * on the wire within the same turn of the event loop that made it. Node's built-in fetch gets there
 * through several turns of web-stream plumbing, about 1.5 ms of CPU per request more; while other
 * runs stream on the same loop (workers side by side), those turns are where a request waited.
 *
 * What it takes is what the SDKs send: a URL, a method, headers and a string or byte body. Anything
 * else (a form, a stream, a `Request` object) goes to the global fetch, as does a redirect. The
 * answer is a standard `Response`. A failure to connect rejects like fetch does (`TypeError: fetch
 * failed` with the cause); an abort, before or during the answer, is an `AbortError`.
 */
export type Fetch = typeof globalThis.fetch;

export interface HttpFetchOptions {
  /** Agents to use instead of the keep-alive ones made here. */
  httpAgent?: http.Agent;
  httpsAgent?: https.Agent;
}

/** Idle connections are closed after this, or sooner when the server's `Keep-Alive: timeout` says so. */
const IDLE_MS = 5000;

export function createHttpFetch(options: HttpFetchOptions = {}): Fetch {
  const agents = {
    'http:': options.httpAgent ?? new http.Agent({ keepAlive: true, scheduling: 'lifo', timeout: IDLE_MS }),
    'https:': options.httpsAgent ?? new https.Agent({ keepAlive: true, scheduling: 'lifo', timeout: IDLE_MS }),
  };
  const fetchOverHttp = (input: Parameters<Fetch>[0], init: RequestInit = {}): Promise<Response> => {
    const url = typeof input === 'string' ? safeUrl(input) : input instanceof URL ? input : null;
    const body = init.body;
    const plainBody = body === undefined || body === null || typeof body === 'string' || body instanceof Uint8Array;
    if (!url || !plainBody || (url.protocol !== 'http:' && url.protocol !== 'https:')) return globalThis.fetch(input, init);
    const signal = init.signal ?? null;
    if (signal?.aborted) return Promise.reject(abortError());
    const headers: Record<string, string> = {};
    new Headers(init.headers).forEach((value, name) => (headers[name] = value));
    const bytes = body === undefined || body === null ? null : typeof body === 'string' ? Buffer.from(body) : body;
    if (bytes) headers['content-length'] = String(bytes.byteLength);
    const method = (init.method ?? 'GET').toUpperCase();
    const send = (retry: boolean): Promise<Response> =>
      new Promise<Response>((resolve, reject) => {
        const transport = url.protocol === 'https:' ? https : http;
        const req = transport.request(url, { method, headers, agent: agents[url.protocol as 'http:' | 'https:'] });
        let response: http.IncomingMessage | null = null;
        let answered = false;
        // The body being read ends with the abort too, as an AbortError (what the SDKs expect).
        const onAbort = () => {
          const error = abortError();
          response?.destroy(error);
          req.destroy(error);
        };
        signal?.addEventListener('abort', onAbort, { once: true });
        const detach = () => signal?.removeEventListener('abort', onAbort);
        req.on('error', (err: NodeJS.ErrnoException) => {
          if (answered) return;
          detach();
          if (signal?.aborted) return reject(abortError());
          // A kept-alive connection the server closed just as it was reused: the request never
          // reached it, so it is sent again once on a new connection.
          if (retry && req.reusedSocket && (err.code === 'ECONNRESET' || err.code === 'EPIPE')) return resolve(send(false));
          reject(new TypeError('fetch failed', { cause: err }));
        });
        req.on('response', (res) => {
          answered = true;
          response = res;
          const status = res.statusCode ?? 0;
          const location = res.headers.location;
          if (status >= 300 && status < 400 && location && init.redirect !== 'manual') {
            detach();
            res.resume();
            return resolve(globalThis.fetch(input, init));
          }
          // The answer's body ends when it is read, aborted or cut; the abort listener goes with it.
          res.once('close', detach);
          res.once('error', detach);
          const responseHeaders = new Headers();
          for (let i = 0; i < res.rawHeaders.length; i += 2) responseHeaders.append(res.rawHeaders[i], res.rawHeaders[i + 1]);
          const nullBody = method === 'HEAD' || status === 204 || status === 205 || status === 304;
          if (nullBody) res.resume();
          resolve(new Response(nullBody ? null : (Readable.toWeb(decoded(res)) as ReadableStream<Uint8Array>), { status, statusText: res.statusMessage, headers: responseHeaders }));
        });
        req.end(bytes ?? undefined);
      });
    return send(true);
  };
  return fetchOverHttp as Fetch;
}

let shared: Fetch | null = null;

/** One `createHttpFetch` for the whole process, so every client of a provider shares its connections. */
export function sharedHttpFetch(): Fetch {
  shared ??= createHttpFetch();
  return shared;
}

function safeUrl(text: string): URL | null {
  try {
    return new URL(text);
  } catch {
    return null;
  }
}

function abortError(): DOMException {
  return new DOMException('This operation was aborted', 'AbortError');
}

/** The body as sent, decompressed when the server compressed it (only if the caller asked for that). */
function decoded(res: http.IncomingMessage): Readable {
  const encoding = String(res.headers['content-encoding'] ?? '').trim().toLowerCase();
  const decoder = encoding === 'gzip' || encoding === 'x-gzip' ? zlib.createGunzip() : encoding === 'deflate' ? zlib.createInflate() : encoding === 'br' ? zlib.createBrotliDecompress() : null;
  if (!decoder) return res;
  res.on('error', (err) => decoder.destroy(err));
  return res.pipe(decoder);
}
