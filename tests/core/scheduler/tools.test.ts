import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { AnthropicLoopback, startTestCore, waitFor, type TestCore } from '../../support/index.js';

describe('schedules from the chat', () => {
  let anthropic: AnthropicLoopback;
  before(async () => {
    anthropic = await AnthropicLoopback.start();
  });
  after(() => anthropic.close());
  beforeEach(() => assert.equal(anthropic.pending(), 0, 'a test left scripted replies behind'));
  const start = () => startTestCore({ env: { ANTHROPIC_API_KEY: 'sk-ant-test-key-000000', ANTHROPIC_BASE_URL: anthropic.url } });
  const runEnded = async (t: TestCore, runId: string) => {
    await waitFor(async () => ['done', 'failed', 'cancelled'].includes((await t.client.call('runs.get', { runId })).status), 'run ended');
    return t.client.call('runs.get', { runId });
  };

  it('"remind me every weekday at 9" makes a schedule through the gate as schedule.manage; list, pause and remove work too', async () => {
    const t = await start();
    try {
      await t.client.call('permissions.rules.add', { effect: 'allow', capability: 'schedule.manage', pattern: '*' });
      anthropic.script(
        { kind: 'stream', toolCalls: [{ name: 'schedule_add', arguments: { name: 'Stand-up notes', prompt: 'Remind the user to write the stand-up notes.', spec: { kind: 'daily', time: '09:00', days: ['mon', 'tue', 'wed', 'thu', 'fri'], timeZone: 'Europe/Berlin' } } }] },
        { kind: 'stream', chunks: ['Done: every weekday at 9.'] },
      );
      const { runId } = await t.client.call('chat.send', { text: 'Remind me every weekday at 9 to write the stand-up notes' });
      assert.equal((await runEnded(t, runId)).status, 'done');
      const [s] = (await t.client.call('schedules.list', {})).schedules;
      assert.equal(s.name, 'Stand-up notes');
      assert.equal(s.description, 'every weekday at 09:00 (Europe/Berlin)');
      assert.ok(t.events.some((e) => e.type.startsWith('permission') && JSON.stringify(e.data).includes('schedule.manage')), 'the gate decided on schedule.manage');
      const toolResult = t.events.find((e) => e.type === 'tool.completed' && e.data.tool === 'schedule_add');
      assert.match(String(toolResult && 'output' in toolResult.data ? toolResult.data.output : ''), new RegExp(`Scheduled Stand-up notes \\(${s.id}\\).*next run ${s.nextRunAt}`));

      anthropic.script(
        { kind: 'stream', toolCalls: [{ name: 'schedule_list', arguments: {} }, { name: 'schedule_change', arguments: { id: s.id, action: 'pause' } }] },
        { kind: 'stream', chunks: ['Paused.'] },
      );
      const second = await t.client.call('chat.send', { text: 'pause it' });
      assert.equal((await runEnded(t, second.runId)).status, 'done');
      assert.equal((await t.client.call('schedules.get', { scheduleId: s.id })).status, 'paused');

      // A bad timing is an error the model reads, not a crash; an unknown id is not_found.
      anthropic.script(
        { kind: 'stream', toolCalls: [{ name: 'schedule_add', arguments: { name: 'x', prompt: 'y', spec: { kind: 'cron', expr: '61 * * * *' } } }, { name: 'schedule_change', arguments: { id: 'sch_nope', action: 'remove' } }] },
        { kind: 'stream', chunks: ['Could not.'] },
      );
      const third = await t.client.call('chat.send', { text: 'make a broken one' });
      assert.equal((await runEnded(t, third.runId)).status, 'done');
      const errors = t.events.filter((e) => e.type === 'tool.completed' && e.runId === third.runId).map((e) => (e.data as { ok: boolean; error: { code: string } | null }).error?.code);
      assert.deepEqual(errors, ['invalid_args', 'not_found']);
      assert.equal((await t.client.call('schedules.list', {})).schedules.length, 1);
    } finally {
      await t.close();
    }
  });

  it('without a rule, schedule_add waits for the user before making anything', async () => {
    const t = await start();
    try {
      anthropic.script({ kind: 'stream', toolCalls: [{ name: 'schedule_add', arguments: { name: 'n', prompt: 'p', spec: { kind: 'interval', everySeconds: 3600 } } }] });
      const { runId } = await t.client.call('chat.send', { text: 'every hour, check' });
      await waitFor(async () => (await t.client.call('runs.get', { runId })).status === 'waiting_permission', 'asks first');
      assert.equal((await t.client.call('schedules.list', {})).schedules.length, 0);
      await t.client.call('runs.cancel', { runId });
    } finally {
      await t.close();
    }
  });
});
