import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdirSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  BUILTIN_TOOLS,
  HTTP_MAX_BYTES,
  COMMAND_OUTPUT_CAP,
  HTTP_TIMEOUT_MS,
  currentTimeTool,
  httpGetTool,
  listDirTool,
  notifyTool,
  normalizeToolError,
  readTextTool,
  runCommandTool,
  scrubbedEnv,
  searchFilesTool,
  toolJsonSchema,
  writeTextTool,
  type ToolContext,
} from '../../../core/tools/index.js';
import { formatNetApproval } from '../../../core/permissions/index.js';
import { ManualClock } from '../../../core/util/clock.js';
import { tempDir } from '../../support/index.js';

describe('built-in tools', () => {
  const dir = tempDir();
  const root = join(dir.path, 'root');
  const outside = join(dir.path, 'outside');
  let server: Server;
  let base = '';
  before(async () => {
    mkdirSync(join(root, 'sub'), { recursive: true });
    mkdirSync(outside, { recursive: true });
    writeFileSync(join(root, 'a.md'), 'hello world\nsecond line');
    writeFileSync(join(root, 'sub', 'b.md'), 'another hello');
    writeFileSync(join(root, 'sub', 'c.txt'), 'hello but not markdown');
    writeFileSync(join(outside, 'private.txt'), 'private');
    symlinkSync(outside, join(root, 'escape'));
    server = createServer((req, res) => {
      if (req.url === '/page') {
        res.writeHead(200, { 'content-type': 'text/html' });
        res.end('<html><head><script>var x=1</script></head><body><h1>Title</h1><p>Some <b>bold</b> text.</p><img src="x.png"></body></html>');
      } else if (req.url === '/huge') {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end('x'.repeat(HTTP_MAX_BYTES + 1000));
      } else if (req.url === '/moved') {
        res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' });
        res.end();
      } else if (req.url === '/slow') {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.write('start');
      } else {
        res.writeHead(404);
        res.end('nope');
      }
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
    dir.cleanup();
  });

  const ctx = (signal = new AbortController().signal, clock = new ManualClock()): ToolContext => ({
    runId: 'run_1',
    signal,
    clock,
    roots: [root],
    env: scrubbedEnv({ PATH: process.env.PATH, HOME: '/tmp', ANTHROPIC_API_KEY: 'sk-ant-secret-value-123', GITHUB_TOKEN: 'ghp_x', MY_PASSWORD: 'p' }),
    notifier: null,
    timeZone: 'UTC',
  });
  // What the gate hands http_get for the loopback server when a rule names 127.0.0.1.
  const approvedCtx = (url: string, signal?: AbortSignal, clock?: ManualClock): ToolContext => ({
    ...ctx(signal, clock),
    approved: formatNetApproval({ href: new URL(url).href, addresses: ['127.0.0.1'], privateAllowed: true }),
  });
  const fails = async (p: Promise<unknown>, code: string) => {
    try {
      await p;
    } catch (err) {
      assert.equal(normalizeToolError(err).code, code, String(err));
      return normalizeToolError(err).message;
    }
    assert.fail(`expected a ${code} error`);
  };

  it('every tool declares a capability, and its arguments export to an object JSON schema', () => {
    for (const tool of BUILTIN_TOOLS) {
      const schema = toolJsonSchema(tool);
      assert.equal(schema.type, 'object', tool.name);
      assert.ok(tool.capability !== undefined);
    }
    assert.deepEqual(
      BUILTIN_TOOLS.map((t) => [t.name, t.capability]),
      [['read_text', 'fs.read'], ['write_text', 'fs.write'], ['list_dir', 'fs.read'], ['search_files', 'fs.read'], ['http_get', 'net.http'], ['run_command', 'shell.exec'], ['notify', 'notify'], ['current_time', null]],
    );
    assert.equal(readTextTool.resource({ path: 'a.md' }, ctx()), join(root, 'a.md'));
  });

  it('file tools refuse paths outside the allowed roots, including through a symlink', async () => {
    await fails(readTextTool.run({ path: join(outside, 'private.txt') }, ctx()), 'denied');
    await fails(readTextTool.run({ path: 'escape/private.txt' }, ctx()), 'denied');
    await fails(readTextTool.run({ path: '../outside/private.txt' }, ctx()), 'denied');
    await fails(writeTextTool.run({ path: 'escape/new.txt', text: 'x' }, ctx()), 'denied');
    await fails(readTextTool.run({ path: 'missing.txt' }, ctx()), 'not_found');
  });

  it('write_text replaces a file atomically and leaves no temp file behind', async () => {
    await writeTextTool.run({ path: 'out/new.txt', text: 'first' }, ctx());
    await writeTextTool.run({ path: 'out/new.txt', text: 'second' }, ctx());
    assert.equal(readFileSync(join(root, 'out', 'new.txt'), 'utf8'), 'second');
    assert.deepEqual(readdirSync(join(root, 'out')), ['new.txt']);
  });

  it('list_dir and search_files list and find, with globs', async () => {
    assert.equal((await listDirTool.run({ path: '.' }, ctx())).text, 'a.md\nescape\nout/\nsub/');
    const found = await searchFilesTool.run({ path: '.', query: 'HELLO', glob: '**/*.md' }, ctx());
    assert.equal(found.text, 'a.md:1: hello world\nsub/b.md:1: another hello');
  });

  it('run_command runs in an allowed folder with a scrubbed environment and caps its output', async () => {
    const env = await runCommandTool.run({ command: 'env' }, ctx());
    assert.match(env.text, /^exit 0/);
    assert.ok(env.text.includes('HOME=/tmp'));
    assert.ok(!/ANTHROPIC_API_KEY|GITHUB_TOKEN|MY_PASSWORD|sk-ant-secret/.test(env.text));
    const pwd = await runCommandTool.run({ command: 'pwd', cwd: 'sub' }, ctx());
    assert.ok(pwd.text.includes(join(root, 'sub')));
    await fails(runCommandTool.run({ command: 'pwd', cwd: outside }, ctx()), 'denied');
    const big = await runCommandTool.run({ command: 'yes | head -c 200000' }, ctx());
    assert.ok(big.text.length < COMMAND_OUTPUT_CAP + 200);
    assert.match(big.text, /output truncated/);
    const failing = await runCommandTool.run({ command: 'exit 3' }, ctx());
    assert.match(failing.text, /^exit 3/);
  });

  it('run_command kills a command that passes its timeout', async () => {
    const started = Date.now();
    const message = await fails(runCommandTool.run({ command: 'sleep 20', timeoutMs: 200 }, ctx()), 'timeout');
    assert.match(message!, /200 ms/);
    assert.ok(Date.now() - started < 3000);
  });

  it('http_get turns HTML into text, enforces its size cap and does not follow redirects', async () => {
    const page = await httpGetTool.run({ url: `${base}/page` }, approvedCtx(`${base}/page`));
    assert.match(page.text, /TITLE/i);
    assert.ok(page.text.includes('Some bold text.'));
    assert.ok(!page.text.includes('<p>') && !page.text.includes('var x'));
    const huge = await httpGetTool.run({ url: `${base}/huge` }, approvedCtx(`${base}/huge`));
    assert.match(huge.text, /\[truncated\]/);
    await fails(httpGetTool.run({ url: `${base}/missing` }, approvedCtx(`${base}/missing`)), 'failed');
    // A redirect is reported, not followed, so its target passes the permission gate on its own.
    const moved = await httpGetTool.run({ url: `${base}/moved` }, approvedCtx(`${base}/moved`));
    assert.match(moved.text, /redirected to http:\/\/169\.254\.169\.254\/latest\/meta-data\//);
  });

  it('http_get gives up with a timeout when a reply stalls past its time cap on the clock', async () => {
    const clock = new ManualClock();
    const pending = httpGetTool.run({ url: `${base}/slow` }, approvedCtx(`${base}/slow`, new AbortController().signal, clock));
    await new Promise((r) => setTimeout(r, 50));
    clock.advance(HTTP_TIMEOUT_MS - 1);
    await new Promise((r) => setTimeout(r, 20));
    let settled = false;
    void pending.then(() => (settled = true), () => (settled = true));
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(settled, false, 'still waiting just before the cap');
    clock.advance(1);
    const late = new Promise((_, reject) => setTimeout(() => reject(new Error('still waiting 2 s after the cap')), 2000).unref());
    const message = await fails(Promise.race([pending, late]), 'timeout');
    assert.match(message!, /within 20 s/);
  });

  it('notify reaches the client that shows notifications, and current_time reads the injected clock in the user\'s zone', async () => {
    const shown: { title: string; body: string; runId: string }[] = [];
    const withNotifier: ToolContext = { ...ctx(), notifier: { notify: (n) => void shown.push(n) } };
    const result = await notifyTool.run({ title: 'Done', body: 'the report is ready' }, withNotifier);
    assert.equal(result.text, 'notification shown');
    assert.deepEqual(shown, [{ title: 'Done', body: 'the report is ready', runId: 'run_1' }]);
    await fails(notifyTool.run({ title: 'Done', body: '' }, ctx()), 'unavailable');

    const clock = new ManualClock(Date.UTC(2026, 2, 29, 1, 30));
    const time = await currentTimeTool.run({}, { ...ctx(new AbortController().signal, clock), timeZone: 'Europe/Paris' });
    assert.match(time.text, /Sunday,? 29 March 2026 at 03:30:00 CEST \(Europe\/Paris\); UTC 2026-03-29T01:30:00\.000Z/);
    assert.deepEqual(time.data, { epochMs: clock.now() });
  });

  it('http_get stops at once when the run is cancelled', async () => {
    const controller = new AbortController();
    const pending = httpGetTool.run({ url: `${base}/slow` }, approvedCtx(`${base}/slow`, controller.signal));
    setTimeout(() => controller.abort(), 50);
    await fails(pending, 'cancelled');
  });
});
