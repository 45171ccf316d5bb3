import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { endianness } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { buildLexicon } from '../../../core/memory/lexicon/build.js';
import { LEXICON_FORMAT, SECTIONS, decodeLexicon, encodeLexicon, openLexiconFile, type ByteOrder } from '../../../core/memory/lexicon/format.js';
import { installedCacheDir, installedSource, lexiconFileName } from '../../../core/memory/lexicon/source.js';
import { createOfflineEmbedder } from '../../../core/memory/embedder.js';
import { Lexicon, REL, loadLexicon } from '../../../core/memory/lexicon/index.js';
import { startTestCore, tempDir } from '../../support/index.js';

describe('the compact WordNet index', () => {
  it('finds base forms through the exception lists and the regular rules', async () => {
    const lx = await loadLexicon();
    const bases = (w: string) => lx.baseForms(w).map((f) => lx.lemma(f.lemmaId));
    assert.deepEqual(bases('children'), ['child']);
    assert.deepEqual(bases('mice'), ['mouse']);
    assert.ok(bases('went').includes('go'));
    assert.ok(bases('better').includes('good'));
    assert.ok(bases('drugs').includes('drug'));
    assert.ok(bases('dentists').includes('dentist'));
    assert.deepEqual(bases('qwertyuiop'), []);
    const fiction = lx.lemmaId('science_fiction');
    assert.ok(fiction >= 0, 'multi-word lemmas are kept');
    assert.match(lx.gloss(lx.senses(fiction)[0].synset), /imagined impact of science/);
  });

  it('gives the one base form of a word that is no word of its own, and leaves words with two readings alone', async () => {
    const lx = await loadLexicon();
    assert.equal(lx.baseForm('children'), 'child');
    assert.equal(lx.baseForm('knives'), 'knife');
    assert.equal(lx.baseForm('went'), 'go');
    assert.equal(lx.baseForm('ponies'), 'pony');
    assert.equal(lx.baseForm('left'), null, 'a lemma of its own keeps its meaning');
    assert.equal(lx.baseForm('lives'), null, 'life or live: not guessed');
    assert.equal(lx.baseForm('qwertyuiop'), null);
  });

  it('a cached file of another format or WordNet version is not used', async () => {
    const lx = await loadLexicon();
    assert.ok(lx.synsetCount > 100_000);
    const tiny = encodeLexicon(
      {
        lemmaText: new Uint8Array(Buffer.from('cat')),
        lemmaTextAt: Int32Array.from([0, 3]),
        lemmaSensesAt: Int32Array.from([0, 2]),
        lemmaSenses: Int32Array.from([0, 0]),
        lemmaExpandAt: Int32Array.from([0, 0]),
        lemmaExpand: new Int32Array(0),
        lemmaCompoundsAt: Int32Array.from([0, 0]),
        lemmaCompounds: new Int32Array(0),
        excText: new Uint8Array(0),
        excTextAt: Int32Array.from([0]),
        excTargetsAt: Int32Array.from([0]),
        excTargets: new Int32Array(0),
        synPos: Uint8Array.from([0]),
        synLemmasAt: Int32Array.from([0, 1]),
        synLemmas: Int32Array.from([0]),
        synRelsAt: Int32Array.from([0, 0]),
        synRels: new Int32Array(0),
        gloss: new Uint8Array(Buffer.from('a feline')),
        glossAt: Int32Array.from([0, 8]),
      },
      'wn3.1.14',
    );
    assert.ok(decodeLexicon(tiny, 'wn3.1.14'), 'the same format and source reads back');
    assert.equal(tiny.subarray(0, 4).toString(), endianness() === 'LE' ? 'ARWN' : 'NWRA', 'the file says it is in this machine’s byte order');
    assert.equal(decodeLexicon(tiny, 'wn3.2.0'), null, 'another WordNet version is rebuilt');
    const otherFormat = Buffer.from(tiny);
    otherFormat.writeUInt32LE(LEXICON_FORMAT + 1, 4);
    assert.equal(decodeLexicon(otherFormat, 'wn3.1.14'), null, 'another format is rebuilt');
    assert.equal(decodeLexicon(tiny.subarray(0, tiny.length - 4), 'wn3.1.14'), null, 'a truncated file is rebuilt');
  });

  it('a file built on a machine of the other byte order says so in its header and reads back the same, whole or part by part', async () => {
    const lx = await loadLexicon();
    const here = endianness();
    const other: ByteOrder = here === 'LE' ? 'BE' : 'LE';
    const sections = decodeLexicon(readFileSync(join(installedCacheDir(), lexiconFileName(installedSource()))), installedSource().version)!;
    const native = encodeLexicon(sections, 'wn-order');
    const foreign = encodeLexicon(sections, 'wn-order', other);
    assert.equal(foreign.length, native.length);
    assert.equal(foreign.subarray(0, 4).toString(), other === 'LE' ? 'ARWN' : 'NWRA', 'its first bytes say the other order');
    assert.notDeepEqual(foreign.subarray(0, 64), native.subarray(0, 64), 'and its numbers are in it');
    const same = (got: ReturnType<typeof decodeLexicon>, how: string) => {
      assert.ok(got, how);
      for (const name of SECTIONS) assert.deepEqual(Array.from(got[name]), Array.from(sections[name]), `${how}: ${name}`);
    };
    same(decodeLexicon(foreign, 'wn-order'), 'read whole');
    const dir = tempDir();
    try {
      writeFileSync(join(dir.path, 'foreign.bin'), foreign);
      same(openLexiconFile(join(dir.path, 'foreign.bin'), 'wn-order'), 'read part by part');
      const lazy = new Lexicon(openLexiconFile(join(dir.path, 'foreign.bin'), 'wn-order')!);
      for (const word of ['children', 'dentists', 'went']) assert.deepEqual(lazy.baseForms(word), lx.baseForms(word), word);
    } finally {
      dir.cleanup();
    }
  });

  it('read part by part from the file as it is used, answers as the index read whole, and refuses the same files', async () => {
    const whole = await loadLexicon();
    const file = join(installedCacheDir(), lexiconFileName(installedSource()));
    const sections = openLexiconFile(file, installedSource().version)!;
    assert.ok(sections);
    const lazy = new Lexicon(sections);
    assert.ok(Object.getOwnPropertyDescriptor(sections, 'lemmaText')?.get, 'nothing read before a lookup');
    for (const word of ['children', 'drugs', 'dentist', 'colour', 'went', 'washing_machine', 'qwertyuiop']) {
      assert.deepEqual(lazy.baseForms(word), whole.baseForms(word), word);
      for (const f of lazy.baseForms(word)) {
        assert.deepEqual(lazy.senses(f.lemmaId), whole.senses(f.lemmaId), word);
        assert.deepEqual(lazy.expansionSenses(f.lemmaId), whole.expansionSenses(f.lemmaId), word);
        assert.deepEqual(lazy.compounds(f.lemmaId), whole.compounds(f.lemmaId), word);
        for (const s of lazy.senses(f.lemmaId)) {
          assert.equal(lazy.gloss(s.synset), whole.gloss(s.synset));
          assert.deepEqual(lazy.related(s.synset, REL.hypernym), whole.related(s.synset, REL.hypernym));
        }
      }
    }
    assert.equal(lazy.gloss(whole.synsetCount - 1), whole.gloss(whole.synsetCount - 1), 'the last definition');
    assert.ok(Object.getOwnPropertyDescriptor(sections, 'gloss')?.get, 'definitions are read one at a time, not the whole section');
    assert.ok(Object.getOwnPropertyDescriptor(sections, 'synLemmas')?.get, 'sections no lookup used are not read');
    // The checks of a whole read: another version, another format, a file cut short.
    const dir = tempDir();
    try {
      const bytes = readFileSync(file);
      assert.equal(openLexiconFile(file, 'wn3.2.0'), null, 'another WordNet version');
      const otherFormat = Buffer.from(bytes);
      otherFormat.writeUInt32LE(LEXICON_FORMAT + 1, 4);
      writeFileSync(join(dir.path, 'other.bin'), otherFormat);
      assert.equal(openLexiconFile(join(dir.path, 'other.bin'), installedSource().version), null, 'another format');
      writeFileSync(join(dir.path, 'cut.bin'), bytes.subarray(0, bytes.length - 4));
      assert.equal(openLexiconFile(join(dir.path, 'cut.bin'), installedSource().version), null, 'a file cut short');
    } finally {
      dir.cleanup();
    }
  });

  it('building the index yields to the event loop between chunks instead of freezing it', async () => {
    // A made-up WordNet of 12,000 nouns, each the hyponym of the one before, in WordNet's file format.
    const dir = tempDir();
    try {
      const n = 12_000;
      const off = (i: number) => String(i + 1).padStart(8, '0');
      const data = Array.from({ length: n }, (_, i) => `${off(i)} 05 n 01 thing${i} 0 ${i ? '001 @ ' + off(i - 1) + ' n 0000' : '000'} | made-up noun ${i}`);
      const index = Array.from({ length: n }, (_, i) => `thing${i} n 1 ${i ? '1 @' : '0'} 1 0 ${off(i)}`);
      writeFileSync(join(dir.path, 'data.noun'), data.join('\n') + '\n');
      writeFileSync(join(dir.path, 'index.noun'), index.join('\n') + '\n');
      for (const f of ['data.verb', 'data.adj', 'data.adv', 'index.verb', 'index.adj', 'index.adv', 'index.sense']) writeFileSync(join(dir.path, f), '');
      let ticks = 0;
      let stop = false;
      const spin = () => {
        if (stop) return;
        ticks++;
        setImmediate(spin);
      };
      setImmediate(spin);
      const built = await buildLexicon(dir.path, { noun: { things: 'thing1' }, verb: {}, adj: {} });
      stop = true;
      assert.ok(ticks >= 5, `other work ran ${ticks} times while it was built`);
      const lx = new Lexicon(built);
      const five = lx.lemmaId('thing5');
      assert.deepEqual(lx.related(lx.senses(five)[0].synset, REL.hypernym).map((s) => lx.synsetLemmas(s)), [['thing4']]);
      assert.deepEqual(lx.baseForms('things').map((f) => lx.lemma(f.lemmaId)), ['thing1']);
    } finally {
      dir.cleanup();
    }
  });
});

