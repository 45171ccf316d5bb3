import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { endianness } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { MemoryAreaSchema } from '../../../core/contract/index.js';
import { openDatabase, type WritableDB } from '../../../core/db/index.js';
import { AREAS, directMemorySearch } from '../../../core/host/cli/direct-search.js';
import { LexicalIndex, SEARCH_CACHE_FILE, createOfflineEmbedder, searchWithoutCore } from '../../../core/memory/index.js';
import { SEARCH_CACHE_FORMAT, SEARCH_CACHE_SECTIONS, readSearchCache, searchCacheBytes, searchCacheKey, type SearchCacheKey } from '../../../core/memory/search-cache.js';
import { ManualClock } from '../../../core/util/clock.js';
import { originalSet } from '../../evals/memory/run.js';
import { startTestCore, tempDir } from '../../support/index.js';

const NOW = Date.UTC(2026, 5, 1);
const set = originalSet();
const jsonl = set.memories.map((m) => JSON.stringify({ text: m.text, area: m.area, created_at: new Date(NOW - m.daysAgo * 86_400_000).toISOString() })).join('\n');
// Every question of the eval's original set, and a few with an area or a tight limit.
const SEARCHES: { query: string; limit: number; area?: 'main' | 'solutions' }[] = [
  ...set.questions.map((q) => ({ query: q.q, limit: 10 })),
  { query: 'who is my dentist', limit: 3, area: 'main' },
  { query: 'docker says no space left on device', limit: 10, area: 'solutions' },
  { query: 'qwertyuiop', limit: 10 },
];

