import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { tempDir } from '../../support/index.js';
import { runCli } from '../host/cli-support.js';

describe('agent-blob memory commands', () => {
  const dir = tempDir();
  const files = tempDir();
  after(() => {
    dir.cleanup();
    files.cleanup();
  });
  const env = { ANTHROPIC_API_KEY: 'sk-ant-test-key-000000' };
  const cli = (...args: string[]) => runCli([...args, '--data-dir', dir.path], env);

  it('imports JSONL, prints {"imported","deduped"}, reports a bad line by number, and adds nothing on a second import', async () => {
    const file = join(files.path, 'in.jsonl');
    writeFileSync(
      file,
      [
        JSON.stringify({ text: 'The office wifi is called blob-guest', area: 'main', created_at: '2025-01-10T08:00:00.000Z' }),
        JSON.stringify({ text: 'If the build cache is corrupt, delete node_modules/.vite and rebuild', area: 'solutions', created_at: '2025-02-01T08:00:00.000Z', pinned: true }),
        'oops',
      ].join('\n'),
    );
    const first = await cli('memory', 'import', file, '--json');
    assert.equal(first.code, 0, first.stderr);
    assert.deepEqual(JSON.parse(first.stdout), { imported: 2, deduped: 0 });
    assert.match(first.stderr, /:3: skipped: not valid JSON/);
    const second = await cli('memory', 'import', file);
    assert.deepEqual(JSON.parse(second.stdout), { imported: 0, deduped: 2 });
  });

  it('searches with --limit and --area and prints the scripted JSON shape, best first', async () => {
    const r = await cli('memory', 'search', 'build cache corrupt', '--limit', '5', '--json');
    assert.equal(r.code, 0, r.stderr);
    const hits = JSON.parse(r.stdout) as Record<string, unknown>[];
    assert.deepEqual(Object.keys(hits[0]).sort(), ['area', 'created_at', 'id', 'pinned', 'score', 'text']);
    assert.match(String(hits[0].text), /build cache/);
    assert.equal(hits[0].pinned, true);
    assert.equal(hits[0].created_at, '2025-02-01T08:00:00.000Z');
    assert.equal(hits.length, 2);
    assert.ok((hits[0].score as number) > (hits[1].score as number), 'best first');
    const onlyOne = JSON.parse((await cli('memory', 'search', 'build cache corrupt', '--limit', '1', '--json')).stdout) as { id: string }[];
    assert.deepEqual(onlyOne.map((h) => h.id), [hits[0].id]);
    const onlyMain = JSON.parse((await cli('memory', 'search', 'build cache corrupt', '--area', 'main', '--json')).stdout) as { area: string; text: string }[];
    assert.deepEqual(onlyMain, [], 'the fix is in solutions, and nothing in main matches');
    const wifi = JSON.parse((await cli('memory', 'search', 'office wifi', '--area', 'main', '--json')).stdout) as { area: string; text: string }[];
    assert.deepEqual(wifi.map((h) => [h.area, h.text]), [['main', 'The office wifi is called blob-guest']]);
    const bad = await cli('memory', 'search', 'x', '--area', 'attic');
    assert.equal(bad.code, 2);
  });

  it('adds, pins, unpins, lists, forgets and exports', async () => {
    const added = JSON.parse((await cli('memory', 'add', '--area', 'instruments', 'Use', 'rg -uu to search ignored files', '--json')).stdout) as { id: string; outcome: string };
    assert.equal(added.outcome, 'added');
    assert.equal(JSON.parse((await cli('memory', 'pin', added.id, '--json')).stdout).pinned, true);
    const pinned = JSON.parse((await cli('memory', 'list', '--pinned', '--json')).stdout) as { id: string }[];
    assert.ok(pinned.some((m) => m.id === added.id));
    assert.equal(JSON.parse((await cli('memory', 'unpin', added.id, '--json')).stdout).pinned, false);
    assert.deepEqual(JSON.parse((await cli('memory', 'forget', added.id, '--json')).stdout), { forgotten: 1 });
    const missing = await cli('memory', 'forget', added.id);
    assert.notEqual(missing.code, 0);
    const out = join(files.path, 'out.jsonl');
    assert.equal((await cli('memory', 'export', out)).code, 0);
    const lines = readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { text: string });
    assert.equal(lines.length, 2);
    assert.ok(!lines.some((l) => l.text.includes('rg -uu')));
  });

  it('memory config shows proposals off by default, turns them and auto-accept on, and refuses a value that is not on or off', async () => {
    const before = JSON.parse((await cli('memory', 'config', '--json')).stdout) as { propose: boolean; auto_accept: boolean };
    assert.deepEqual([before.propose, before.auto_accept], [false, false]);
    const on = await cli('memory', 'config', '--propose', 'on', '--auto-accept', 'on');
    assert.match(on.stdout, /propose after conversations: on\nauto-accept proposals: on/);
    const after = JSON.parse((await cli('memory', 'config', '--json')).stdout) as { propose: boolean; auto_accept: boolean };
    assert.deepEqual([after.propose, after.auto_accept], [true, true]);
    const bad = await cli('memory', 'config', '--propose', 'yes');
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /--propose must be on or off/);
  });
});
