import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { tempDir } from '../../support/index.js';
import { runCli } from '../host/cli-support.js';

describe('a command-line-only user after the offline embedder changed version', () => {
  const dir = tempDir();
  const files = tempDir();
  after(() => {
    dir.cleanup();
    files.cleanup();
  });
  const env = { ANTHROPIC_API_KEY: 'sk-ant-test-key-000000' };
  const cli = (...args: string[]) => runCli([...args, '--data-dir', dir.path], env);

  it('gets meaning-based search back at the first search', { timeout: 300_000 }, async () => {
    const file = join(files.path, 'in.jsonl');
    const topics = ['climbing gym the crux', 'dentist appointment next week', 'sister birthday party', 'flights to lisbon', 'kitchen table is oak', 'tomato plants in the garden', 'bike repair shop'];
    writeFileSync(file, Array.from({ length: 1500 }, (_, i) => JSON.stringify({ text: `note ${i}: ${topics[i % topics.length]} ${i}`, area: 'main', created_at: 1_700_000_000_000 + i * 1000 })).join('\n'));
    assert.equal((await cli('memory', 'import', file, '--json')).code, 0);
    // The store as the previous version of the offline embedder left it.
    const db = new Database(join(dir.path, 'agent-blob.sqlite'));
    db.prepare("UPDATE memory_vec_generations SET embedder = replace(embedder, 'offline-v4-', 'offline-v3-') WHERE state = 'active'").run();
    db.close();
    // One search finishes the re-embedding before it answers, and answers with the new vectors.
    const search = await cli('memory', 'search', 'rock climbing', '--json');
    assert.equal(search.code, 0, search.stderr);
    // The same answer as a search with nothing left to re-embed: it was ranked with the new vectors too.
    const again = await cli('memory', 'search', 'rock climbing', '--json');
    const ranked = (out: string) => (JSON.parse(out) as { id: string; score: number }[]).map((h) => `${h.id} ${h.score.toFixed(3)}`);
    assert.ok(ranked(search.stdout).length > 0);
    assert.deepEqual(ranked(search.stdout), ranked(again.stdout));
    const check = new Database(join(dir.path, 'agent-blob.sqlite'), { readonly: true });
    const gens = check.prepare('SELECT embedder, state, done FROM memory_vec_generations').all();
    check.close();
    assert.ok(gens.some((g) => (g as { embedder: string; state: string }).state === 'active' && (g as { embedder: string }).embedder.startsWith('offline-v4-')), `after 1 search: ${JSON.stringify(gens)}`);
  });
});
