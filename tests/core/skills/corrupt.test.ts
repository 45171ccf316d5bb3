import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { AnthropicLoopback, startTestCore, tempDir, waitFor } from '../../support/index.js';

/** Skill folders a person (or a bad copy) left broken: each is a warning with its file, never a crash. */
describe('corrupt skills', () => {
  const dir = tempDir('agent-blob-skills-corrupt-');
  after(() => dir.cleanup());

  it('garbage, a missing or unclosed front matter, an oversized file, a folder named SKILL.md and a Claude-style tool entry are each reported and not loaded; the app keeps working', async () => {
    const anthropic = await AnthropicLoopback.start();
    const bundled = join(dir.path, 'bundled');
    const put = (folder: string, content: string | Buffer | null) => {
      mkdirSync(join(bundled, folder), { recursive: true });
      if (content !== null) writeFileSync(join(bundled, folder, 'SKILL.md'), content);
    };
    put('good', '---\nname: good\ndescription: A good skill.\n---\nDo it well.\n');
    put('garbage', Buffer.from([0xff, 0xfe, 0x00, 0x01, 0x2d, 0x2d, 0x2d, 0x0a, 0xc3, 0x28, 0x00]));
    put('empty', null);
    put('unclosed', '---\nname: unclosed\ndescription: Never closed.\nBody without the closing line.\n');
    put('huge', `---\nname: huge\ndescription: Too big.\n---\n${'x'.repeat(300 * 1024)}\n`);
    mkdirSync(join(bundled, 'dir-skill', 'SKILL.md'), { recursive: true });
    put('claude-style', '---\nname: claude-style\ndescription: Written for another app.\nallowed-tools: Read, Bash(git status:*)\n---\nBody.\n');
    put('no-body', '---\nname: no-body\ndescription: Nothing after.\n---\n');

    const t = await startTestCore({ env: { ANTHROPIC_API_KEY: 'sk-ant-test-key-000000', ANTHROPIC_BASE_URL: anthropic.url }, bundledSkillsDir: bundled, dataDir: join(dir.path, 'data') });
    try {
      const { skills } = await t.client.call('skills.list', {});
      const problem = (folder: string) => {
        const s = skills.find((x) => x.folder === join(bundled, folder));
        assert.ok(s, `${folder} is listed`);
        assert.equal(s.problems.length > 0, folder !== 'good', `${folder}: ${JSON.stringify(s.problems)}`);
        return s.problems[0];
      };
      assert.equal(problem('good'), undefined);
      assert.deepEqual([problem('garbage').line, problem('garbage').file], [1, join(bundled, 'garbage', 'SKILL.md')]);
      assert.match(problem('garbage').message, /must start with front matter/);
      assert.match(problem('empty').message, /the folder has no SKILL\.md/);
      assert.equal(problem('unclosed').line, 1);
      assert.match(problem('unclosed').message, /no closing --- line/);
      assert.match(problem('huge').message, /larger than 256 KB/);
      assert.match(problem('dir-skill').message, /cannot be read/);
      assert.equal(problem('claude-style').line, 4);
      assert.match(problem('claude-style').message, /allowed-tools names tools by their names .*"Bash\(git"/);
      assert.equal(problem('no-body').line, 4);

      const doctor = await t.client.call('system.doctor', { probeProviders: false });
      const warned = doctor.checks.filter((c) => c.name.startsWith('skill ') && c.status === 'warn').map((c) => c.name);
      assert.equal(warned.length, 7, warned.join(', '));
      assert.ok(doctor.checks.find((c) => c.name === 'skill claude-style')?.detail.includes(`${join(bundled, 'claude-style', 'SKILL.md')}:4`));
      assert.equal(doctor.ok, true, 'warnings, not a failure');

      anthropic.script({ kind: 'stream', chunks: ['hello'] });
      const { runId } = await t.client.call('chat.send', { text: 'hi' });
      await t.core.idle();
      assert.equal((await t.client.call('runs.get', { runId })).status, 'done');
      assert.deepEqual((await t.client.call('runs.show', { runId })).skills.offered, ['good'], 'only the good skill is offered');

      // Broken on disk while the app runs: read again, warned about, taken out of the prompt.
      const before = t.core.log.head();
      writeFileSync(join(bundled, 'good', 'SKILL.md'), '---\nname: good\ndescription: [broken\n---\nDo it well.\n');
      await waitFor(() => t.events.some((e) => e.seq > before && e.type === 'skills.reloaded'), 'the skills to be read again');
      const good = (await t.client.call('skills.list', {})).skills.find((s) => s.folder === join(bundled, 'good'))!;
      assert.equal(good.problems[0]?.line, 3);
      anthropic.script({ kind: 'stream', chunks: ['hello again'] });
      const second = await t.client.call('chat.send', { text: 'hi again' });
      await t.core.idle();
      assert.deepEqual((await t.client.call('runs.show', { runId: second.runId })).skills.offered, []);
    } finally {
      await t.close();
      await anthropic.close();
    }
  });
});
