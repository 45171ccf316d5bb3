import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { AppEvent } from '../../../core/contract/index.js';
import { AnthropicLoopback, startTestCore, tempDir, waitFor, type TestCore } from '../../support/index.js';

function writeSkill(root: string, folder: string, text: string, files: Record<string, string> = {}): void {
  mkdirSync(join(root, folder), { recursive: true });
  writeFileSync(join(root, folder, 'SKILL.md'), text);
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(join(root, folder, name, '..'), { recursive: true });
    writeFileSync(join(root, folder, name), content);
  }
}

const skill = (name: string, description: string, body: string) => `---\nname: ${name}\ndescription: ${description}\n---\n${body}\n`;

/** The system prompt of the n-th request the model server received. */
function systemOf(anthropic: AnthropicLoopback, n: number): string {
  const body = anthropic.requests.filter((r) => r.path === '/v1/messages')[n].body as { system?: string | { text: string }[] };
  return typeof body.system === 'string' ? body.system : (body.system ?? []).map((b) => b.text).join('\n');
}

describe('skills', () => {
  let anthropic: AnthropicLoopback;
  const dir = tempDir('agent-blob-skills-');
  before(async () => {
    anthropic = await AnthropicLoopback.start();
  });
  after(async () => {
    await anthropic.close();
    dir.cleanup();
  });

  let n = 0;
  async function withCore(fn: (t: TestCore, folders: { bundled: string; user: string }) => Promise<void>): Promise<void> {
    const root = join(dir.path, `c${++n}`);
    const bundled = join(root, 'bundled');
    const dataDir = join(root, 'data');
    mkdirSync(bundled, { recursive: true });
    writeSkill(bundled, 'notes-summary', skill('notes-summary', 'Summarises a folder of notes.', 'Read every note, then summarise.'), { 'reference/style.md': 'Short sentences.' });
    writeSkill(bundled, 'briefing', skill('briefing', 'A daily briefing.', 'List the schedules, then the recent timeline.'));
    // Broken: the YAML of line 3 does not parse.
    writeSkill(bundled, 'broken', '---\nname: broken\ndescription: [unclosed\n---\nBody.\n');
    // Broken: the name on line 2 differs from the folder.
    writeSkill(bundled, 'misnamed', '---\nname: other-name\ndescription: Something.\n---\nBody.\n');
    const t = await startTestCore({ dataDir, env: { ANTHROPIC_API_KEY: 'sk-ant-test-key-000000', ANTHROPIC_BASE_URL: anthropic.url }, bundledSkillsDir: bundled });
    try {
      await fn(t, { bundled, user: join(dataDir, 'skills') });
    } finally {
      await t.close();
    }
  }

  it('a skill with broken front matter is listed with its file and line, warned about in doctor, and never offered', async () => {
    await withCore(async (t, { bundled }) => {
      const { skills } = await t.client.call('skills.list', {});
      const broken = skills.find((s) => s.name === 'broken')!;
      assert.equal(broken.problems.length, 1);
      assert.equal(broken.problems[0].file, join(bundled, 'broken', 'SKILL.md'));
      assert.equal(broken.problems[0].line, 3);
      assert.match(broken.problems[0].message, /not valid YAML/);
      const misnamed = skills.find((s) => s.folder.endsWith('misnamed'))!;
      assert.equal(misnamed.problems[0].line, 2);
      assert.match(misnamed.problems[0].message, /differs from its folder's name misnamed/);

      const doctor = await t.client.call('system.doctor', { probeProviders: false });
      const warning = doctor.checks.find((c) => c.name === 'skill broken');
      assert.equal(warning?.status, 'warn');
      assert.ok(warning?.detail.includes(`${join(bundled, 'broken', 'SKILL.md')}:3`), warning?.detail);
      assert.equal(doctor.ok, true);

      anthropic.script({ kind: 'stream', chunks: ['hi'] });
      await t.client.call('chat.send', { text: 'hello' });
      await t.core.idle();
      const system = systemOf(anthropic, anthropic.requests.length - 1);
      assert.match(system, /- briefing: A daily briefing\.\n- notes-summary: Summarises a folder of notes\./, 'valid skills in name order');
      assert.ok(!system.includes('broken') && !system.includes('other-name'), 'broken skills are not offered');
    });
  });

  it('the model loads a skill and one of its files; runs show lists the skills the run saw and loaded', async () => {
    await withCore(async (t) => {
      anthropic.script(
        { kind: 'stream', toolCalls: [{ name: 'load_skill', arguments: { name: 'notes-summary' } }] },
        { kind: 'stream', toolCalls: [{ name: 'load_skill', arguments: { name: 'notes-summary', file: 'reference/style.md' } }, { name: 'load_skill', arguments: { name: 'notes-summary', file: '../briefing/SKILL.md' } }] },
        { kind: 'stream', chunks: ['summarised'] },
      );
      const { runId } = await t.client.call('chat.send', { text: 'summarise my notes' });
      await t.core.idle();
      const done = t.events.filter((e): e is Extract<AppEvent, { type: 'tool.completed' }> => e.type === 'tool.completed' && e.runId === runId).map((e) => e.data);
      assert.match(done[0].output, /# Skill: notes-summary\n\nRead every note, then summarise\./);
      assert.match(done[0].output, /- reference\/style\.md/);
      assert.equal(done[1].output, 'Short sentences.');
      assert.equal(done[2].ok, false, 'a file outside the skill folder is refused');
      assert.equal(done[2].error?.code, 'not_found');
      const shown = await t.client.call('runs.show', { runId });
      assert.deepEqual(shown.skills, { offered: ['briefing', 'notes-summary'], loaded: ['notes-summary'] });
    });
  });

  it('a disabled skill leaves the prompt and cannot be loaded; a user skill added on disk is picked up without a restart', async () => {
    await withCore(async (t, { user }) => {
      const off = await t.client.call('skills.setEnabled', { name: 'briefing', enabled: false });
      assert.equal(off.enabled, false);
      const before = t.core.log.head();
      writeSkill(user, 'travel', skill('travel', 'Plans a trip.', 'Ask where and when.'));
      await waitFor(() => t.events.some((e) => e.seq > before && e.type === 'skills.reloaded'), 'the skills folders to be read again');
      const listed = (await t.client.call('skills.list', {})).skills.find((s) => s.name === 'travel');
      assert.equal(listed?.source, 'user');
      assert.equal(listed?.enabled, true);

      anthropic.script({ kind: 'stream', toolCalls: [{ name: 'load_skill', arguments: { name: 'briefing' } }] }, { kind: 'stream', chunks: ['ok'] });
      const { runId } = await t.client.call('chat.send', { text: 'brief me' });
      await t.core.idle();
      const system = systemOf(anthropic, anthropic.requests.length - 2);
      assert.match(system, /- notes-summary: .*\n- travel: Plans a trip\./);
      assert.ok(!system.includes('- briefing'));
      const loaded = t.events.find((e): e is Extract<AppEvent, { type: 'tool.completed' }> => e.type === 'tool.completed' && e.runId === runId)!;
      assert.equal(loaded.data.error?.code, 'not_found');
      assert.deepEqual((await t.client.call('runs.show', { runId })).skills, { offered: ['notes-summary', 'travel'], loaded: [] });
    });
  });

  it('show gives the instructions and files of a skill; an unknown skill is not_found', async () => {
    await withCore(async (t) => {
      const shown = await t.client.call('skills.show', { name: 'notes-summary' });
      assert.equal(shown.body, 'Read every note, then summarise.');
      assert.deepEqual(shown.files, ['reference/style.md']);
      assert.equal(shown.source, 'bundled');
      await assert.rejects(t.client.call('skills.show', { name: 'nope' }), /no skill named nope/);
    });
  });
});
