import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { prepareDataDir } from '../../../core/datadir/index.js';
import { runCli } from '../host/cli-support.js';
import { startTestCore, tempDir } from '../../support/index.js';

const CONTROL = ['\u0000', '\u0000x', '\n', '\r', '\u0007', '\u001b[2J', '\u007f', '\u0085', '\u202e'];

describe('paths with NUL or control characters are refused at the contract', () => {
  it('a backup path with a NUL byte is refused and the file it names, the lock, the WAL and the database are untouched', async () => {
    const out = tempDir();
    const t = await startTestCore();
    try {
      const victim = join(out.path, 'victim.txt');
      writeFileSync(victim, 'keep me');
      await t.client.call('permissions.rules.add', { effect: 'allow', capability: 'shell.exec', pattern: 'ls *' });
      const lockBefore = readFileSync(t.core.paths.lock, 'utf8');
      for (const suffix of CONTROL) {
        await assert.rejects(t.client.call('system.backup', { path: `${victim}${suffix}` }), { code: 'invalid_input', message: /NUL byte|control character/ });
        for (const live of [t.core.paths.lock, `${t.core.paths.database}-wal`, t.core.paths.database]) {
          await assert.rejects(t.client.call('system.backup', { path: `${live}${suffix}` }), { code: 'invalid_input' });
        }
      }
      assert.equal(readFileSync(victim, 'utf8'), 'keep me');
      assert.equal(readFileSync(t.core.paths.lock, 'utf8'), lockBefore, 'the lock is still this process');
      assert.ok(existsSync(`${t.core.paths.database}-wal`));
      assert.equal((await t.client.call('permissions.rules.list', {})).rules.length, 1);
    } finally {
      await t.close();
      out.cleanup();
    }
  });

  it('a failed backup never removes a file it did not create', async () => {
    const out = tempDir();
    const t = await startTestCore();
    try {
      const target = join(out.path, 'copy.sqlite');
      // Names a backup might use for its work in progress, already taken by someone else's files.
      for (const name of [`${target}.partial`, `${target}.partial-wal`, `${target}.partial-shm`, `${target}.partial-journal`]) writeFileSync(name, 'not yours');
      const result = await t.client.call('system.backup', { path: target });
      assert.equal(result.integrity, 'ok');
      for (const name of [`${target}.partial`, `${target}.partial-wal`, `${target}.partial-shm`, `${target}.partial-journal`]) assert.equal(readFileSync(name, 'utf8'), 'not yours', name);
      // Through a link to the data folder, the copy would land beside the live files: refused, nothing removed.
      symlinkSync(t.dataDir, join(out.path, 'data-link'));
      const listing = readdirSync(t.dataDir).sort();
      for (const name of ['agent-blob.sqlite-wal', 'agent-blob.sqlite-shm', 'copy.sqlite']) {
        await assert.rejects(t.client.call('system.backup', { path: join(out.path, 'data-link', name) }), { code: 'invalid_input', message: /live data folder/ });
      }
      assert.deepEqual(readdirSync(t.dataDir).sort(), listing);
    } finally {
      await t.close();
      out.cleanup();
    }
  });

  it('a backup is one file, readable by this user only, with no -wal or -shm beside it', async () => {
    const out = tempDir();
    const t = await startTestCore();
    try {
      await t.client.call('permissions.rules.add', { effect: 'allow', capability: 'shell.exec', pattern: 'ls *' });
      const target = join(out.path, 'one.sqlite');
      await t.client.call('system.backup', { path: target });
      assert.deepEqual(readdirSync(out.path), ['one.sqlite']);
      assert.equal(statSync(target).mode & 0o777, 0o600);
    } finally {
      await t.close();
      out.cleanup();
    }
  });

  it('an allowed folder with a control character is refused, and so is a file path a tool is given', async () => {
    const t = await startTestCore();
    try {
      for (const c of CONTROL) {
        await assert.rejects(t.client.call('permissions.config.update', { roots: [`/tmp/a${c}b`] }), { code: 'invalid_input' });
        const tested = await t.client.call('permissions.test', { capability: 'fs.read', resource: join(t.dataDir, 'workspace', `a${c}b`) });
        assert.equal(tested.decision, 'deny', JSON.stringify(c));
      }
    } finally {
      await t.close();
    }
  });
});

describe('the data folder', () => {
  it('an empty name, control characters and a file are refused with a clear error', async () => {
    const dir = tempDir();
    try {
      const env = { ANTHROPIC_API_KEY: 'sk-ant-test-key-000000' };
      const empty = await runCli(['memory', 'list', '--data-dir', ''], env);
      assert.equal(empty.code, 2, empty.stderr);
      assert.match(empty.stderr, /data folder is empty/);
      const file = join(dir.path, 'a-file');
      writeFileSync(file, 'x');
      const asFile = await runCli(['memory', 'list', '--data-dir', file], env);
      assert.equal(asFile.code, 2, asFile.stderr);
      assert.match(asFile.stderr, /is a file, not a folder/);
      assert.doesNotMatch(asFile.stderr, /EEXIST|unexpected/);
      const below = await runCli(['memory', 'list', '--data-dir', join(file, 'sub')], env);
      assert.match(below.stderr, /is a file, not a folder/);
      const control = await runCli(['memory', 'list', '--data-dir', join(dir.path, 'a\nb')], env);
      assert.equal(control.code, 2);
      assert.match(control.stderr, /control character/);
      assert.equal(readFileSync(file, 'utf8'), 'x');
    } finally {
      dir.cleanup();
    }
  });

  it('a folder the system will not create (/proc) fails at once instead of spinning', { skip: process.platform !== 'linux' && 'needs /proc' }, () => {
    const child = spawnSync(
      process.execPath,
      ['--import', 'tsx', '-e', "import('./core/datadir/index.ts').then((m) => { try { m.prepareDataDir('/proc/agent-blob-x/y'); console.log('created') } catch (e) { console.log(e.code, e.message) } })"],
      { cwd: new URL('../../..', import.meta.url).pathname, encoding: 'utf8', timeout: 30_000, killSignal: 'SIGKILL' },
    );
    assert.equal(child.signal, null, 'the child was killed after 30 s: creating the folder hung');
    assert.match(child.stdout, /^unavailable cannot create the data folder/);
  });

  it('is created 0700 and its database, WAL and shared memory are 0600', { skip: process.platform === 'win32' && 'POSIX modes' }, async () => {
    const base = tempDir();
    try {
      const dataDir = join(base.path, 'new', 'data');
      const t = await startTestCore({ dataDir });
      try {
        await t.client.call('permissions.rules.add', { effect: 'allow', capability: 'shell.exec', pattern: 'ls *' });
        assert.equal(statSync(dataDir).mode & 0o777, 0o700);
        for (const name of ['agent-blob.sqlite', 'agent-blob.sqlite-wal', 'agent-blob.sqlite-shm', 'agent-blob.lock']) {
          assert.equal(statSync(join(dataDir, name)).mode & 0o777, 0o600, name);
        }
      } finally {
        await t.close();
      }
      // A folder an older version left 0755 with a 0644 database is tightened at the next start.
      const old = join(base.path, 'old');
      mkdirSync(old, { mode: 0o755 });
      writeFileSync(join(old, 'agent-blob.sqlite'), '', { mode: 0o644 });
      prepareDataDir(old);
      assert.equal(statSync(old).mode & 0o777, 0o700);
      assert.equal(statSync(join(old, 'agent-blob.sqlite')).mode & 0o777, 0o600);
    } finally {
      base.cleanup();
    }
  });
});
