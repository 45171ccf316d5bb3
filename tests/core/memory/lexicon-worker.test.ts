import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { createOfflineEmbedder } from '../../../core/memory/index.js';
import { configureLexiconSource, lexiconState, onLexiconState, whenLexiconReady, type LexiconState } from '../../../core/memory/lexicon/index.js';
import { lexiconFileName } from '../../../core/memory/lexicon/source.js';
import { decodeLexicon } from '../../../core/memory/lexicon/format.js';
import { startTestCore, tempDir, waitFor } from '../../support/index.js';

/**
 * A first start on a machine without the compact WordNet file: it is built on a worker thread while
 * the host answers. The build reads a small dictionary in WordNet's format whose first file is a
 * pipe, so it cannot finish before the test writes that file: "while it builds" is a state the test
 * holds, not a race. This file runs in its own process, so nothing loaded WordNet before.
 */
const WORDS = ['relative', 'sibling', 'sister', 'brother', 'basil', 'garden'];
const PARENT: Record<string, string> = { sibling: 'relative', sister: 'sibling', brother: 'sibling' };
const off = (w: string) => String(WORDS.indexOf(w) + 1).padStart(8, '0');
const pointers = (w: string) => [...(PARENT[w] ? [`@ ${off(PARENT[w])} n 0000`] : []), ...WORDS.filter((c) => PARENT[c] === w).map((c) => `~ ${off(c)} n 0000`)];
const DATA_NOUN = WORDS.map((w) => `${off(w)} 05 n 01 ${w} 0 ${String(pointers(w).length).padStart(3, '0')} ${pointers(w).join(' ')} | a made-up ${w}`.replace(/ {2,}/g, ' ')).join('\n') + '\n';
const INDEX_NOUN = WORDS.map((w) => `${w} n 1 ${pointers(w).length} ${[...new Set(pointers(w).map((p) => p.split(' ')[0]))].join(' ')} 1 0 ${off(w)}`.replace(/ {2,}/g, ' ')).join('\n') + '\n';
const VERSION = 'wn-made-up';
describe('the WordNet index built on a worker thread at a first start', () => {
  it('the host answers while the index builds, memory writes wait for it, search and the embedder use plain words until it is there, and the file is kept in the data folder under its format and version', async () => {
    const source = { dict: '', version: VERSION };
    const dict = tempDir('agent-blob-dict-');
    source.dict = dict.path;
    const data = tempDir();
    try {
      writeFileSync(join(dict.path, 'data.noun'), DATA_NOUN);
      for (const f of ['data.verb', 'data.adj', 'data.adv', 'index.verb', 'index.adj', 'index.adv', 'index.sense']) writeFileSync(join(dict.path, f), '');
      execFileSync('mkfifo', [join(dict.path, 'index.noun')]);
      const cache = join(data.path, 'cache');
      mkdirSync(cache, { recursive: true });
      writeFileSync(join(cache, `wordnet-f1-${VERSION}.bin`), 'an index of an older format');
      configureLexiconSource({ source, installedCache: false });
      const states: LexiconState[] = [];
      onLexiconState((s) => states.push(s));

      const host = await startTestCore({ owner: 'host', dataDir: data.path });
      try {
        await waitFor(() => lexiconState() === 'building', 'the index to be building');
        let added = false;
        const adding = host.client.call('memory.add', { area: 'main', text: 'my sister likes fresh basil from the garden' }).then((r) => ((added = true), r));
        assert.ok((await host.client.call('system.ping', {})).now > 0);
        assert.deepEqual((await host.client.call('runs.list', {})).runs, []);
        assert.deepEqual((await host.client.call('memory.search', { query: 'sibling', limit: 5 })).hits, [], 'search answers before WordNet');
        assert.equal(lexiconState(), 'building', 'all of that was answered while the index was still building');
        assert.equal(added, false, 'a memory write waits for WordNet: a stored vector never depends on when it was written');
        const plain = createOfflineEmbedder({ wordnet: false }).embedSync!(['my sibling', 'my brother'], 'document');
        assert.deepEqual(createOfflineEmbedder().embedSync!(['my sibling', 'my brother'], 'document'), plain, 'before WordNet the embedder gives the plain-words vector');

        await writeFile(join(dict.path, 'index.noun'), INDEX_NOUN);
        await whenLexiconReady();
        const { memory } = await adding;
        assert.deepEqual(states, ['reading', 'building', 'ready']);
        const withWordNet = createOfflineEmbedder().embedSync!(['my sibling', 'my brother'], 'document');
        assert.notDeepEqual(withWordNet, plain, 'once WordNet is there the embedder uses it');
        assert.deepEqual(createOfflineEmbedder().embedSync!(['my sibling', 'my brother'], 'document'), withWordNet);
        const { hits } = await host.client.call('memory.search', { query: 'sibling', limit: 5 });
        assert.ok(hits.some((h) => h.memory.id === memory.id), 'WordNet relates sibling to sister');
      } finally {
        await host.close({ keepData: true });
      }

      const name = lexiconFileName(source);
      assert.deepEqual(readdirSync(cache), [name], 'the index is in the data folder; the older format is gone');
      assert.ok(decodeLexicon(readFileSync(join(cache, name)), VERSION), 'and reads back');
      // A later start in another process reads the file and builds nothing.
      const later = await runNode(
        `import { addLexiconCacheDir, configureLexiconSource, loadLexicon, onLexiconState } from './core/memory/lexicon/index.ts';
         const states = []; onLexiconState((s) => states.push(s));
         configureLexiconSource({ source: ${JSON.stringify(source)}, installedCache: false }); addLexiconCacheDir(${JSON.stringify(cache)});
         const lx = await loadLexicon(); console.log(JSON.stringify({ states, synsets: lx.synsetCount }));`,
      );
      assert.deepEqual(later.states, ['reading', 'ready']);
      assert.equal(later.synsets, WORDS.length);
    } finally {
      data.cleanup();
      dict.cleanup();
    }
  });
});

function runNode(code: string): Promise<{ states: string[]; synsets: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('close', (status) => (status === 0 ? resolve(JSON.parse(out.trim().split('\n').pop()!)) : reject(new Error(`exit ${status}: ${err}`))));
  });
}