describe('memory search without the core', () => {
  const dir = tempDir();
  let expected: unknown[] = [];
  before(async () => {
    const t = await startTestCore({ dataDir: dir.path, clock: new ManualClock(NOW) });
    try {
      await t.client.call('memory.import', { jsonl });
      expected = [];
      for (const s of SEARCHES) expected.push((await t.client.call('memory.search', s)).hits);
    } finally {
      await t.close();
    }
  });
  after(() => dir.cleanup());

  const readOnly = (): WritableDB => openDatabase({ file: `${dir.path}/agent-blob.sqlite`, readonly: true }).db;

  it('finds what the core finds for every question of the eval, hit for hit, score for score, with the same explanations', async () => {
    const db = readOnly();
    try {
      assert.ok(SEARCHES.length > 50);
      for (const [i, s] of SEARCHES.entries()) {
        const hits = await searchWithoutCore(db, s.query, { limit: s.limit, area: s.area }, NOW);
        assert.deepEqual(hits, expected[i], s.query);
      }
      assert.ok((expected[0] as unknown[]).length > 0, 'the first question finds something');
    } finally {
      db.close();
    }
  });

  it('answers the same from the full-text index and vectors cached in the data folder, and reads that file when it is current', async () => {
    const cache = tempDir();
    const db = readOnly();
    try {
      const options = { dir: cache.path, build: 'build-a' };
      for (const [i, s] of SEARCHES.entries()) {
        assert.deepEqual(await searchWithoutCore(db, s.query, { limit: s.limit, area: s.area }, NOW, options), expected[i], s.query);
        // Written by the first search, read by every one after it.
        if (i === 0) assert.ok(readSearchCache(cache.path, searchCacheKey(db, 'build-a')), 'the first search wrote a current cache');
      }
      // What answers is the file: one with the same key over no memories finds nothing by full text.
      const file = join(cache.path, SEARCH_CACHE_FILE);
      // Read without sqlite-vec: the memories' vectors come from the file too, and the answers are the same.
      const bare = openDatabase({ file: `${dir.path}/agent-blob.sqlite`, readonly: true, vectors: false }).db;
      try {
        for (const [i, s] of SEARCHES.slice(0, 5).entries()) assert.deepEqual(await searchWithoutCore(bare, s.query, { limit: s.limit, area: s.area }, NOW, options), expected[i], s.query);
        assert.throws(() => bare.prepare('SELECT vec_version()').get(), /no such function/, 'sqlite-vec was not loaded');
      } finally {
        bare.close();
      }
      writeFileSync(file, searchCacheBytes(searchCacheKey(db, 'build-a'), new LexicalIndex(), null));
      const fromEmpty = (await searchWithoutCore(db, SEARCHES[0].query, { limit: 10 }, NOW, options))!;
      assert.ok(fromEmpty.every((h) => h.explain.bm25Rank === null), 'no full-text ranks from an empty cached index');
    } finally {
      db.close();
      cache.cleanup();
    }
  });

  it('rebuilds a cache of another build, format or set of memories, and answers without one where none can be written', async () => {
    const scratch = tempDir();
    const cache = join(scratch.path, 'cache');
    try {
      const t = await startTestCore({ dataDir: scratch.path, clock: new ManualClock(NOW) });
      await t.client.call('memory.import', { jsonl: jsonl.split('\n').slice(0, 40).join('\n') });
      const db = t.core.db;
      const search = async (build: string, dir = cache) => searchWithoutCore(db, 'who is my dentist', { limit: 10 }, NOW, { dir, build });
      const core = async () => (await t.client.call('memory.search', { query: 'who is my dentist', limit: 10 })).hits;
      assert.deepEqual(await search('one'), await core());
      const keyOf = () => JSON.parse(readFileSync(join(cache, SEARCH_CACHE_FILE), 'utf8').split('\n')[0]) as SearchCacheKey;
      const first = keyOf();
      assert.equal(first.build, 'one');
      assert.equal(first.format, SEARCH_CACHE_FORMAT);
      // Another build of the program: its own index, written over the other.
      assert.deepEqual(await search('two'), await core());
      assert.equal(keyOf().build, 'two');
      assert.equal(keyOf().memories, first.memories);
      // A file of another format is not read, and is replaced.
      writeFileSync(join(cache, SEARCH_CACHE_FILE), readFileSync(join(cache, SEARCH_CACHE_FILE), 'utf8').replace(`"format":${SEARCH_CACHE_FORMAT}`, '"format":0'));
      assert.equal(readSearchCache(cache, searchCacheKey(db, 'two')), null);
      assert.deepEqual(await search('two'), await core());
      assert.equal(keyOf().format, SEARCH_CACHE_FORMAT);
      // A file whose numbers are in the other byte order (written on such a machine) is not read: its
      // floats and counts would be garbage here. It is replaced by one in this machine's order.
      const other = endianness() === 'LE' ? 'BE' : 'LE';
      const bytes = readFileSync(join(cache, SEARCH_CACHE_FILE));
      const mark = bytes.indexOf(`"byteOrder":"${endianness()}"`);
      assert.ok(mark > 0 && mark < bytes.indexOf(10), 'the key line names the byte order');
      bytes.write(`"byteOrder":"${other}"`, mark, 'latin1');
      writeFileSync(join(cache, SEARCH_CACHE_FILE), bytes);
      assert.equal(readSearchCache(cache, searchCacheKey(db, 'two')), null);
      assert.deepEqual(await search('two'), await core());
      assert.equal(keyOf().byteOrder, endianness());
      assert.ok(readSearchCache(cache, searchCacheKey(db, 'two')), 'the rewritten file is read');
      // A new memory: the cached index is stale, and the search finds the new one.
      await t.client.call('memory.add', { text: 'My dentist retired; the new one is Dr. Lindqvist on Elm Street', area: 'main' });
      assert.notEqual(searchCacheKey(db, 'two').memories, first.memories);
      const after = (await search('two'))!;
      assert.deepEqual(after, await core());
      assert.ok(after.some((h) => h.memory.text.includes('Lindqvist')));
      assert.deepEqual(keyOf(), searchCacheKey(db, 'two'));
      // A cache folder that cannot be made (a file is in its place): the search answers all the same.
      const blocked = join(scratch.path, 'not-a-folder');
      writeFileSync(blocked, '');
      assert.deepEqual(await search('two', blocked), await core());
      // A garbled file is a missing one.
      writeFileSync(join(cache, SEARCH_CACHE_FILE), '{"format":1');
      assert.deepEqual(await search('two'), await core());
      assert.deepEqual(keyOf(), searchCacheKey(db, 'two'));
      // Forgetting a memory removes the file: no word of it stays on disk.
      const forgotten = after.find((h) => h.memory.text.includes('Lindqvist'))!;
      await t.client.call('memory.forget', { ids: [forgotten.memory.id] });
      assert.equal(existsSync(join(cache, SEARCH_CACHE_FILE)), false);
      await t.close();
    } finally {
      scratch.cleanup();
    }
  });

  it('writes no cached index when a core took the folder during the search, and sweeps the temporary files of killed writers', async () => {
    const scratch = tempDir();
    const cache = join(scratch.path, 'cache');
    try {
      const t = await startTestCore({ dataDir: scratch.path, clock: new ManualClock(NOW) });
      await t.client.call('memory.import', { jsonl: jsonl.split('\n').slice(0, 20).join('\n') });
      const core = (await t.client.call('memory.search', { query: 'who is my dentist', limit: 10 })).hits;
      // A writer killed mid-write (a process id that is not running) and one still writing (this process).
      const dead = `${SEARCH_CACHE_FILE}.999999999.dead.tmp`;
      const live = `${SEARCH_CACHE_FILE}.${process.pid}.live.tmp`;
      mkdirSync(cache, { recursive: true });
      writeFileSync(join(cache, dead), 'words of a forgotten memory');
      writeFileSync(join(cache, live), 'being written');
      let asked = 0;
      const held = await searchWithoutCore(t.core.db, 'who is my dentist', { limit: 10 }, NOW, {
        dir: cache,
        build: 'one',
        mayWrite: () => {
          asked++;
          return false; // a core holds the folder by the time the index would be written
        },
      });
      assert.deepEqual(held, core, 'the answer is the same');
      assert.equal(asked, 1, 'asked right before the file would take its name');
      assert.deepEqual(readdirSync(cache).filter((f) => f.startsWith(SEARCH_CACHE_FILE)).sort(), [live], 'no index written, its own temporary file removed, the dead writer\'s swept');
      assert.deepEqual(await searchWithoutCore(t.core.db, 'who is my dentist', { limit: 10 }, NOW, { dir: cache, build: 'one', mayWrite: () => true }), core);
      assert.ok(existsSync(join(cache, SEARCH_CACHE_FILE)), 'written when the folder is still free');
      await t.close();
    } finally {
      scratch.cleanup();
    }
  });

  it('leaves the search to a core when one would re-embed first or asks another embedder', async () => {
    const scratch = tempDir();
    try {
      const t = await startTestCore({ dataDir: scratch.path, clock: new ManualClock(NOW) });
      await t.client.call('memory.import', { jsonl: jsonl.split('\n').slice(0, 20).join('\n') });
      const db = t.core.db;
      assert.ok(await searchWithoutCore(db, 'who is my dentist', { limit: 10 }, NOW));
      // Vectors of an older version of the offline embedder: a core would start re-embedding.
      db.prepare("UPDATE memory_vec_generations SET embedder = 'offline-v1-256' WHERE state = 'active'").run();
      assert.equal(await searchWithoutCore(db, 'who is my dentist', { limit: 10 }, NOW), null);
      db.prepare('UPDATE memory_vec_generations SET embedder = ? WHERE state = ?').run(createOfflineEmbedder().name, 'active');
      db.prepare("INSERT INTO memory_meta (key, value) VALUES ('embedder', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value").run(JSON.stringify({ kind: 'ollama', model: 'nomic-embed-text' }));
      assert.equal(await searchWithoutCore(db, 'who is my dentist', { limit: 10 }, NOW), null);
      await t.close();
    } finally {
      scratch.cleanup();
    }
  });

  it('answers `memory search` itself only on a folder nobody holds, and hands anything else to the command line', async () => {
    const out: string[] = [];
    const run = (...argv: string[]) => directMemorySearch(argv, {}, (text) => out.push(text), 'test-build');
    const answered = await run('memory', 'search', 'who is my dentist', '--limit', '3', '--json', '--data-dir', dir.path);
    assert.equal(answered, 0);
    // The full-text index is kept in the data folder's cache for the next search of this build.
    assert.equal((JSON.parse(readFileSync(join(dir.path, 'cache', SEARCH_CACHE_FILE), 'utf8').split('\n')[0]) as SearchCacheKey).build, 'test-build');
    const hits = JSON.parse(out.join('')) as Record<string, unknown>[];
    assert.equal(hits.length, 3);
    assert.deepEqual(Object.keys(hits[0]).sort(), ['area', 'created_at', 'id', 'pinned', 'score', 'text']);
    assert.match(String(hits[0].text), /dentist/i);
    out.length = 0;
    // What the command refuses gets the command's own error, and help its help.
    for (const argv of [
      ['memory', 'search', 'x', '--area', 'attic'],
      ['memory', 'search', 'x', '--limit', '0'],
      ['memory', 'search', 'x', '--limit', 'ten'],
      ['memory', 'search', 'x', '--bogus'],
      ['memory', 'search', '   '],
      ['memory', 'search', 'x', '--help'],
      ['memory', 'list'],
    ]) {
      assert.equal(await run(...argv, '--data-dir', dir.path), null, argv.join(' '));
    }
    // A folder without a database: the core creates it.
    const empty = tempDir();
    try {
      assert.equal(await run('memory', 'search', 'x', '--data-dir', empty.path), null);
    } finally {
      empty.cleanup();
    }
    // A running core holds the folder: it answers (here: the lock names a live process).
    const cacheDir = join(dir.path, 'cache');
    writeFileSync(join(cacheDir, `${SEARCH_CACHE_FILE}.${process.pid}.abc.tmp`), 'half of an index');
    const t = await startTestCore({ dataDir: dir.path, clock: new ManualClock(NOW) });
    try {
      // A core starting on the folder trusts no cached index a command line wrote before it held the folder.
      assert.deepEqual(readdirSync(cacheDir).filter((f) => f.startsWith(SEARCH_CACHE_FILE)), [], 'the cached index and its temporary files are removed at start');
      assert.equal(await run('memory', 'search', 'who is my dentist', '--data-dir', dir.path), null);
    } finally {
      await t.close();
    }
    assert.deepEqual(out, [], 'nothing printed when handing over');
  });

  it('refuses a cached index with a damaged section where it reads it, and answers from one it builds again', async () => {
    const cache = join(dir.path, 'cache');
    const file = join(cache, SEARCH_CACHE_FILE);
    const out: string[] = [];
    const run = () => directMemorySearch(['memory', 'search', "who's my dentist?", '--json', '--data-dir', dir.path], {}, (text) => out.push(text), 'damage-build');
    // The memories found, best first (scores move with the clock between runs).
    const found = () => (JSON.parse(out.splice(0).join('')) as { id: string }[]).map((h) => h.id);
    assert.equal(await run(), 0);
    const answer = found();
    assert.ok(answer.length > 0);
    const db = readOnly();
    try {
      const key = searchCacheKey(db, 'damage-build');
      // The sections read as searches ask for them (the store's concepts and its words in order, who
      // the memories say people are) and the memories the index and the vectors name.
      for (const name of ['abbreviations', 'bySynset', 'byGlossWord', 'people', 'rowids', 'vectorRowids']) {
        const bytes = readFileSync(file);
        assert.ok(readSearchCache(cache, key), `the cache is current before ${name} is damaged`);
        const { at, length, size } = sectionOf(bytes, name);
        assert.ok(length > 0, name);
        // Every byte of the section 0x7f: counts and strings out of range, one rowid everywhere.
        bytes.fill(0x7f, at, at + length * size);
        writeFileSync(file, bytes);
        assert.equal(readSearchCache(cache, key), null, name);
        // The command line answers itself, the same, from an index it builds and caches again.
        assert.equal(await run(), 0, name);
        assert.deepEqual(found(), answer, name);
        assert.ok(readSearchCache(cache, key), `the cache is written again after ${name}`);
      }
    } finally {
      db.close();
    }
  });

  it('knows the same memory areas as the contract', () => {
    assert.deepEqual([...AREAS], [...MemoryAreaSchema.options]);
  });
});

/** Where a section of a cached index file lies (search-cache.ts: the key line, then the count and lengths of the sections, each section at a multiple of 8 bytes). */
function sectionOf(bytes: Buffer, name: string): { at: number; length: number; size: number } {
  const align = (n: number) => Math.ceil(n / 8) * 8;
  const table = align(bytes.indexOf(10) + 1) + 8;
  let at = align(table + SEARCH_CACHE_SECTIONS.length * 4);
  for (const [i, [section, Type]] of SEARCH_CACHE_SECTIONS.entries()) {
    const length = bytes.readUInt32LE(table + i * 4);
    if (section === name) return { at, length, size: Type.BYTES_PER_ELEMENT };
    at = align(at + length * Type.BYTES_PER_ELEMENT);
  }
  throw new Error(`no section ${name}`);
}
