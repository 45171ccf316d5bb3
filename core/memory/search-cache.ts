import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { endianness } from 'node:os';
import { join } from 'node:path';
import { isProcessAlive } from '../datadir/index.js';
import type { WritableDB } from '../db/index.js';
import { LexicalIndex } from './lexical.js';
import { lexiconName } from './lexicon/index.js';
import type { ExactCopy } from './vector-index.js';
import { wordVectorsName } from './vectors/index.js';

/**
 * What `agent-blob memory search` answered without a core reads at every start, kept in the data
 * folder's `cache/`: the full-text index of the memories, WordNet concepts of their words included,
 * the word vectors of their words, each memory's words in order (for abbreviations), who each
 * memory says people are, and the memories' vectors as the exact scan holds them. Building
 * them costs a process hundreds of milliseconds (WordNet lookups and word-vector reads for every word
 * of the store, a scan of vec0's chunks), reading them a few: the file is a key line (JSON) and flat
 * arrays laid end to end, read back as typed-array views, with every string once in one text.
 * The key names what the file was built from — this format, the byte order of its arrays (the
 * writer's own, since a reader takes them as they lie: a file from a machine of the other order is
 * not read), the build of the program (`build`: a program whose indexing may differ never reads
 * another's file), the WordNet index, the word-vector file and the vector generation, and a hash of
 * every memory's rowid, area and text — and the file
 * is used only when all match; otherwise the index is built as before and the file written anew. A
 * core removes the file when it starts and whenever it forgets or edits a memory, so no word of a
 * forgotten memory stays in it; a writer that is not a core checks, right before its file takes the
 * name, that no core has started on the folder meanwhile (`mayWrite`), and drops its file if one
 * has. Temporary files a killed writer left are swept by the next writer and by a starting core.
 */
export const SEARCH_CACHE_FILE = 'memory-search-index.json';
/** Bump when the file's layout changes. */
export const SEARCH_CACHE_FORMAT = 4;

/** What a cache file must have been built from to be used. */
export interface SearchCacheKey {
  format: number;
  /** The byte order of the file's numbers: the writing machine's (`os.endianness()`). */
  byteOrder: 'BE' | 'LE';
  build: string;
  lexicon: string;
  /** The word-vector file and the active vector generation (its number, embedder and size). */
  vectors: string;
  memories: string;
}

/** What a cache file holds: the full-text index and, when a search had read them, the memories' vectors. */
export interface CachedSearchIndex {
  lexical: LexicalIndex;
  vectors: ExactCopy | null;
}

/** The key of the memories as they are in `db` now, for a program of build `build`. */
export function searchCacheKey(db: WritableDB, build: string): SearchCacheKey {
  const hash = createHash('sha256');
  for (const row of db.prepare('SELECT rowid, area, text FROM memories ORDER BY rowid').raw().iterate() as Iterable<[number, string, string]>) {
    hash.update(`${row[0]}\u0000${row[1]}\u0000${row[2]}\u0000`);
  }
  const active = db.prepare("SELECT gen, embedder, dims FROM memory_vec_generations WHERE state = 'active'").raw().get() as [number, string, number] | undefined;
  return { format: SEARCH_CACHE_FORMAT, byteOrder: endianness(), build, lexicon: lexiconName(), vectors: `${wordVectorsName() ?? 'no word vectors'}; ${active ? active.join(' ') : 'no vectors'}`, memories: hash.digest('hex') };
}

/**
 * The sections after the key line, in this order, each starting at a multiple of 8 bytes from the
 * start of the file: the strings (UTF-8, one per line), then the index's and the vectors' arrays.
 */
