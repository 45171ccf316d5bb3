import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { AnthropicLoopback, alive, pidIn, startTestCore, waitFor, type TestCore } from '../../support/index.js';
import { chat, toolEvents, workspace } from './helpers.js';


// Starts a background child in the command's process group and records both pids, then waits.
const SCRIPT = 'sleep 30 & echo $! > "$1.child"; echo $$ > "$1.shell"; wait';

describe('cancel and budgets', () => {
  let anthropic: AnthropicLoopback;
  before(async () => {
    anthropic = await AnthropicLoopback.start();
  });
  after(() => anthropic.close());
  const start = async () => {
    const t = await startTestCore({ env: { ANTHROPIC_API_KEY: 'sk-ant-test-key-000000', ANTHROPIC_BASE_URL: anthropic.url, PATH: process.env.PATH } });
    await t.client.call('permissions.rules.add', { effect: 'allow', capability: 'shell.exec', pattern: 'sh *' });
    return t;
  };

  async function cancelWhenStarted(t: TestCore, root: string, names: string[]) {
    const { runId } = await t.client.call('chat.send', { text: 'run the slow thing' });
    const files = names.flatMap((n) => [join(root, `${n}.shell`), join(root, `${n}.child`)]);
    await waitFor(() => files.every((f) => pidIn(f) !== undefined), 'commands started');
    const pids = files.map((f) => pidIn(f)!);
    assert.ok(pids.every(alive));
    const cancelledAt = Date.now();
    const cancelled = await t.client.call('runs.cancel', { runId });
    assert.equal(cancelled.status, 'cancelled');
    // Bounded well below the script's `sleep 30`, so a cancel that kills nothing still fails here.
    await waitFor(() => pids.every((p) => !alive(p)), 10_000, 'every process of the command to be killed');
    const goneAfter = Date.now() - cancelledAt;
    await t.core.idle();
    await new Promise((r) => setTimeout(r, 100));
    const events = t.events.filter((e) => e.runId === runId);
    const at = events.findIndex((e) => e.type === 'run.status' && e.data.to === 'cancelled');
    assert.equal(at, events.length - 1, 'nothing of the run is emitted after cancelled');
    return { events, goneAfter };
  }

  it('cancel during a run_command that sleeps kills its whole process group within a second', async () => {
    const t = await start();
    try {
      const root = workspace(t, { 'slow.sh': SCRIPT });
      anthropic.script({ kind: 'stream', toolCalls: [{ name: 'run_command', arguments: { command: 'sh slow.sh one' } }] });
      const { events } = await cancelWhenStarted(t, root, ['one']);
      const card = toolEvents(events).at(-1)!;
      assert.equal(card.ok, false);
      assert.equal(card.error!.code, 'cancelled');
    } finally {
      await t.close();
    }
  });

  it('cancel during parallel tool calls stops all of them and closes every card', async () => {
    const t = await start();
    try {
      const root = workspace(t, { 'slow.sh': SCRIPT });
      anthropic.script({
        kind: 'stream',
        toolCalls: [
          { name: 'run_command', arguments: { command: 'sh slow.sh a' } },
          { name: 'run_command', arguments: { command: 'sh slow.sh b' } },
          { name: 'current_time', arguments: {} },
        ],
      });
      const { events } = await cancelWhenStarted(t, root, ['a', 'b']);
      const started = events.filter((e) => e.type === 'tool.started').length;
      assert.equal(started, 3);
      assert.equal(toolEvents(events).length, 3, 'every card is closed');
    } finally {
      await t.close();
    }
  });

  it('a token budget stops the run with budget_exceeded; usage and cost add up exactly to what the server reported', async () => {
    const t = await start();
    try {
      workspace(t);
      await t.client.call('agent.settings.update', { budgets: { runTokens: 7000, runCostUsd: null }, prices: { 'anthropic:claude-priced': { input: 3, output: 15, cacheRead: 0.3, cacheWrite: 3.75 } } });
      anthropic.script(
        { kind: 'stream', toolCalls: [{ name: 'current_time', arguments: {} }], usage: { input: 2500, output: 700, cacheRead: 100, cacheWrite: 40 } },
        { kind: 'stream', toolCalls: [{ name: 'current_time', arguments: {} }], usage: { input: 3100, output: 900, cacheRead: 0, cacheWrite: 0 } },
        { kind: 'stream', chunks: ['not reached'] },
      );
      const before = anthropic.requests.length;
      const { run, events } = await chat(t, 'spend', 'anthropic:claude-priced');
      assert.equal(run.status, 'failed');
      assert.equal(run.reason, 'budget_exceeded');
      assert.ok(anthropic.requests.length - before <= 2, 'no model call that would pass the budget');
      anthropic.nextReply();
      const usage = events.filter((e) => e.type === 'run.usage').map((e) => e.type === 'run.usage' && e.data);
      assert.ok(usage.length >= 1, 'at least one response was counted');
      assert.equal(usage.length, anthropic.requests.length - before, 'one usage record per model response');
      const reported = [
        { input: 2500, output: 700, cacheRead: 100, cacheWrite: 40 },
        { input: 3100, output: 900, cacheRead: 0, cacheWrite: 0 },
      ].slice(0, usage.length);
      const shown = await t.client.call('runs.show', { runId: run.id });
      const sum = (k: 'input' | 'output' | 'cacheRead' | 'cacheWrite') => reported.reduce((n, r) => n + r[k], 0);
      assert.equal(shown.usage.total.inputTokens, sum('input'));
      assert.equal(shown.usage.total.outputTokens, sum('output'));
      assert.equal(shown.usage.total.cacheReadTokens, sum('cacheRead'));
      assert.equal(shown.usage.total.cacheWriteTokens, sum('cacheWrite'));
      const cost = (sum('input') * 3 + sum('output') * 15 + sum('cacheRead') * 0.3 + sum('cacheWrite') * 3.75) / 1e6;
      assert.ok(Math.abs(shown.usage.total.costUsd - cost) < 1e-12, `${shown.usage.total.costUsd} vs ${cost}`);
      const daily = await t.client.call('usage.daily', { days: 2 });
      assert.equal(daily.days[0].inputTokens, sum('input'));
    } finally {
      await t.close();
    }
  });

  it('a cost budget stops the run before the model call that would pass it', async () => {
    const t = await start();
    try {
      await t.client.call('agent.settings.update', { budgets: { runTokens: null, runCostUsd: 0.05 }, prices: { 'anthropic:claude-priced': { input: 10, output: 10, cacheRead: 0, cacheWrite: 0 } } });
      // $0.049 spent by the first response: any next prompt (the system prompt alone is over 100 tokens) would pass $0.05.
      anthropic.script({ kind: 'stream', toolCalls: [{ name: 'current_time', arguments: {} }], usage: { input: 3900, output: 1000 } }, { kind: 'stream', chunks: ['not reached'] });
      const before = anthropic.requests.length;
      const { run, events } = await chat(t, 'spend money', 'anthropic:claude-priced');
      anthropic.nextReply();
      assert.equal(run.status, 'failed');
      assert.equal(run.reason, 'budget_exceeded');
      assert.equal(anthropic.requests.length - before, 1, 'the second call was never made');
      const shown = await t.client.call('runs.show', { runId: run.id });
      assert.ok(Math.abs(shown.usage.total.costUsd - 0.049) < 1e-12, String(shown.usage.total.costUsd));
      const error = events.find((e) => e.type === 'timeline.error');
      assert.ok(error && error.type === 'timeline.error' && error.data.code === 'budget_exceeded' && /\$0\.05/.test(error.data.message));
    } finally {
      await t.close();
    }
  });

  it('a budget smaller than the prompt stops before any model call', async () => {
    const t = await start();
    try {
      await t.client.call('agent.settings.update', { budgets: { runTokens: 50, runCostUsd: null } });
      const before = anthropic.requests.length;
      const { run } = await chat(t, 'hello');
      assert.equal(run.reason, 'budget_exceeded');
      assert.equal(anthropic.requests.length, before);
    } finally {
      await t.close();
    }
  });
});
