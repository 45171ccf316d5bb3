import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { AnthropicLoopback, McpHttpFixture, tempDir } from '../../support/index.js';
import { fixtureFiles, STDIO_FIXTURE } from '../mcp/helpers.js';
import { runCli } from './cli-support.js';

describe('agent-blob mcp and skills', () => {
  const dir = tempDir();
  const dataDir = join(dir.path, 'data');
  after(() => dir.cleanup());
  const cli = (args: string[]) => runCli([...args, '--data-dir', dataDir], { ANTHROPIC_API_KEY: 'sk-ant-test-key-000000' });
  const json = async (args: string[]) => {
    const r = await cli([...args, '--json']);
    assert.equal(r.code, 0, r.stderr);
    return JSON.parse(r.stdout.trim()) as Record<string, unknown>;
  };

  it('add starts a stdio server and lists its tools; approve, list, test and remove work on it', async () => {
    const files = fixtureFiles(dir.path, 'cli');
    const added = await json(['mcp', 'add', 'local', '--command', process.execPath, '--arg', STDIO_FIXTURE, '--env', `FIXTURE_LOG=${files.log}`, '--env', `FIXTURE_STATE=${files.state}`, '--env', 'API_TOKEN=tok-abcdefghijklmnopqrstuvwxyz0123']);
    assert.equal(added.state, 'ready', String(added.reason));
    assert.deepEqual(added.args, [STDIO_FIXTURE]);
    assert.deepEqual((added.env as { key: string; secret: boolean }[]).find((e) => e.key === 'API_TOKEN'), { key: 'API_TOKEN', value: null, secret: true });
    assert.ok((added.tools as { pin: string }[]).every((t) => t.pin === 'new'));

    const text = await cli(['mcp', 'list']);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /local\s+stopped\s+stdio\s+echo \(new\), add \(new\)/);

    const approved = await json(['mcp', 'approve', 'local', '--tool', 'echo', '--tool', 'add']);
    assert.deepEqual(
      (approved.tools as { name: string; pin: string }[]).filter((t) => t.pin === 'approved').map((t) => t.name),
      ['echo', 'add'],
    );
    files.setState({ echoDescription: 'Echoes, and more.' });
    const tested = await cli(['mcp', 'test', 'local']);
    assert.equal(tested.code, 0, tested.stderr);
    assert.match(tested.stdout, /CHANGED\s+mcp__local__echo/);
    const shown = await cli(['mcp', 'show', 'local']);
    assert.match(shown.stdout, /mcp__local__echo changed since its approval:\n(.|\n)*- {3}Echoes the text back\.\n\+ {3}Echoes, and more\./);

    const bad = await cli(['mcp', 'add', 'both', '--command', 'x', '--url', 'http://127.0.0.1:1/mcp']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /either a command .* or a url/);
    assert.deepEqual(await json(['mcp', 'remove', 'local']), { name: 'local' });
    assert.deepEqual(await json(['mcp', 'list']), { servers: [] });
  });

  it('import reads a Claude Desktop config file and adds its servers; add --url reaches an HTTP server', async () => {
    const fixture = await McpHttpFixture.start();
    try {
      const file = join(dir.path, 'claude_desktop_config.json');
      writeFileSync(file, JSON.stringify({ mcpServers: { files: { command: process.execPath, args: [STDIO_FIXTURE] }, web: { url: fixture.url } } }));
      const imported = await json(['mcp', 'import', file]);
      assert.deepEqual(imported.added, ['files', 'web']);
      const listed = (await json(['mcp', 'list'])) as { servers: { name: string; transport: string }[] };
      assert.deepEqual(listed.servers.map((s) => [s.name, s.transport]), [['files', 'stdio'], ['web', 'http']]);
      const missing = await cli(['mcp', 'import', join(dir.path, 'nope.json')]);
      assert.equal(missing.code, 2);
      assert.match(missing.stderr, /nope\.json cannot be read/);

      const remote = await json(['mcp', 'add', 'remote', '--url', fixture.url, '--header', 'Authorization: Bearer abc']);
      assert.equal(remote.state, 'ready', String(remote.reason));
      assert.deepEqual((remote.tools as { name: string }[]).map((t) => t.name), ['lookup', 'count']);
      assert.ok(fixture.requestHeaders.some((h) => h.authorization === 'Bearer abc'));
    } finally {
      await fixture.close();
    }
  });

  it('skills list shows the bundled skills and a broken one with file and line; show, disable and enable work', async () => {
    const broken = join(dataDir, 'skills', 'broken');
    mkdirSync(broken, { recursive: true });
    writeFileSync(join(broken, 'SKILL.md'), '---\nname: broken\n---\nNo description.\n');
    const listed = (await json(['skills', 'list'])) as { skills: { name: string; source: string; enabled: boolean; problems: { file: string; line: number }[] }[] };
    const names = listed.skills.map((s) => `${s.source}:${s.name}`);
    for (const bundled of ['bundled:daily-briefing', 'bundled:notes-summary', 'bundled:meeting-notes', 'user:broken']) assert.ok(names.includes(bundled), `${bundled} in ${names.join(', ')}`);
    const problem = listed.skills.find((s) => s.name === 'broken')!.problems[0];
    assert.equal(problem.file, join(broken, 'SKILL.md'));
    assert.equal(problem.line, 2);
    assert.ok(listed.skills.filter((s) => s.source === 'bundled').every((s) => !s.problems.length && s.enabled), 'the bundled skills load');

    const text = await cli(['skills', 'list']);
    assert.match(text.stdout, /broken\s+user\s+NOT LOADED/);
    assert.match(text.stdout, /broken: .*SKILL\.md:2: the front matter has no description/);
    const show = await cli(['skills', 'show', 'meeting-notes']);
    assert.match(show.stdout, /files: reference\/template\.md/);
    assert.equal(((await json(['skills', 'disable', 'notes-summary'])) as { enabled: boolean }).enabled, false);
    assert.match((await cli(['skills', 'list'])).stdout, /notes-summary\s+bundled\s+off/);
    assert.equal(((await json(['skills', 'enable', 'notes-summary'])) as { enabled: boolean }).enabled, true);
    const unknown = await cli(['skills', 'show', 'nope']);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /no skill named nope/);
  });

  it('skills show prints what a skill pre-approves; runs show prints the skills a chat run was offered and loaded', async () => {
    const briefing = await cli(['skills', 'show', 'daily-briefing']);
    assert.match(briefing.stdout, /allowed tools \(pre-approved, and the only gated tools while a run follows it\): current_time, schedule_list, memory_search, list_dir, search_files, read_text/);
    assert.doesNotMatch((await cli(['skills', 'show', 'meeting-notes'])).stdout, /allowed tools/);

    const anthropic = await AnthropicLoopback.start();
    try {
      anthropic.script({ kind: 'stream', toolCalls: [{ name: 'load_skill', arguments: { name: 'notes-summary' } }] }, { kind: 'stream', chunks: ['summarised'] });
      const env = { ANTHROPIC_API_KEY: 'sk-ant-test-key-000000', ANTHROPIC_BASE_URL: anthropic.url };
      const chat = await runCli(['chat', 'summarise my notes', '--json', '--data-dir', dataDir], env);
      assert.equal(chat.code, 0, chat.stderr);
      const { runId } = JSON.parse(chat.stdout.trim()) as { runId: string };
      const shown = await runCli(['runs', 'show', runId, '--data-dir', dataDir], env);
      assert.match(shown.stdout, /skills offered: daily-briefing, meeting-notes, notes-summary; loaded: notes-summary/);
    } finally {
      await anthropic.close();
    }
  });
});