export const SEARCH_CACHE_SECTIONS = [
  ['strings', Uint8Array],
  ['rowids', Float64Array],
  ['docs', Int32Array],
  ['surface', Int32Array],
  ['bySynset', Int32Array],
  ['byGlossWord', Int32Array],
  // each memory's words in order and the abbreviations it defines
  ['abbreviations', Int32Array],
  // who the memories say people are
  ['people', Int32Array],
  // seen, dims: of the store's word vectors (none when dims is 0)
  ['storeMeta', Int32Array],
  ['storeStems', Int32Array],
  ['storeMatrix', Float32Array],
  // gen, dims: of the memories' vectors (none when dims is 0)
  ['vectorMeta', Int32Array],
  ['vectorRowids', Float64Array],
  ['vectorAreas', Int32Array],
  ['vectorColumns', Float32Array],
  ['vectorNorms', Float32Array],
] as const;
type ArrayOf<T> = T extends Uint8ArrayConstructor ? Uint8Array : T extends Int32ArrayConstructor ? Int32Array : T extends Float32ArrayConstructor ? Float32Array : Float64Array;
type Arrays = { [K in (typeof SEARCH_CACHE_SECTIONS)[number] as K[0]]: ArrayOf<K[1]> };

/** The cached index and vectors if the file in `dir` was built from exactly `key`, else null (missing, stale, unreadable). */
export function readSearchCache(dir: string, key: SearchCacheKey): CachedSearchIndex | null {
  let file: Buffer;
  try {
    file = readFileSync(join(dir, SEARCH_CACHE_FILE));
  } catch {
    return null;
  }
  // The key is the first line: a stale file is told apart without reading the rest.
  const newline = file.indexOf(10);
  if (newline < 0) return null;
  try {
    const found = JSON.parse(file.toString('utf8', 0, newline)) as Partial<SearchCacheKey>;
    if ((Object.keys(key) as (keyof SearchCacheKey)[]).some((name) => found[name] !== key[name])) return null;
    const a = readSections(file, newline + 1);
    const strings = a.strings.length ? Buffer.from(a.strings.buffer, a.strings.byteOffset, a.strings.byteLength).toString('utf8').split('\n') : [];
    const [seen, storeDims] = a.storeMeta;
    const lexical = LexicalIndex.fromSnapshot({
      strings,
      rowids: a.rowids,
      docs: a.docs,
      surface: a.surface,
      bySynset: a.bySynset,
      byGlossWord: a.byGlossWord,
      storeVectors: storeDims ? { seen, dims: storeDims, stems: a.storeStems, matrix: a.storeMatrix } : null,
      abbreviations: a.abbreviations,
      people: a.people,
    });
    const [gen, dims] = a.vectorMeta;
    const areas = Array.from(a.vectorAreas, (n) => strings[n]);
    if (areas.some((area) => area === undefined)) return null;
    // Each vector names its memory by a whole rowid, and no memory has two.
    if (dims && (a.vectorRowids.some((rowid) => !Number.isSafeInteger(rowid)) || new Set(a.vectorRowids).size !== a.vectorRowids.length)) return null;
    return { lexical, vectors: dims ? { gen, dims, rowids: a.vectorRowids, areas, columns: a.vectorColumns, norms: a.vectorNorms } : null };
  } catch {
    return null;
  }
}

/** The sections of a file whose key line ends before `from`, as views into it; throws when they do not fit. */
function readSections(file: Buffer, from: number): Arrays {
  // Typed arrays need their alignment: a buffer not on a multiple of 8 is copied once.
  const bytes = file.byteOffset % 8 === 0 ? file : Buffer.from(file);
  let at = align(from);
  const count = (at + 4 <= bytes.length ? bytes.readUInt32LE(at) : -1);
  if (count !== SEARCH_CACHE_SECTIONS.length) throw new Error('not a search index of this layout');
  const table = at + 8;
  at = align(table + SEARCH_CACHE_SECTIONS.length * 4);
  const out = {} as Record<string, ArrayLike<number>>;
  SEARCH_CACHE_SECTIONS.forEach(([name, Type], i) => {
    const length = bytes.readUInt32LE(table + i * 4);
    const end = at + length * Type.BYTES_PER_ELEMENT;
    if (end > bytes.length) throw new Error('the search index is cut short');
    out[name] = new Type(bytes.buffer as ArrayBuffer, bytes.byteOffset + at, length);
    at = align(end);
  });
  return out as unknown as Arrays;
}

function align(n: number): number {
  return Math.ceil(n / 8) * 8;
}

