import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ManualClock } from '../../../core/util/clock.js';
import { runCli } from '../host/cli-support.js';
import { startTestCore, tempDir, type TestCore } from '../../support/index.js';

const MINUTE = 60 * 1000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const env = { ANTHROPIC_API_KEY: 'sk-ant-test-key-000000' };

/** Moves the clock on and waits until a backup the move started has been made (or has failed) and the next one is planned. */
async function advance(t: TestCore, clock: ManualClock, ms: number): Promise<void> {
  clock.advance(ms);
  await t.core.idle();
}

async function memoryTexts(dataDir: string): Promise<string[]> {
  const t = await startTestCore({ dataDir });
  try {
    return (await t.client.call('memory.list', {})).memories.map((m) => m.text).sort();
  } finally {
    await t.close({ keepData: true });
  }
}

describe('the daily backup', () => {
  it('is off until turned on, then copies the database once a day, keeps the newest N, and a copy restores', async () => {
    const clock = new ManualClock(Date.UTC(2026, 5, 1, 8, 0, 0));
    const data = tempDir();
    const t = await startTestCore({ dataDir: data.path, clock, owner: 'host' });
    let closed = false;
    try {
      const off = await t.client.call('maintenance.backups', {});
      assert.deepEqual(off.settings, { daily: false, keep: 7, folder: null });
      assert.equal(off.folder, join(data.path, 'backups'));
      assert.equal(off.nextAt, null);
      await advance(t, clock, 3 * DAY);
      assert.deepEqual((await t.client.call('maintenance.backups', {})).files, [], 'nothing is copied while it is off');

      await t.client.call('memory.add', { area: 'main', text: 'First fact' });
      const on = await t.client.call('maintenance.backups.update', { daily: true, keep: 3 });
      assert.equal(on.settings.daily, true);
      assert.equal(on.nextAt, clock.now(), 'the first copy is due at once (the app started minutes ago)');
      await advance(t, clock, 0);
      const first = await t.client.call('maintenance.backups', {});
      assert.equal(first.files.length, 1);
      assert.match(first.files[0].name, /^agent-blob-20260604T080000Z\.sqlite\.gz$/);
      assert.deepEqual([...readFileSync(first.files[0].path).subarray(0, 2)], [0x1f, 0x8b], 'the copy is gzip-compressed');
      assert.equal(first.nextAt, first.files[0].at + DAY);

      // Half a day on, nothing new; a restart of the settings does not add a copy either.
      await t.client.call('memory.add', { area: 'main', text: 'Second fact' });
      await advance(t, clock, 12 * HOUR);
      await t.client.call('maintenance.backups.update', { keep: 3 });
      await advance(t, clock, 0);
      assert.equal((await t.client.call('maintenance.backups', {})).files.length, 1);
      await advance(t, clock, 12 * HOUR);
      const second = await t.client.call('maintenance.backups', {});
      assert.equal(second.files.length, 2, 'a day after the first copy, the second');
      const secondCopy = second.files[0];

      await t.client.call('memory.add', { area: 'main', text: 'Third fact' });
      for (let day = 0; day < 3; day++) await advance(t, clock, DAY);
      const kept = await t.client.call('maintenance.backups', {});
      assert.equal(kept.files.length, 3, 'the newest 3 are kept');
      assert.deepEqual(
        kept.files.map((f) => f.at),
        [3, 2, 1].map((n) => secondCopy.at + n * DAY),
      );
      assert.equal(existsSync(secondCopy.path), false);
      const made = t.core.log.since(0, 10_000).filter((e) => e.type === 'backup.made');
      assert.equal(made.length, 5);
      assert.deepEqual(
        made.flatMap((e) => (e.type === 'backup.made' ? e.data.removed : [])),
        [first.files[0].path, secondCopy.path],
      );
      assert.ok(made.every((e) => e.type === 'backup.made' && e.data.trigger === 'daily'));

      // The storage report counts the copies inside the data folder.
      const report = await t.client.call('maintenance.report', {});
      assert.equal(report.parts.backups, kept.bytes);
      assert.ok(report.parts.database > 0);
      const p = report.parts;
      assert.equal(p.database + p.wal + p.backups + p.logs + p.artifacts + p.other, report.totalBytes);

      await t.client.call('memory.add', { area: 'main', text: 'Fourth fact, after the last copy' });
      await t.close({ keepData: true });
      closed = true;

      // A daily copy is a backup like any other: agent-blob restore puts it back.
      const restored = await runCli(['restore', kept.files[0].path, '--json', '--data-dir', data.path], env);
      assert.equal(restored.code, 0, restored.stderr);
      assert.deepEqual(await memoryTexts(data.path), ['First fact', 'Second fact', 'Third fact']);
    } finally {
      if (!closed) await t.close({ keepData: true });
      data.cleanup();
    }
  });

  it('a copy is compressed to a fraction of the database and restores whole; older uncompressed copies are still counted and let go in turn', async () => {
    const clock = new ManualClock(Date.UTC(2026, 5, 1, 8, 0, 0));
    const data = tempDir();
    const t = await startTestCore({ dataDir: data.path, clock, owner: 'host' });
    let closed = false;
    try {
      // A database with something in it: 150 memories of ordinary text.
      for (let i = 0; i < 150; i++) await t.client.call('memory.add', { area: 'main', text: `Fact number ${i}: the meeting about project ${i % 37} moved to room ${i % 11} on a ${['Monday', 'Tuesday', 'Thursday'][i % 3]}` });
      // A copy an earlier version made, uncompressed, two days ago.
      const folder = join(data.path, 'backups');
      mkdirSync(folder, { recursive: true });
      const older = join(folder, 'agent-blob-20260530T080000Z.sqlite');
      const plain = await t.client.call('maintenance.backups.update', { daily: false, keep: 2 });
      assert.equal(plain.files.length, 0);
      t.core.db.pragma('wal_checkpoint(TRUNCATE)');
      writeFileSync(older, readFileSync(join(data.path, 'agent-blob.sqlite')));
      const database = statSync(join(data.path, 'agent-blob.sqlite')).size;

      const now = await t.client.call('maintenance.backups.now', {});
      assert.match(now.made.name, /\.sqlite\.gz$/);
      assert.ok(now.made.bytes < database / 3, `a copy of ${now.made.bytes} bytes for a database of ${database}`);
      assert.deepEqual(now.status.files.map((f) => f.name), [now.made.name, 'agent-blob-20260530T080000Z.sqlite'], 'the older copy is listed');
      clock.advance(DAY);
      const next = await t.client.call('maintenance.backups.now', {});
      assert.deepEqual(next.status.files.map((f) => f.path), [next.made.path, now.made.path], 'keep 2: the oldest, uncompressed one goes');
      assert.equal(existsSync(older), false);
      const memories = (await t.client.call('memory.list', { limit: 10_000 })).memories.length;
      assert.ok(memories > 100, String(memories));
      await t.close({ keepData: true });
      closed = true;

      const target = tempDir();
      try {
        const restored = await runCli(['restore', next.made.path, '--json', '--data-dir', target.path], env);
        assert.equal(restored.code, 0, restored.stderr);
        const check = await startTestCore({ dataDir: target.path });
        try {
          assert.equal((await check.client.call('memory.list', { limit: 10_000 })).memories.length, memories);
          assert.equal(String(check.core.db.pragma('integrity_check', { simple: true })), 'ok');
        } finally {
          await check.close({ keepData: true });
        }
      } finally {
        target.cleanup();
      }
    } finally {
      if (!closed) await t.close({ keepData: true });
      data.cleanup();
    }
  });

  it('says why a daily copy failed and tries again an hour later; the data folder itself is refused as the backup folder', async () => {
    const clock = new ManualClock(Date.UTC(2026, 5, 1, 8, 0, 0));
    const scratch = tempDir();
    const t = await startTestCore({ clock, owner: 'host' });
    try {
      await assert.rejects(t.client.call('maintenance.backups.update', { folder: t.dataDir }), { code: 'invalid_input', message: /data folder itself/ });
      await assert.rejects(t.client.call('maintenance.backups.update', { folder: 'relative/backups' }), { code: 'invalid_input', message: /absolute/ });
      await assert.rejects(t.client.call('maintenance.backups.update', { keep: 0 }), { code: 'invalid_input' });

      // A folder that cannot be made: its parent is a file.
      writeFileSync(join(scratch.path, 'a-file'), 'not a folder');
      const blocked = join(scratch.path, 'a-file', 'backups');
      await t.client.call('maintenance.backups.update', { daily: true, folder: blocked });
      await advance(t, clock, 2 * MINUTE);
      const failed = await t.client.call('maintenance.backups', {});
      assert.equal(failed.files.length, 0);
      assert.ok(failed.lastError, 'the failure is kept for Settings to show');
      assert.match(failed.lastError.message, /could not be created/);
      assert.equal(failed.nextAt, failed.lastError.at + HOUR);
      await assert.rejects(t.client.call('maintenance.backups.now', {}), { code: 'unavailable' });

      // Pointed at a folder that works, Back up now makes a copy and the error is gone.
      const good = join(scratch.path, 'copies');
      mkdirSync(good);
      await t.client.call('maintenance.backups.update', { folder: good });
      const now = await t.client.call('maintenance.backups.now', {});
      assert.equal(now.made.path.startsWith(good), true);
      assert.equal(now.status.lastError, null);
      assert.equal(now.status.nextAt, now.made.at + DAY);
      const report = await t.client.call('maintenance.report', {});
      assert.equal(report.parts.backups, 0, 'copies outside the data folder are not part of its size');
      assert.equal(report.backups.bytes, now.made.bytes);
    } finally {
      await t.close();
      scratch.cleanup();
    }
  });

  it('agent-blob maintenance backups turns the daily backup on, makes a copy now and lists it with how to restore it', async () => {
    const data = tempDir();
    try {
      const on = await runCli(['maintenance', 'backups', '--daily', 'on', '--keep', '2', '--now', '--data-dir', data.path], env);
      assert.equal(on.code, 0, on.stderr);
      assert.match(on.stdout, /^backed up to .*agent-blob-\d{8}T\d{6}Z\.sqlite/);
      assert.match(on.stdout, /daily backup: on, the newest 2 kept/);
      assert.match(on.stdout, /agent-blob restore PATH/);
      const listed = await runCli(['maintenance', 'backups', '--json', '--data-dir', data.path], env);
      const status = JSON.parse(listed.stdout) as { files: { path: string }[]; settings: { keep: number } };
      assert.equal(status.files.length, 1);
      assert.equal(status.settings.keep, 2);
      const bad = await runCli(['maintenance', 'backups', '--daily', 'sometimes', '--data-dir', data.path], env);
      assert.equal(bad.code, 2);
      assert.match(bad.stderr, /on or off/);
    } finally {
      data.cleanup();
    }
  });
});
