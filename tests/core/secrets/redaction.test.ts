import assert from 'node:assert/strict';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createFileSecretStore, createRedactor, redactDeep } from '../../../core/secrets/index.js';
import { AnthropicLoopback, startTestCore, tempDir, waitFor } from '../../support/index.js';
import { runCli } from '../host/cli-support.js';

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(join(dir, e.name)) : [join(dir, e.name)]));
}

describe('redaction against the configured keys', () => {
  it('masks a configured key of any shape in every string of a nested value, longest key first', () => {
    const redact = createRedactor(() => ['plain-looking-passphrase', 'plain-looking', 'short', null, undefined]);
    const value = { a: 'x plain-looking-passphrase y', b: ['plain-looking', { c: 'sk-ant-abcdefgh1234' }], n: 3, t: true, z: null, s: 'short stays' };
    assert.deepEqual(redactDeep(value, redact), { a: 'x [redacted] y', b: ['[redacted]', { c: '[redacted]' }], n: 3, t: true, z: null, s: 'short stays' });
    const untouched = { a: 'nothing here', b: [1, 2] };
    assert.equal(redactDeep(untouched, redact), untouched, 'an unchanged value is returned as is');
  });
});

/**
 * Two configured keys: one shaped like an Anthropic key, one that looks like any other word. Each
 * reaches the app by the roads the audit found: a URL the model fetches (the permission reason
 * repeats it), `permissions.test`, a chat message and a memory a person pastes, a file the model
 * reads, a log line. Then a byte search of the data folder (database, WAL, logs), a backup and the
 * exports finds neither.
 */
describe('a configured key is found nowhere on disk, whichever road it took', () => {
  const SHAPED = `sk-ant-api03-${'Qw7e'.repeat(16)}-zZ`;
  const PLAIN = 'correct-horse-battery-staple-4417';
  const dir = tempDir('ab-redact-');
  const out = tempDir('ab-redact-out-');
  let anthropic: AnthropicLoopback;
  before(async () => {
    anthropic = await AnthropicLoopback.start();
  });
  after(async () => {
    await anthropic.close();
    dir.cleanup();
    out.cleanup();
  });

  it('events, WAL, database, logs, a backup, the memory export and the transcript export hold neither key', async () => {
    const secrets = createFileSecretStore(join(dir.path, 'secrets.json'));
    secrets.set('integration.token', PLAIN);
    const t = await startTestCore({
      dataDir: dir.path,
      secrets,
      logger: undefined,
      resolveHost: async () => ['93.184.216.34'],
      env: { ANTHROPIC_BASE_URL: anthropic.url, PATH: process.env.PATH },
    });
    const texts: string[] = [];
    try {
      await t.client.call('settings.update', { anthropicApiKey: SHAPED });
      const root = join(dir.path, 'workspace');
      writeFileSync(join(root, 'notes.txt'), `token ${PLAIN} and key ${SHAPED}`);

      // A URL with the keys: the gate asks, and its reason repeats the URL.
      const url = `https://example.com/api?key=${SHAPED}&token=${PLAIN}`;
      const tested = await t.client.call('permissions.test', { capability: 'net.http', resource: url });
      texts.push(JSON.stringify(tested));
      anthropic.script(
        { kind: 'stream', toolCalls: [{ name: 'read_text', arguments: { path: 'notes.txt' } }, { name: 'http_get', arguments: { url } }] },
        { kind: 'stream', chunks: ['Your token is ', PLAIN.slice(0, 10), PLAIN.slice(10), ' as asked.'] },
      );
      const sent = await t.client.call('chat.send', { text: `fetch it; my token is ${PLAIN} and my key ${SHAPED}` });
      assert.match(sent.notice ?? '', /stored as \[redacted\]/);
      const request = await waitFor(async () => (await t.client.call('permissions.pending', {})).requests[0], 60_000, 'the http_get request');
      texts.push(JSON.stringify(request));
      await t.client.call('permissions.answer', { requestId: request.requestId, decision: 'deny', always: false });
      await t.core.idle();
      assert.equal((await t.client.call('runs.get', { runId: sent.runId })).status, 'done');

      const added = await t.client.call('memory.add', { area: 'main', text: `the staging token is ${PLAIN}` });
      assert.match(added.notice ?? '', /stored as \[redacted\]/);
      assert.equal(added.memory.text, 'the staging token is [redacted]');
      const plainAdd = await t.client.call('memory.add', { area: 'main', text: 'a memory without keys' });
      assert.equal(plainAdd.notice, undefined);
      t.core.logger.log('warn', `a careless line with ${SHAPED} and ${PLAIN}`);

      // What the model was sent: the file it read, masked; the message it answers, masked.
      const toModel = JSON.stringify(anthropic.requests.map((r) => r.body));
      assert.ok(toModel.includes('token [redacted] and key [redacted]'), 'the file the model read reached it masked');
      // Everything the model was handed (user messages, tool results); its own tool calls it wrote itself.
      const handed = anthropic.requests.flatMap((r) => (r.body as { messages: { role: string; content: unknown }[] }).messages.filter((m) => m.role === 'user'));
      texts.push(JSON.stringify(handed));
      texts.push(JSON.stringify(t.core.log.since(0, 100_000)));
      const wal = filesUnder(dir.path).find((f) => f.endsWith('-wal'));
      assert.ok(wal && readFileSync(wal).length > 0, 'the WAL holds the recent writes');

      const backup = join(out.path, 'backup.sqlite');
      await t.client.call('system.backup', { path: backup });
      texts.push((await t.client.call('memory.export', {})).jsonl);
      texts.push((await t.client.call('runs.exportHtml', {})).html);
      const onDisk = [...filesUnder(dir.path).filter((f) => !f.endsWith('secrets.json') && !f.startsWith(root)), backup];
      assert.ok(onDisk.some((f) => f.includes('logs')), 'the log is searched');
      for (const [name, key] of [['key-shaped', SHAPED], ['plain-looking', PLAIN]] as const) {
        for (const needle of [key, key.slice(4, 24)]) {
          for (const file of onDisk) assert.equal(readFileSync(file).indexOf(Buffer.from(needle)), -1, `the ${name} key is in ${file}`);
          texts.forEach((text, i) => assert.equal(text.includes(needle), false, `the ${name} key is in text ${i}`));
        }
      }
      // The masked text did reach those places: the search looked where the keys would be.
      assert.ok(onDisk.some((f) => readFileSync(f).includes('my token is [redacted] and my key [redacted]')));
    } finally {
      await t.close({ keepData: true });
    }
    const cli = await runCli(['memory', 'add', `remember ${PLAIN}`, '--data-dir', dir.path], { ANTHROPIC_API_KEY: 'sk-ant-test-key-000000' });
    assert.equal(cli.code, 0, cli.stderr);
    assert.match(cli.stderr, /note: a key or token in your text was stored as \[redacted\]/);
  });
});
