import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { dataPaths } from '../../../core/datadir/index.js';
import { startHost, type Host } from '../../../core/host/index.js';
import { createMemorySecretStore } from '../../../core/secrets/index.js';
import { silentLogger } from '../../../core/util/logger.js';
import { AnthropicLoopback, chunk, tempDir, waitFor, lastChatRequest } from '../../support/index.js';
import { runCli } from './cli-support.js';

describe('the agent-blob command line', () => {
  let anthropic: AnthropicLoopback;
  before(async () => {
    anthropic = await AnthropicLoopback.start();
  });
  after(async () => {
    await anthropic.close();
  });
  const envFor = (extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({ ANTHROPIC_API_KEY: 'sk-ant-test-key-000000', ANTHROPIC_BASE_URL: anthropic.url, ...extra });

  describe('with no app running (core in-process)', () => {
    const dir = tempDir();
    after(() => dir.cleanup());
    const cli = (args: string[], env = envFor(), interrupt?: AbortController) => runCli([...args, '--data-dir', dir.path], env, interrupt);

    it('chat streams the reply to stdout, exits 0 and releases the data folder', async () => {
      anthropic.script({ kind: 'stream', chunks: chunk('Hello from the command line.', 4), delayMs: 1 });
      const r = await cli(['chat', 'hi', 'there']);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, 'Hello from the command line.\n');
      assert.equal(existsSync(dataPaths(dir.path).lock), false, 'the lock is released');
      const sent = lastChatRequest(anthropic).body as { messages: { content: unknown }[] };
      assert.match(JSON.stringify(sent.messages.at(-1)), /hi there/);
    });

    it('chat --json prints one object with the run id, outcome and whole text', async () => {
      anthropic.script({ kind: 'stream', chunks: ['Short ', 'answer.'], delayMs: 1 });
      const r = await cli(['chat', '--json', 'again']);
      assert.equal(r.code, 0, r.stderr);
      const out = JSON.parse(r.stdout) as { runId: string; status: string; text: string };
      assert.equal(out.status, 'done');
      assert.equal(out.text, 'Short answer.');
      assert.match(out.runId, /run/);
    });

    it('chat - reads the message from standard input', async () => {
      anthropic.script({ kind: 'stream', chunks: ['Read it.'] });
      const r = await runCli(['chat', '-', '--data-dir', dir.path], envFor(), undefined, undefined, 'line one\nline two\n');
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, 'Read it.\n');
      assert.match(JSON.stringify(lastChatRequest(anthropic).body), /line one\\nline two/);
      const empty = await runCli(['chat', '-', '--data-dir', dir.path], envFor(), undefined, undefined, '  \n');
      assert.equal(empty.code, 2);
      assert.match(empty.stderr, /standard input was empty/);
    });

    it('chat exits 1 with the readable provider error when the run fails', async () => {
      anthropic.script({ kind: 'error', status: 400, type: 'invalid_request_error', message: 'prompt is too long' });
      const r = await cli(['chat', 'this fails']);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /the run failed: .*prompt is too long/);
      assert.doesNotMatch(r.stderr, /\n\s+at /);
    });

    it('chat without an API key exits 1 and says how to set one', async () => {
      const r = await cli(['chat', 'no key'], { ANTHROPIC_BASE_URL: anthropic.url });
      assert.equal(r.code, 1);
      assert.match(r.stderr, /no API key set: open Settings or set ANTHROPIC_API_KEY/);
    });

    it('Ctrl-C during chat cancels the run and exits 130', async () => {
      anthropic.script({ kind: 'stream', chunks: chunk('z'.repeat(400), 2), delayMs: 10 });
      const interrupt = new AbortController();
      const pending = cli(['chat', 'a long story'], envFor(), interrupt);
      await waitFor(() => pending.output().length > 0, 'first streamed text');
      interrupt.abort();
      const r = await pending;
      assert.equal(r.code, 130);
      assert.match(r.stderr, /cancelled \(cancelled_by_user\)/);
      assert.ok(r.stdout.length < 401);
      const list = await cli(['runs', 'list', '--json', '--limit', '1']);
      const { runs } = JSON.parse(list.stdout) as { runs: { status: string; reason: string }[] };
      assert.equal(runs[0].status, 'cancelled');
      assert.equal(runs[0].reason, 'cancelled_by_user');
    });

    it('a second command while another holds the folder in-process exits 3 and suggests the host', async () => {
      anthropic.script({ kind: 'stream', chunks: chunk('k'.repeat(2000), 2), delayMs: 5 });
      const interrupt = new AbortController();
      const first = cli(['chat', 'hold the folder'], envFor(), interrupt);
      await waitFor(() => first.output().length > 0, 'first streamed text');
      const second = await cli(['runs', 'list']);
      interrupt.abort();
      assert.equal(second.code, 3);
      assert.match(second.stderr, /another agent-blob command \(pid \d+\) is using this data folder.*agent-blob host/);
      assert.equal((await first).code, 130);
    });

    it('chat asks the person at the terminal before a tool that needs permission, and goes on when allowed', async () => {
      anthropic.script(
        { kind: 'stream', chunks: ['Let me save that.'], toolCalls: [{ id: 'toolu_1', name: 'write_text', arguments: { path: 'note.txt', text: 'remember the milk' } }] },
        { kind: 'stream', chunks: ['Saved ', 'the note.'] },
      );
      const questions: string[] = [];
      const r = await runCli(['chat', 'save a note', '--data-dir', dir.path], envFor(), undefined, async (question) => {
        questions.push(question);
        return 'y';
      });
      assert.equal(r.code, 0, r.stderr);
      assert.equal(questions.length, 1);
      assert.match(questions[0], /write_text wants fs\.write on .*note\.txt/);
      assert.match(questions[0], /Allow\? \[y\]es once, \[a\]lways, \[N\]o/);
      assert.equal(r.stdout, 'Let me save that.\nSaved the note.\n', 'each message of the turn on its own line');
      assert.equal(readFileSync(join(dir.path, 'workspace', 'note.txt'), 'utf8'), 'remember the milk');
    });

    it('chat denies the tool when the person answers no, and the model hears it', async () => {
      anthropic.script(
        { kind: 'stream', toolCalls: [{ id: 'toolu_2', name: 'write_text', arguments: { path: 'denied.txt', text: 'nope' } }] },
        { kind: 'stream', chunks: ['Understood, I did not write it.'] },
      );
      const r = await runCli(['chat', 'write another', '--data-dir', dir.path], envFor(), undefined, async () => '');
      assert.equal(r.code, 0, r.stderr);
      assert.equal(existsSync(join(dir.path, 'workspace', 'denied.txt')), false);
      assert.match(JSON.stringify(lastChatRequest(anthropic).body), /toolu_2/);
    });

    it('runs list --json lists runs newest first and --status filters them', async () => {
      const r = await cli(['runs', 'list', '--json']);
      assert.equal(r.code, 0, r.stderr);
      const { runs } = JSON.parse(r.stdout) as { runs: { title: string; status: string }[] };
      assert.deepEqual(runs.map((x) => x.title), ['write another', 'save a note', 'hold the folder', 'a long story', 'no key', 'this fails', 'line one line two', 'again', 'hi there']);
      const failed = JSON.parse((await cli(['runs', 'list', '--json', '--status', 'failed'])).stdout) as { runs: { title: string }[] };
      assert.deepEqual(failed.runs.map((x) => x.title), ['no key', 'this fails']);
      const text = await cli(['runs', 'list']);
      assert.match(text.stdout, /^ID\s+STATUS\s+KIND/);
      assert.match(text.stdout, /cancelled \(cancelled_by_user\)\s+chat/);
    });

    it('runs cancel of a run that already ended exits 1 and says so; a bad id exits 1 too', async () => {
      const { runs } = JSON.parse((await cli(['runs', 'list', '--json', '--status', 'done'])).stdout) as { runs: { id: string }[] };
      const ended = await cli(['runs', 'cancel', runs[0].id]);
      assert.equal(ended.code, 1);
      assert.match(ended.stderr, /has already ended \(done\)/);
      const missing = await cli(['runs', 'cancel', 'run_nope']);
      assert.equal(missing.code, 1);
      assert.match(missing.stderr, /no run run_nope/);
    });

    it('timeline --since prints only the items after that seq and reports the head', async () => {
      const all = JSON.parse((await cli(['timeline', '--json', '--limit', '1000'])).stdout) as { items: { seq: number; kind: string }[]; head: number };
      assert.ok(all.items.length >= 10);
      const cut = all.items[all.items.length - 3].seq;
      const r = await cli(['timeline', '--json', '--since', String(cut - 1)]);
      const since = JSON.parse(r.stdout) as { items: { seq: number }[]; head: number };
      assert.deepEqual(since.items.map((i) => i.seq), all.items.slice(-3).map((i) => i.seq));
      assert.equal(since.head, all.head);
      const text = await cli(['timeline', '--since', String(all.head)]);
      assert.equal(text.code, 0);
      assert.equal(text.stdout, '');
      assert.match(text.stderr, new RegExp(`head ${all.head}`));
      const human = await cli(['timeline']);
      assert.match(human.stdout, /you: hi there\n.*assistant: Hello from the command line\./);
    });

    it('doctor exits 0 when the providers answer and 1 on a hard failure', async () => {
      const ok = await cli(['doctor']);
      assert.equal(ok.code, 0, ok.stdout + ok.stderr);
      assert.match(ok.stdout, /ok\s+connection: core started in this process/);
      assert.match(ok.stdout, /ok\s+fts5/);
      assert.match(ok.stdout, /(ok {2}|warn)\s+ui: (built in|not built: run npm run build:renderer)/);
      const noKey = await cli(['doctor', '--json', '--no-probe'], {});
      assert.equal(noKey.code, 1);
      const report = JSON.parse(noKey.stdout) as { ok: boolean; checks: { name: string; status: string; detail: string }[] };
      assert.equal(report.ok, false);
      assert.ok(report.checks.some((c) => c.status === 'fail' && /ANTHROPIC_API_KEY/.test(c.detail)));
    });

    it('usage errors exit 2 with a readable message', async () => {
      const unknownFlag = await cli(['runs', 'list', '--colour']);
      assert.equal(unknownFlag.code, 2);
      assert.match(unknownFlag.stderr, /Unknown option '--colour'/);
      const badNumber = await cli(['timeline', '--since', 'yesterday']);
      assert.equal(badNumber.code, 2);
      assert.match(badNumber.stderr, /--since needs a whole number/);
      assert.equal((await cli(['runs', 'cancel'])).code, 2);
      assert.equal((await cli(['chat'])).code, 2);
      assert.equal((await cli(['frobnicate'])).code, 2);
      const help = await cli(['runs', 'cancel', '--help']);
      assert.equal(help.code, 0);
      assert.match(help.stdout, /Usage: agent-blob runs cancel ID/);
    });
  });

  describe('with a host running on the data folder', () => {
    const dir = tempDir();
    let host: Host;
    before(async () => {
      host = await startHost({ dataDir: dir.path, rendererDir: null, env: envFor(), secrets: createMemorySecretStore(), logger: silentLogger });
    });
    after(async () => {
      await host.close();
      dir.cleanup();
    });
    const cli = (args: string[], interrupt?: AbortController) => runCli([...args, '--data-dir', dir.path], {}, interrupt);

    it('connects to the running host through the lock instead of failing, and chats through it', async () => {
      anthropic.script({ kind: 'stream', chunks: chunk('Answered by the host.', 5), delayMs: 1 });
      const r = await cli(['chat', 'through the host']);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, 'Answered by the host.\n');
      const doctor = await cli(['doctor', '--no-probe']);
      assert.equal(doctor.code, 0, doctor.stdout);
      assert.match(doctor.stdout, new RegExp(`connection: the running app \\(host, pid ${process.pid}\\) at http://127\\.0\\.0\\.1:${host.port}/`));
      assert.ok(existsSync(dataPaths(dir.path).lock), 'the host still holds the folder');
    });

    it('runs cancel stops a run the host is streaming, and runs list and timeline see it', async () => {
      anthropic.script({ kind: 'stream', chunks: chunk('w'.repeat(600), 2), delayMs: 10 });
      const { runId } = await host.core.gateway.call('chat.send', { text: 'slow one' });
      await waitFor(() => host.core.runs.get(runId).status === 'running', 'running');
      const before = host.core.log.head();
      const r = await cli(['runs', 'cancel', runId, '--json']);
      assert.equal(r.code, 0, r.stderr);
      assert.equal((JSON.parse(r.stdout) as { status: string }).status, 'cancelled');
      const list = JSON.parse((await cli(['runs', 'list', '--json'])).stdout) as { runs: { id: string; status: string }[] };
      assert.equal(list.runs[0].id, runId);
      assert.equal(list.runs[0].status, 'cancelled');
      const timeline = JSON.parse((await cli(['timeline', '--json', '--since', String(before)])).stdout) as { items: { kind: string; status?: string }[] };
      assert.ok(timeline.items.some((i) => i.kind === 'run_status' && i.status === 'cancelled'));
    });

    it('a chat nobody can answer at the terminal says how to answer, and an answer from another command lets it go on', async () => {
      anthropic.script(
        { kind: 'stream', toolCalls: [{ id: 'toolu_3', name: 'write_text', arguments: { path: 'from-host.txt', text: 'hi' } }] },
        { kind: 'stream', chunks: ['Written.'] },
      );
      const pending = cli(['chat', 'write through the host']);
      const hint = await waitFor(() => /answer with: agent-blob permissions answer (\S+) allow\|deny/.exec(pending.errors()), 'the hint');
      const answer = await cli(['permissions', 'answer', hint[1], 'allow']);
      assert.equal(answer.code, 0, answer.stderr);
      const r = await pending;
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, 'Written.\n');
      assert.equal(readFileSync(join(dir.path, 'workspace', 'from-host.txt'), 'utf8'), 'hi');
    });

    it('Ctrl-C in a chat against the host cancels the run on the host', async () => {
      anthropic.script({ kind: 'stream', chunks: chunk('q'.repeat(600), 2), delayMs: 10 });
      const interrupt = new AbortController();
      const pending = cli(['chat', 'interrupt me'], interrupt);
      await waitFor(() => pending.output().length > 0, 'first streamed text');
      interrupt.abort();
      const r = await pending;
      assert.equal(r.code, 130, r.stderr);
      const [latest] = host.core.runs.list(1);
      assert.equal(latest.title, 'interrupt me');
      assert.equal(latest.status, 'cancelled');
    });
  });
});

describe('the command registry', () => {
  it('lists every command of a group, even when several files add to it, and help exits 0', async () => {
    const { COMMAND_GROUPS } = await import('../../../core/host/cli/commands/index.js');
    const runsCommands = COMMAND_GROUPS.filter((g) => g.name === 'runs').flatMap((g) => g.commands.map((c) => c.name));
    const r = await runCli(['runs', '--help'], {});
    assert.equal(r.code, 0);
    for (const name of runsCommands) assert.match(r.stdout, new RegExp(`agent-blob ${name}\\b`));
    const all = await runCli(['--help'], {});
    assert.equal(all.code, 0);
    for (const group of COMMAND_GROUPS) for (const c of group.commands) assert.ok(all.stdout.includes(`  ${c.name}`), c.name);
    const names = COMMAND_GROUPS.flatMap((g) => g.commands.map((c) => c.name));
    assert.equal(new Set(names).size, names.length, 'no two commands share a name');
  });
});
