import http from 'node:http';
import https from 'node:https';
import { pipeline, type Readable } from 'node:stream';
import zlib from 'node:zlib';

/**
 * A `fetch` for the model SDKs over `node:http`/`node:https` with keep-alive agents: connections to
 * a provider are kept open between requests and reused (most recently used first), and a request is
 * on the wire within the same turn of the event loop that made it. Node's built-in fetch gets there
 * through several turns of web-stream plumbing, about 1.5 ms of CPU per request more; while other
 * runs stream on the same loop (workers side by side), those turns are where a request waited.
 *
 * What it takes is what the SDKs send: a URL, a method, headers and a string or byte body. Anything
 * else (a form, a stream, a `Request` object) goes to the global fetch. A redirect is followed here
 * as the fetch standard says, without sending the first request again: 301/302 after a POST and 303
 * become a GET without body, 307/308 keep the method and body, at most 20 hops, credentials dropped
 * when the origin changes; `redirect: 'manual'` returns the 3xx answer and `'error'` fails. The
 * answer is a standard `Response`, its body read from the connection only as fast as it is consumed.
 * A failure to connect, a connection cut before the answer or an answer fetch cannot represent (a
 * status outside 200–599) rejects like fetch does (`TypeError: fetch failed` with the cause); an
 * abort, before or during the answer, is an `AbortError`. A request whose reused kept-alive
 * connection turned out closed before a byte of the answer arrived is sent once more, on a new
 * connection, when its method is idempotent (GET, HEAD, OPTIONS, PUT, DELETE: RFC 9110 §9.2.2 lets
 * a client repeat those on its own); any other (a POST) may have reached the server and is never
 * sent again here (the SDKs retry by their own policy).
 */
export type Fetch = typeof globalThis.fetch;

export interface HttpFetchOptions {
  /** Agents to use instead of the keep-alive ones made here. */
  httpAgent?: http.Agent;
  httpsAgent?: https.Agent;
}

/** Idle connections are closed after this, or sooner when the server's `Keep-Alive: timeout` says so. */
const IDLE_MS = 5000;
/** The fetch standard's redirect limit. */
const MAX_REDIRECTS = 20;
/** Methods sent again once when a reused connection turns out closed: the idempotent ones, which the server may see twice. */
const RETRIED_METHODS = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE']);
/** Headers that describe the body, dropped with it when a redirect turns the request into a GET. */
const BODY_HEADERS = ['content-type', 'content-length', 'content-encoding', 'content-language', 'content-location'];
/** Headers not sent to another origin after a redirect (what fetch drops). */
const CREDENTIAL_HEADERS = ['authorization', 'proxy-authorization', 'cookie'];

