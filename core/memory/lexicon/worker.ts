import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { buildLexiconBytes, installedCacheDir, installedSource, lexiconFileName, removeStaleLexicons, writeLexiconFile, type LexiconSource } from './source.js';

/**
 * Builds the compact WordNet file off the main thread. On a worker thread (`buildInWorker` in
 * index.ts): builds from `workerData.source`, writes the file into the first of `workerData.dirs`
 * that takes it and posts the bytes back (transferred, not copied). Run as a script (`node
 * dist/cli/lexicon-worker.js`, which `npm install` and `npm run build` do): builds the file next to
 * the packages unless it is already there, so no start ever has to build it.
 */
export interface LexiconWorkerData {
  source: LexiconSource;
  dirs: string[];
}
export type LexiconWorkerReply = { ok: true; bytes: Uint8Array; file: string | null } | { ok: false; error: string };

if (!isMainThread && parentPort && (workerData as { lexicon?: unknown } | null)?.lexicon) {
  const port = parentPort;
  const { source, dirs } = (workerData as { lexicon: LexiconWorkerData }).lexicon;
  buildLexiconBytes(source).then(
    (bytes) => {
      const file = writeLexiconFile(dirs, source, bytes);
      const view = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      port.postMessage({ ok: true, bytes: view, file } satisfies LexiconWorkerReply, [bytes.buffer as ArrayBuffer]);
    },
    (err: unknown) => port.postMessage({ ok: false, error: err instanceof Error ? err.message : String(err) } satisfies LexiconWorkerReply),
  );
} else if (isMainThread && process.argv.includes('--install')) {
  const message = await installLexicon();
  if (message) console.log(message);
}

/**
 * Builds the file next to the packages unless it is there (then removes older ones); what it did,
 * or null when there was nothing to do. `npm install` and `npm run build` call it (build-cli.mjs).
 */
export async function installLexicon(): Promise<string | null> {
  const source = installedSource();
  const dir = installedCacheDir();
  const name = lexiconFileName(source);
  if (existsSync(join(dir, name))) {
    removeStaleLexicons(dir, name);
    return null;
  }
  const started = Date.now();
  const file = writeLexiconFile([dir], source, await buildLexiconBytes(source));
  return file ? `WordNet index: ${file} built in ${Date.now() - started} ms` : `WordNet index: ${dir} is not writable; the app builds the index in its data folder at its first start`;
}
