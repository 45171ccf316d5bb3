import { existsSync } from 'node:fs';
import type { MemoryArea } from '../../contract/index.js';
import { dataPaths, defaultDataDir, lockHolderAlive, readLock } from '../../datadir/index.js';
import { openDatabase, schemaIsCurrent, type WritableDB } from '../../db/index.js';
import { addLexiconCacheDir, searchWithoutCore } from '../../memory/index.js';
import { intFlag, leadingWords, parseCommandLine } from './args.js';
import { SEARCH_OPTIONS, searchOutput } from './commands/memory-output.js';
import { EXIT } from './types.js';

/**
 * `agent-blob memory search` answered from the database, without starting the core: a search is a
 * read, and starting a core (its modules, the command contract's schemas, the MCP and model
 * clients) costs several times what the search does. bin/agent-blob.js loads this first for a
 * memory search; it answers only the plain case, the same as the core would
 * (`searchWithoutCore`), and returns null for everything else, which the full command line then
 * handles as before: a running app holding the folder (it answers over its endpoint), a folder
 * without a database or one that needs migrating, a re-embedding to start, an embedder other than
 * the offline one, `--help`, and any argument the command would refuse (its error comes from there).
 * Nothing is printed before the answer is complete, so handing over is always safe.
 *
 * `build` names the build of the running program (bin/agent-blob.js passes a hash of its bundle): the full-text index is then kept in the data folder's cache for the next search of the
 * same build on the same memories (core/memory/search-cache.ts). Without it, nothing is cached.
 */
export async function directMemorySearch(argv: readonly string[], env: NodeJS.ProcessEnv, stdout: (text: string) => void, build?: string): Promise<number | null> {
  const words = leadingWords(argv);
  if (words.length < 2 || words[0] !== 'memory' || words[1] !== 'search' || argv.includes('--help') || argv.includes('-h')) return null;
  let request: { dataDir: string; query: string; limit: number; area?: MemoryArea; json: boolean };
  try {
    const parsed = parseCommandLine({ name: 'memory search', summary: '', options: SEARCH_OPTIONS, run: async () => EXIT.ok }, argv);
    const query = parsed.args.join(' ').trim();
    const limit = intFlag(parsed.flags, 'limit', 10)!;
    const area = parsed.flags.area;
    // What memory.search accepts (core/contract/memory.ts); anything else gets the command's own error.
    if (!query || query.length > 2000 || limit < 1 || limit > 200) return null;
    if (area !== undefined && !AREAS.some((a) => a === area)) return null;
    const dataDir = typeof parsed.flags['data-dir'] === 'string' ? parsed.flags['data-dir'] : defaultDataDir(env);
    request = { dataDir, query, limit, area: area as MemoryArea | undefined, json: parsed.flags.json === true };
  } catch {
    return null;
  }
  let db: WritableDB | null = null;
  try {
    const paths = dataPaths(request.dataDir);
    const held = () => {
      const holder = readLock(paths.lock);
      return holder !== null && lockHolderAlive(holder);
    };
    if (held() || !existsSync(paths.database)) return null;
    // sqlite-vec is loaded only if the vectors must be read from vec0 (no current cache).
    db = openDatabase({ file: paths.database, readonly: true, vectors: false }).db;
    // One read transaction: the schema check and every read of the search see the same snapshot,
    // even if an app starts on the folder meanwhile and writes.
    db.exec('BEGIN');
    if (!schemaIsCurrent(db)) return null;
    addLexiconCacheDir(paths.cache);
    const hits = await searchWithoutCore(db, request.query, { limit: request.limit, area: request.area }, Date.now(), build ? { dir: paths.cache, build, mayWrite: () => !held() } : undefined);
    if (!hits) return null;
    stdout(searchOutput(hits, request.json));
    return EXIT.ok;
  } catch {
    return null;
  } finally {
    if (db?.inTransaction) db.exec('ROLLBACK');
    db?.close();
  }
}

/** Memory areas (MemoryAreaSchema); another one goes to the core, which says which exist. */
export const AREAS: readonly MemoryArea[] = ['main', 'fragments', 'solutions', 'instruments'];