/** The file's bytes for `index` (and the memories' vectors, when given) under `key`. */
export function searchCacheBytes(key: SearchCacheKey, index: LexicalIndex, vectors: ExactCopy | null): Buffer {
  const snapshot = index.snapshot();
  const strings = [...snapshot.strings];
  const areaIds = new Map<string, number>();
  const areaId = (area: string) => {
    let n = areaIds.get(area) ?? strings.indexOf(area);
    if (n < 0) n = strings.push(area) - 1;
    areaIds.set(area, n);
    return n;
  };
  if (strings.some((text) => text.includes('\n'))) throw new Error('a word with a line break cannot be cached');
  const nn = snapshot.storeVectors;
  const vectorAreas = Int32Array.from(vectors?.areas ?? [], areaId);
  const arrays: Arrays = {
    strings: Buffer.from(strings.join('\n')),
    rowids: snapshot.rowids,
    docs: snapshot.docs,
    surface: snapshot.surface,
    bySynset: snapshot.bySynset,
    byGlossWord: snapshot.byGlossWord,
    abbreviations: snapshot.abbreviations,
    people: snapshot.people,
    storeMeta: Int32Array.of(nn?.seen ?? 0, nn?.dims ?? 0),
    storeStems: nn?.stems ?? new Int32Array(0),
    storeMatrix: nn?.matrix ?? new Float32Array(0),
    vectorMeta: Int32Array.of(vectors?.gen ?? 0, vectors?.dims ?? 0),
    vectorRowids: vectors?.rowids ?? new Float64Array(0),
    vectorAreas,
    vectorColumns: vectors?.columns ?? new Float32Array(0),
    vectorNorms: vectors?.norms ?? new Float32Array(0),
  };
  const head = Buffer.from(`${JSON.stringify(key)}\n`);
  const table = align(head.length) + 8;
  let size = align(table + SEARCH_CACHE_SECTIONS.length * 4);
  const places = SEARCH_CACHE_SECTIONS.map(([name]) => {
    const at = size;
    size = align(at + arrays[name].byteLength);
    return at;
  });
  const out = Buffer.alloc(size);
  head.copy(out, 0);
  out.writeUInt32LE(SEARCH_CACHE_SECTIONS.length, align(head.length));
  SEARCH_CACHE_SECTIONS.forEach(([name], i) => {
    const a = arrays[name];
    out.writeUInt32LE(a.length, table + i * 4);
    out.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), places[i]);
  });
  return out;
}

/**
 * Writes the index (and the memories' vectors, when given) to `dir` under `key` (a temporary file
 * renamed into place, so a reader never sees half of one; readable by its owner only). False when
 * the folder cannot be written, or when `mayWrite` (asked right before the rename) says a core now
 * holds the folder, since that core may have forgotten a memory this index still has: the next
 * search builds the index again.
 */
export function writeSearchCache(dir: string, key: SearchCacheKey, index: LexicalIndex, vectors: ExactCopy | null, mayWrite: () => boolean = () => true): boolean {
  const tmp = join(dir, `${SEARCH_CACHE_FILE}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`);
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    sweepTemporaryFiles(dir, (pid) => pid !== process.pid && !isProcessAlive(pid));
    writeFileSync(tmp, searchCacheBytes(key, index, vectors), { mode: 0o600 });
    if (!mayWrite()) {
      removeQuietly(tmp);
      return false;
    }
    renameSync(tmp, join(dir, SEARCH_CACHE_FILE));
    return true;
  } catch {
    removeQuietly(tmp);
    return false;
  }
}

/**
 * Removes the cached index from `dir` (a core starts, or a memory was forgotten or edited), and any
 * temporary file of one: its words must not outlive the memory.
 */
export function removeSearchCache(dir: string): void {
  removeQuietly(join(dir, SEARCH_CACHE_FILE));
  sweepTemporaryFiles(dir, () => true);
}

/** Removes `dir`'s temporary cache files whose writer's process id `stale` accepts. */
function sweepTemporaryFiles(dir: string, stale: (pid: number) => boolean): void {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) {
    const match = /^memory-search-index\.json\.(\d+)\.[a-z0-9]*\.tmp$/.exec(name);
    if (match && stale(Number(match[1]))) removeQuietly(join(dir, name));
  }
}

function removeQuietly(file: string): void {
  try {
    rmSync(file, { force: true });
  } catch {
    // a folder that cannot be written (or is not one) has no file of ours to remove
  }
}