describe('offline embedder versions', () => {
  it('an index made by an older version of the offline embedder (before word vectors) is re-embedded in the background at start', async () => {
    const current = createOfflineEmbedder().name;
    assert.match(current, /^offline-v4-/, 'the build made the word-vector file, so the offline embedder is the version with word vectors');
    const t = await startTestCore();
    const dataDir = t.dataDir;
    try {
      await t.client.call('memory.add', { text: 'My dentist is Dr. Okafor at the Riverside practice', area: 'main' });
      await t.client.call('memory.add', { text: 'The spare key is under the flower pot', area: 'main' });
      // As the previous release left it.
      t.core.db.prepare("UPDATE memory_vec_generations SET embedder = 'offline-v2-256'").run();
      t.core.db.prepare("UPDATE memories SET embedder = 'offline-v2-256'").run();
    } finally {
      await t.close({ keepData: true });
    }
    const again = await startTestCore({ dataDir });
    try {
      await again.core.memory.whenReembedded();
      const status = await again.client.call('memory.status', {});
      assert.equal(status.embedder, current);
      assert.equal(status.reembed, null);
      assert.equal(again.core.memory.vectors.activeGeneration()?.embedder, current);
      const states = again.events.filter((e) => e.type === 'memory.embedder').map((e) => (e.data as { state: string }).state);
      assert.deepEqual(states.slice(-2), ['started', 'finished']);
      const { hits } = await again.client.call('memory.search', { query: 'tooth doctor', limit: 2 });
      assert.ok(hits[0].explain.vectorRank !== null, 'vectors answer again');
      assert.ok(hits.every((h) => h.memory.embedder === current));
    } finally {
      await again.close();
    }
  });
});
