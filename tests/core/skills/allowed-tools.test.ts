import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { AppEvent } from '../../../core/contract/index.js';
import { applySkills } from '../../../core/permissions/index.js';
import { findBundledSkills } from '../../../core/skills/index.js';
import { AnthropicLoopback, startTestCore, tempDir, waitFor, lastChatRequest, type TestCore } from '../../support/index.js';

type Decided = Extract<AppEvent, { type: 'permission.decided' }>['data'];
type Completed = Extract<AppEvent, { type: 'tool.completed' }>['data'];

/** A skill's `allowed-tools` in real chat turns: the model loads it through the loopback Anthropic server, then calls tools. */
describe('a skill\'s allowed-tools', () => {
  let anthropic: AnthropicLoopback;
  const dir = tempDir('agent-blob-skill-tools-');
  before(async () => {
    anthropic = await AnthropicLoopback.start();
  });
  after(async () => {
    await anthropic.close();
    dir.cleanup();
  });

  let n = 0;
  async function withCore(fn: (t: TestCore, root: string) => Promise<void>): Promise<void> {
    const base = join(dir.path, `c${++n}`);
    const bundled = join(base, 'bundled');
    const root = join(base, 'root');
    mkdirSync(root, { recursive: true });
    const write = (name: string, front: string, body: string) => {
      mkdirSync(join(bundled, name), { recursive: true });
      writeFileSync(join(bundled, name, 'SKILL.md'), `---\nname: ${name}\ndescription: The ${name} skill.\n${front}---\n${body}\n`);
    };
    write('minutes', 'allowed-tools: read_text write_text\n', 'Write the minutes to minutes.md.');
    write('lookup', 'allowed-tools:\n  - read_text\n  - mcp__docs__*\n', 'Read the notes, nothing else.');
    write('free', '', 'No tools named.');
    const t = await startTestCore({ dataDir: join(base, 'data'), allowedRoots: [root], resolveHost: null, bundledSkillsDir: bundled, env: { ANTHROPIC_API_KEY: 'sk-ant-test-key-000000', ANTHROPIC_BASE_URL: anthropic.url } });
    try {
      await fn(t, root);
    } finally {
      await t.close();
    }
  }

  const decisions = (t: TestCore, runId: string): Decided[] => t.events.filter((e): e is Extract<AppEvent, { type: 'permission.decided' }> => e.type === 'permission.decided' && e.runId === runId).map((e) => e.data);
  const results = (t: TestCore, runId: string): Completed[] => t.events.filter((e): e is Extract<AppEvent, { type: 'tool.completed' }> => e.type === 'tool.completed' && e.runId === runId).map((e) => e.data);

  it('after the model loads a skill, a tool it lists runs without asking and a gated tool it does not list is refused with the reason', async () => {
    await withCore(async (t, root) => {
      anthropic.script(
        { kind: 'stream', toolCalls: [{ name: 'load_skill', arguments: { name: 'minutes' } }] },
        { kind: 'stream', toolCalls: [{ name: 'write_text', arguments: { path: 'minutes.md', text: '# Minutes' } }] },
        { kind: 'stream', toolCalls: [{ name: 'run_command', arguments: { command: 'echo hi > made.txt' } }] },
        { kind: 'stream', chunks: ['Minutes written.'] },
      );
      const { runId } = await t.client.call('chat.send', { text: 'write the minutes' });
      await t.core.idle();
      const run = await t.client.call('runs.get', { runId });
      assert.equal(run.status, 'done', run.reason ?? '');
      const [loaded, written, refused] = results(t, runId);
      assert.match(loaded.output, /## Tools of this skill\nFrom your next step on.*read_text, write_text run without asking/);
      assert.equal(written.ok, true, JSON.stringify(written.error));
      assert.equal(readFileSync(join(root, 'minutes.md'), 'utf8'), '# Minutes');
      assert.equal(refused.ok, false);
      assert.equal(refused.error?.code, 'denied');
      assert.match(refused.error?.message ?? '', /permission denied \(skill\): run_command is not in the allowed-tools of the skill this run follows \(minutes\): read_text, write_text/);
      assert.equal(existsSync(join(root, 'made.txt')), false);

      assert.ok(!t.events.some((e) => e.type === 'permission.requested' && e.runId === runId), 'nobody was asked');
      const [write, command] = decisions(t, runId);
      assert.deepEqual([write.tool, write.decision, write.decidedBy], ['write_text', 'allow', 'skill']);
      assert.match(write.reason ?? '', /pre-approved by the skill minutes \(allowed-tools\)/);
      assert.deepEqual([command.tool, command.decision, command.decidedBy], ['run_command', 'deny', 'skill']);
      const audit = (await t.client.call('permissions.audit', { runId })).entries;
      assert.deepEqual(audit.map((e) => e.decidedBy).sort(), ['skill', 'skill'], 'both decisions are in the audit trail');
      // The model was told, in the tool result, what the skill allows.
      assert.match(JSON.stringify(lastChatRequest(anthropic).body), /not in the allowed-tools of the skill/);
    });
  });

  it('the same write in a run that did not load the skill asks, and a skill without allowed-tools neither grants nor refuses', async () => {
    await withCore(async (t, root) => {
      anthropic.script(
        { kind: 'stream', toolCalls: [{ name: 'load_skill', arguments: { name: 'free' } }] },
        { kind: 'stream', toolCalls: [{ name: 'write_text', arguments: { path: 'minutes.md', text: '# Minutes' } }] },
        { kind: 'stream', chunks: ['asked'] },
      );
      const { runId } = await t.client.call('chat.send', { text: 'write the minutes' });
      const request = await waitFor(async () => (await t.client.call('permissions.pending', {})).requests[0], 'the write to ask');
      assert.equal(request.tool, 'write_text');
      await t.client.call('permissions.answer', { requestId: request.requestId, decision: 'deny' });
      await t.core.idle();
      assert.equal(existsSync(join(root, 'minutes.md')), false);
      assert.deepEqual(
        decisions(t, runId).map((d) => [d.tool, d.decision, d.decidedBy]),
        [['write_text', 'deny', 'user']],
      );
      assert.deepEqual((await t.client.call('runs.show', { runId })).skills.loaded, ['free']);
    });
  });

  it('a deny rule and an ask rule still win over a skill that lists the tool, and reads stay as the rules say', async () => {
    await withCore(async (t, root) => {
      writeFileSync(join(root, 'notes.md'), 'the notes');
      await t.client.call('permissions.rules.add', { effect: 'deny', capability: 'fs.write', pattern: join(root, 'secret*') });
      await t.client.call('permissions.rules.add', { effect: 'ask', capability: 'fs.write', pattern: join(root, 'ask*') });
      anthropic.script(
        { kind: 'stream', toolCalls: [{ name: 'load_skill', arguments: { name: 'minutes' } }] },
        {
          kind: 'stream',
          toolCalls: [
            { name: 'read_text', arguments: { path: 'notes.md' } },
            { name: 'write_text', arguments: { path: 'secret.md', text: 'x' } },
            { name: 'write_text', arguments: { path: 'ask.md', text: 'x' } },
          ],
        },
        { kind: 'stream', chunks: ['done'] },
      );
      const { runId } = await t.client.call('chat.send', { text: 'go' });
      const request = await waitFor(async () => (await t.client.call('permissions.pending', {})).requests[0], 'the ask rule to ask');
      assert.match(request.resource, /ask\.md$/);
      await t.client.call('permissions.answer', { requestId: request.requestId, decision: 'allow' });
      await t.core.idle();
      assert.deepEqual(
        decisions(t, runId).map((d) => [d.tool, d.decision, d.decidedBy]),
        [
          ['read_text', 'allow', 'default'],
          ['write_text', 'deny', 'rule'],
          ['write_text', 'allow', 'user'],
        ],
      );
      assert.equal(existsSync(join(root, 'secret.md')), false);
      assert.equal(readFileSync(join(root, 'ask.md'), 'utf8'), 'x');
    });
  });

  it('two skills in one run: a tool either lists is allowed, one neither lists is refused naming both', async () => {
    await withCore(async (t, root) => {
      writeFileSync(join(root, 'notes.md'), 'the notes');
      anthropic.script(
        { kind: 'stream', toolCalls: [{ name: 'load_skill', arguments: { name: 'lookup' } }] },
        { kind: 'stream', toolCalls: [{ name: 'write_text', arguments: { path: 'a.md', text: 'a' } }] },
        { kind: 'stream', toolCalls: [{ name: 'load_skill', arguments: { name: 'minutes' } }] },
        { kind: 'stream', toolCalls: [{ name: 'write_text', arguments: { path: 'b.md', text: 'b' } }, { name: 'http_get', arguments: { url: 'https://example.com/x' } }] },
        { kind: 'stream', chunks: ['done'] },
      );
      const { runId } = await t.client.call('chat.send', { text: 'go' });
      await t.core.idle();
      const [, refusedWrite, , writeB, fetch] = results(t, runId);
      assert.match(refusedWrite.error?.message ?? '', /write_text is not in the allowed-tools of the skill this run follows \(lookup\): read_text, mcp__docs__\*/);
      assert.equal(writeB.ok, true, 'minutes lists write_text');
      assert.equal(readFileSync(join(root, 'b.md'), 'utf8'), 'b');
      assert.match(fetch.error?.message ?? '', /http_get is not in the allowed-tools of the skills this run follows \(lookup, minutes\): read_text, mcp__docs__\*, write_text/);
    });
  });
});

describe('the bundled daily briefing', () => {
  it('reads the schedule list in a chat turn, and while it is followed a write is refused without asking', async () => {
    const anthropic = await AnthropicLoopback.start();
    const dir = tempDir('agent-blob-briefing-');
    const root = join(dir.path, 'root');
    mkdirSync(root);
    const t = await startTestCore({ dataDir: join(dir.path, 'data'), allowedRoots: [root], bundledSkillsDir: findBundledSkills(), env: { ANTHROPIC_API_KEY: 'sk-ant-test-key-000000', ANTHROPIC_BASE_URL: anthropic.url } });
    try {
      const skill = (await t.client.call('skills.list', {})).skills.find((s) => s.name === 'daily-briefing');
      assert.deepEqual(skill?.problems, []);
      assert.ok(skill?.allowedTools?.includes('schedule_list'), 'it lists schedule_list');
      await t.client.call('schedules.add', { name: 'standup notes', spec: { kind: 'daily', time: '09:30' }, prompt: 'collect the standup notes' });
      anthropic.script(
        { kind: 'stream', toolCalls: [{ name: 'load_skill', arguments: { name: 'daily-briefing' } }] },
        { kind: 'stream', toolCalls: [{ name: 'current_time', arguments: {} }, { name: 'schedule_list', arguments: {} }] },
        { kind: 'stream', toolCalls: [{ name: 'write_text', arguments: { path: 'briefing.md', text: 'x' } }] },
        { kind: 'stream', chunks: ['**Today:** standup notes at 09:30'] },
      );
      const { runId } = await t.client.call('chat.send', { text: 'brief me' });
      await t.core.idle();
      const done = t.events.filter((e): e is Extract<AppEvent, { type: 'tool.completed' }> => e.type === 'tool.completed' && e.runId === runId).map((e) => e.data);
      assert.match(done[0].output, /schedule_list/, 'the instructions name schedule_list');
      const listed = done.find((d) => d.tool === 'schedule_list')!;
      assert.equal(listed.ok, true);
      assert.match(listed.output, /standup notes/);
      const write = done.find((d) => d.tool === 'write_text')!;
      assert.match(write.error?.message ?? '', /permission denied \(skill\): write_text is not in the allowed-tools of the skill this run follows \(daily-briefing\)/);
      assert.equal(existsSync(join(root, 'briefing.md')), false);
      assert.deepEqual((await t.client.call('runs.show', { runId })).skills.loaded, ['daily-briefing']);
    } finally {
      await t.close();
      await anthropic.close();
      dir.cleanup();
    }
  });
});

describe('applySkills (the gate\'s reading of allowed-tools)', () => {
  const asked = { decision: 'ask' as const, decidedBy: 'default' as const, ruleId: null, reason: 'no rule covers it', resolved: 'docs/search', parts: [] };
  it('a pattern with * covers every tool of an MCP server and no other', () => {
    const skills = [{ name: 'lookup', allowedTools: ['mcp__docs__*'] }];
    assert.equal(applySkills(asked, { tool: 'mcp__docs__search', skills }).decidedBy, 'skill');
    assert.equal(applySkills(asked, { tool: 'mcp__docs__search', skills }).decision, 'allow');
    assert.equal(applySkills(asked, { tool: 'mcp__docsx__search', skills }).decision, 'deny');
  });
  it('an empty allowed-tools refuses every gated tool; no skill changes nothing; a decision by the mode is kept', () => {
    assert.equal(applySkills(asked, { tool: 'read_text', skills: [{ name: 'quiet', allowedTools: [] }] }).decision, 'deny');
    assert.deepEqual(applySkills(asked, { tool: 'read_text', skills: [] }), asked);
    const byMode = { ...asked, decidedBy: 'mode' as const };
    assert.deepEqual(applySkills(byMode, { tool: 'read_text', skills: [{ name: 'minutes', allowedTools: ['read_text'] }] }), byMode);
  });
});
