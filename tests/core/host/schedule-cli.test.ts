import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { AnthropicLoopback, chunk, tempDir } from '../../support/index.js';
import { runCli } from './cli-support.js';

describe('agent-blob schedule', () => {
  let anthropic: AnthropicLoopback;
  const dir = tempDir();
  before(async () => {
    anthropic = await AnthropicLoopback.start();
  });
  after(async () => {
    await anthropic.close();
    dir.cleanup();
  });
  const env = () => ({ ANTHROPIC_API_KEY: 'sk-ant-test-key-000000', ANTHROPIC_BASE_URL: anthropic.url, TZ: 'UTC' });
  const cli = (args: string[]) => runCli([...args, '--data-dir', dir.path], env());
  const json = async (args: string[]) => {
    const r = await cli([...args, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trim().split('\n');
    assert.equal(lines.length, 1, 'one JSON document');
    return JSON.parse(lines[0]) as Record<string, unknown>;
  };

  it('add prints the schedule with its id and next run; list, show, edit, pause, resume and remove work on it', async () => {
    const added = await json(['schedule', 'add', '--name', 'standup', '--daily', '09:00', '--days', 'mon,tue,wed,thu,fri', '--tz', 'Europe/Berlin', '--prompt', 'summarise my day']);
    assert.match(String(added.id), /^sch_/);
    assert.equal(typeof added.nextRunAt, 'string');
    assert.equal(added.description, 'every weekday at 09:00 (Europe/Berlin)');
    const id = String(added.id);

    const list = (await json(['schedule', 'list'])) as { schedules: { id: string }[] };
    assert.deepEqual(list.schedules.map((s) => s.id), [id]);
    assert.equal(((await json(['schedule', 'show', id])) as { name: string }).name, 'standup');

    const edited = await json(['schedule', 'edit', id, '--every', '5m', '--missed', 'run_once', '--memory', 'none', '--budget-tokens', '2000']);
    assert.deepEqual([edited.description, edited.missed, edited.memory, edited.budgetTokens], ['every 5 minutes', 'run_once', 'none', 2000]);
    assert.deepEqual(added.notify, { onSuccess: true, onFailure: true }, 'a run finishing or failing notifies by default');
    assert.deepEqual((await json(['schedule', 'edit', id, '--notify', 'failure'])).notify, { onSuccess: false, onFailure: true });
    assert.match((await cli(['schedule', 'show', id])).stdout, /notify: failure/);
    assert.deepEqual((await json(['schedule', 'edit', id, '--notify', 'none'])).notify, { onSuccess: false, onFailure: false });
    assert.equal(((await json(['schedule', 'pause', id])) as { status: string }).status, 'paused');
    assert.equal(((await json(['schedule', 'resume', id])) as { status: string }).status, 'active');

    const text = await cli(['schedule', 'list']);
    assert.match(text.stdout, /standup/);
    assert.match(text.stdout, /every 5 minutes/);

    assert.deepEqual(await json(['schedule', 'remove', id]), { scheduleId: id });
    assert.deepEqual(((await json(['schedule', 'list'])) as { schedules: unknown[] }).schedules, []);
  });

  it('run-now waits for the run and history and audit carry slot, status and runId', async () => {
    anthropic.script({ kind: 'stream', chunks: chunk('Here is your digest.', 3) });
    const added = await json(['schedule', 'add', '--name', 'digest', '--every', '1h', '--prompt', 'write the digest']);
    const id = String(added.id);
    const ran = await json(['schedule', 'run-now', id]);
    assert.equal(ran.status, 'done');
    const history = (await json(['schedule', 'history', id])) as { entries: { slot: string; status: string; runId: string | null }[] };
    assert.equal(history.entries.length, 1);
    assert.equal(history.entries[0].status, 'ran');
    assert.equal(history.entries[0].runId, ran.runId);
    assert.ok(!Number.isNaN(Date.parse(history.entries[0].slot)));
    const from = new Date(Date.now() - 3600_000).toISOString();
    const audit = (await json(['schedule', 'audit', id, '--from', from, '--to', new Date(Date.now() + 3 * 3600_000).toISOString()])) as { entries: { status: string; expected: boolean; runId: string | null }[] };
    assert.deepEqual(audit.entries.map((e) => [e.status, e.expected]), [['ran', false], ['pending', true], ['pending', true], ['pending', true]]);
  });

  it('bad timings are usage errors with a readable reason, and nothing is saved', async () => {
    const before = ((await json(['schedule', 'list'])) as { schedules: unknown[] }).schedules.length;
    for (const [args, message] of [
      [['--every', '0s'], /at least 1 second/],
      [['--every', 'often'], /--every takes a number/],
      [['--cron', '* * *'], /5 or 6 fields|cron expression/],
      [['--daily', '25:00'], /HH:MM/],
      [['--daily', '09:00', '--days', 'funday'], /--days takes mon/],
      [['--every', '5m', '--daily', '09:00'], /one timing/],
      [['--cron', '0 9 * * *', '--tz', 'Mars/Olympus'], /IANA time zone/],
      [['--every', '5m', '--notify', 'always'], /--notify takes/],
      [['--every', '5m', '--notify', 'none,failure'], /--notify takes/],
    ] as const) {
      const r = await cli(['schedule', 'add', '--name', 'x', '--prompt', 'y', ...args]);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stdout}${r.stderr}`);
      assert.match(r.stderr, message);
    }
    assert.equal(((await json(['schedule', 'list'])) as { schedules: unknown[] }).schedules.length, before);
  });
});