interface Outgoing {
  url: URL;
  method: string;
  headers: Record<string, string>;
  body: Uint8Array | null;
}

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
    const redirect = init.redirect ?? 'follow';

    const send = (out: Outgoing, retry: boolean, hops: number): Promise<Response> =>
      new Promise<Response>((resolve, reject) => {
        if (signal?.aborted) return reject(abortError());
        const transport = out.url.protocol === 'https:' ? https : http;
        const headersOut = { ...out.headers };
        if (out.body) headersOut['content-length'] = String(out.body.byteLength);
        const req = transport.request(out.url, { method: out.method, headers: headersOut, agent: agents[out.url.protocol as 'http:' | 'https:'] });
        let response: http.IncomingMessage | null = null;
        let answered = false;
        // What the connection had read before this request: more by the time it fails means part of the answer arrived.
        let readBefore = -1;
        req.once('socket', (socket) => (readBefore = socket.bytesRead));
        // The body being read ends with the abort too, as an AbortError (what the SDKs expect).
        const onAbort = () => {
          const error = abortError();
          response?.destroy(error);
          req.destroy(error);
        };
        signal?.addEventListener('abort', onAbort, { once: true });
        const detach = () => signal?.removeEventListener('abort', onAbort);
        const fail = (cause: unknown) => {
          detach();
          response?.destroy();
          req.destroy();
          reject(new TypeError('fetch failed', { cause }));
        };
        req.on('error', (err: NodeJS.ErrnoException) => {
          if (answered) return;
          detach();
          if (signal?.aborted) return reject(abortError());
          // A kept-alive connection the server closed just as it was reused, before a byte of the
          // answer. The request may have reached the server all the same, so only an idempotent
          // method is sent again, once.
          const nothingArrived = readBefore >= 0 && req.socket !== null && req.socket.bytesRead === readBefore;
          if (retry && req.reusedSocket && nothingArrived && RETRIED_METHODS.has(out.method) && (err.code === 'ECONNRESET' || err.code === 'EPIPE')) return resolve(send(out, false, hops));
          reject(new TypeError('fetch failed', { cause: err }));
        });
        req.on('response', (res) => {
          answered = true;
          response = res;
          // Never throw from here: an exception would end the process and leave the fetch unsettled.
          try {
            const status = res.statusCode ?? 0;
            const location = res.headers.location;
            if ([301, 302, 303, 307, 308].includes(status) && location !== undefined && redirect !== 'manual') {
              detach();
              res.resume();
              if (redirect === 'error') return reject(new TypeError('fetch failed', { cause: new Error(`redirected to ${location} with redirect: 'error'`) }));
              return resolve(send(redirected(out, status, location, hops), true, hops + 1));
            }
            // The answer's body ends when it is read, aborted or cut; the abort listener goes with it.
            res.once('close', detach);
            res.once('error', detach);
            const responseHeaders = new Headers();
            for (let i = 0; i < res.rawHeaders.length; i += 2) responseHeaders.append(res.rawHeaders[i], res.rawHeaders[i + 1]);
            const nullBody = out.method === 'HEAD' || status === 204 || status === 205 || status === 304;
            const answer = new Response(nullBody ? null : webBody(res), { status, statusText: res.statusMessage, headers: responseHeaders });
            if (nullBody) res.resume();
            resolve(answer);
          } catch (err) {
            fail(err);
          }
        });
        req.end(out.body ?? undefined);
      });
    return send({ url, method: (init.method ?? 'GET').toUpperCase(), headers, body: bytes }, true, 0);
  };
  return fetchOverHttp as Fetch;
}

/** The request a redirect asks for, per the fetch standard's "HTTP-redirect fetch"; throws when it cannot be followed. */
function redirected(out: Outgoing, status: number, location: string, hops: number): Outgoing {
  if (hops >= MAX_REDIRECTS) throw new Error(`more than ${MAX_REDIRECTS} redirects`);
  const url = new URL(location, out.url);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`redirected to a ${url.protocol} URL`);
  const headers = { ...out.headers };
  let { method, body } = out;
  if (((status === 301 || status === 302) && method === 'POST') || (status === 303 && method !== 'GET' && method !== 'HEAD')) {
    method = 'GET';
    body = null;
    for (const name of BODY_HEADERS) delete headers[name];
  }
  if (url.origin !== out.url.origin) for (const name of CREDENTIAL_HEADERS) delete headers[name];
  return { url, method, headers, body };
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

/**
 * The answer's body as a web stream, decompressed when the server compressed it (only if the caller
 * asked for that). It reads from the connection only while the stream wants more (the node stream is
 * paused when the web stream's queue is full, resumed when it is pulled), and cancelling it closes
 * the answer's connection as well as the decoder.
 */
function webBody(res: http.IncomingMessage): ReadableStream<Uint8Array> {
  const source = decoded(res);
  let done = false;
  return new ReadableStream<Uint8Array>(
    {
      start(controller) {
        source.pause();
        source.on('data', (chunk: Buffer) => {
          if (done) return;
          controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
          if ((controller.desiredSize ?? 0) <= 0) source.pause();
        });
        source.once('end', () => {
          if (done) return;
          done = true;
          controller.close();
        });
        source.once('error', (err) => {
          if (done) return;
          done = true;
          controller.error(err);
        });
        source.once('close', () => {
          if (done) return;
          done = true;
          controller.error(new TypeError('terminated'));
        });
      },
      pull() {
        source.resume();
      },
      cancel() {
        done = true;
        source.destroy();
        res.destroy();
      },
    },
    { highWaterMark: 64 * 1024, size: (chunk) => chunk.byteLength },
  );
}

function decoded(res: http.IncomingMessage): Readable {
  const encoding = String(res.headers['content-encoding'] ?? '').trim().toLowerCase();
  const decoder = encoding === 'gzip' || encoding === 'x-gzip' ? zlib.createGunzip() : encoding === 'deflate' ? zlib.createInflate() : encoding === 'br' ? zlib.createBrotliDecompress() : null;
  if (!decoder) return res;
  // Either side ending early ends the other: a cut answer errors the decoder, a destroyed decoder closes the answer.
  return pipeline(res, decoder, () => {});
}
