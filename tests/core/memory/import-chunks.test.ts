import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { splitJsonl } from '../../../core/contract/index.js';
import { startHost, type Host } from '../../../core/host/index.js';
import { createMemorySecretStore } from '../../../core/secrets/index.js';
import { silentLogger } from '../../../core/util/logger.js';
import { tempDir } from '../../support/index.js';
import { runCli } from '../host/cli-support.js';

describe('memory import of a file larger than a frame, while the app runs', () => {
  const dir = tempDir();
  const files = tempDir();
  let host: Host;
  before(async () => {
    host = await startHost({ dataDir: join(dir.path, 'data'), rendererDir: null, env: {}, secrets: createMemorySecretStore(), logger: silentLogger, allowedRoots: [], resolveHost: null });
  });
  after(async () => {
    await host.close();
    dir.cleanup();
    files.cleanup();
  });
  const cli = (...args: string[]) => runCli([...args, '--data-dir', join(dir.path, 'data')], {});

  it('imports a 1.5 MiB file through the running app in pieces, with progress, and reports bad lines by their number in the file', async () => {
    const lines: string[] = [];
    let i = 0;
    while (lines.join('\n').length < 1.5 * 1024 * 1024) {
      lines.push(JSON.stringify({ text: `Imported fact number ${i} about the project: ${'detail '.repeat(40)}${i}`, area: 'fragments', created_at: 1_700_000_000_000 + i }));
      i++;
    }
    const badAt = lines.length - 3;
    lines[badAt] = 'not json';
    const file = join(files.path, 'big.jsonl');
    writeFileSync(file, lines.join('\n') + '\n');
    const r = await cli('memory', 'import', file);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), { imported: lines.length - 1, deduped: 0 });
    assert.match(r.stderr, new RegExp(`big\\.jsonl:${badAt + 1}: skipped: not valid JSON`));
    assert.match(r.stderr, /memory import: 1\.\d MiB of 1\.\d MiB read, \d+ imported/);
    const status = await host.core.gateway.call('memory.list', { limit: 1 });
    assert.equal(status.total, lines.length - 1);
  });

  it('refuses a device such as /dev/zero at once, and skips a line longer than any memory could be', async () => {
    const zero = await cli('memory', 'import', '/dev/zero');
    assert.equal(zero.code, 2, zero.stderr);
    assert.match(zero.stderr, /\/dev\/zero is not a regular file/);
    const file = join(files.path, 'long.jsonl');
    writeFileSync(file, `${'x'.repeat(600 * 1024)}\n${JSON.stringify({ text: 'after the long line' })}\n`);
    const r = await cli('memory', 'import', file, '--json');
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), { imported: 1, deduped: 0 });
    assert.match(r.stderr, /long\.jsonl:1: skipped: longer than 256 KiB/);
  });

  it('splitJsonl cuts text into whole lines under the limit and numbers each piece by its first line', () => {
    const text = ['a'.repeat(5), 'b'.repeat(5), 'c'.repeat(20), 'd'].join('\n');
    const pieces = splitJsonl(text, 12);
    assert.deepEqual(pieces, [
      { jsonl: 'aaaaa\nbbbbb\n', firstLine: 1 },
      { jsonl: `${'c'.repeat(20)}\n`, firstLine: 3 },
      { jsonl: 'd', firstLine: 4 },
    ]);
    assert.equal(pieces.map((p) => p.jsonl).join(''), text);
  });
});
