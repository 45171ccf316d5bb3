import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { openDatabase } from '../../../core/db/index.js';
import { EventLog } from '../../../core/events/index.js';
import { systemClock } from '../../../core/util/clock.js';
import { runCli } from '../host/cli-support.js';
import { startTestCore, tempDir } from '../../support/index.js';

describe('backing up the database while the app runs', () => {
  it('writes a checked copy that opens with every event up to the moment of the backup', async () => {
    const out = tempDir();
    const t = await startTestCore();
    try {
      await t.client.call('settings.update', { ollamaHost: 'http://127.0.0.1:9' });
      await t.client.call('memory.add', { area: 'main', text: 'My passport expires in March 2031' });
      const head = t.core.log.head();
      const target = join(out.path, 'copy.sqlite');
      const result = await t.client.call('system.backup', { path: target });
      assert.equal(result.path, target);
      assert.equal(result.integrity, 'ok');
      assert.ok(result.bytes > 0);
      assert.equal(existsSync(`${target}.partial`), false);
      const { db } = openDatabase({ file: target });
      try {
        const copy = new EventLog(db, systemClock);
        assert.equal(copy.head(), head);
        assert.deepEqual(copy.since(0, 10_000), t.core.log.since(0, 10_000));
        assert.equal(result.schemaVersion, Number(db.pragma('user_version', { simple: true })));
      } finally {
        db.close();
      }
    } finally {
      await t.close();
      out.cleanup();
    }
  });

  it('refuses a relative path, an existing file, a missing folder and the live database itself', async () => {
    const out = tempDir();
    const t = await startTestCore();
    try {
      const existing = join(out.path, 'taken.sqlite');
      writeFileSync(existing, 'keep me');
      await assert.rejects(t.client.call('system.backup', { path: 'relative.sqlite' }), { code: 'invalid_input', message: /must be absolute/ });
      await assert.rejects(t.client.call('system.backup', { path: existing }), { code: 'conflict', message: /already exists/ });
      await assert.rejects(t.client.call('system.backup', { path: join(out.path, 'no', 'such', 'x.sqlite') }), { code: 'not_found' });
      await assert.rejects(t.client.call('system.backup', { path: t.core.paths.database }), { code: 'invalid_input', message: /live data folder/ });
      await assert.rejects(t.client.call('system.backup', { path: `${t.core.paths.database}-wal` }), { code: 'invalid_input' });
      assert.equal((await import('node:fs')).readFileSync(existing, 'utf8'), 'keep me');
    } finally {
      await t.close();
      out.cleanup();
    }
  });

  it('agent-blob backup FILE writes the copy and --json reports it; a second run to the same file fails', async () => {
    const data = tempDir();
    const out = tempDir();
    try {
      const target = join(out.path, 'cli.sqlite');
      const env = { ANTHROPIC_API_KEY: 'sk-ant-test-key-000000' };
      const r = await runCli(['backup', target, '--json', '--data-dir', data.path], env);
      assert.equal(r.code, 0, r.stderr);
      const report = JSON.parse(r.stdout) as { path: string; integrity: string };
      assert.equal(report.path, target);
      assert.equal(report.integrity, 'ok');
      const again = await runCli(['backup', target, '--data-dir', data.path], env);
      assert.equal(again.code, 1);
      assert.match(again.stderr, /already exists/);
      const usage = await runCli(['backup', '--data-dir', data.path], env);
      assert.equal(usage.code, 2);
    } finally {
      data.cleanup();
      out.cleanup();
    }
  });
});
