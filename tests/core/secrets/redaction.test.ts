import assert from 'node:assert/strict';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createFileSecretStore, createRedactor, redactDeep } from '../../../core/secrets/index.js';
import { AnthropicLoopback, startTestCore, tempDir, useLoopbackProviders } from '../../support/index.js';
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

  it('reads the configured keys once per value, and a key added afterwards is masked in the next value', () => {
    const keys: string[] = ['first-secret-value'];
    let reads = 0;
    const redact = createRedactor(() => (reads++, keys));
    const value = { a: 'x first-secret-value', b: ['y', 'first-secret-value z', { c: 'w' }], d: '' };
    assert.deepEqual(redactDeep(value, redact), { a: 'x [redacted]', b: ['y', '[redacted] z', { c: 'w' }], d: '' });
    assert.equal(reads, 1, 'four strings, one reading of the keys');
    keys.push('second-secret-value');
    assert.deepEqual(redactDeep({ a: 'second-secret-value and first-secret-value' }, redact), { a: '[redacted] and [redacted]' });
    assert.equal(redact('second-secret-value'), '[redacted]', 'a single text reads the keys as they are now');
    const before = reads;
    redactDeep({ a: '', b: [''], n: 1 }, redact);
    assert.equal(reads, before, 'a value without text reads no key');
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
      await t.core.idle();
      // A URL carrying a key is denied outright (it would send the key out); the audit holds it masked.
      const refused = (await t.client.call('permissions.audit', { capability: 'net.http', limit: 10 })).entries.find((e) => e.tool === 'http_get');
      assert.equal(refused?.decision, 'deny');
      assert.equal(refused?.decidedBy, 'safety');
      assert.match(refused?.resource ?? '', /key=\[redacted\]&token=\[redacted\]/);
      texts.push(JSON.stringify(refused));
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

/**
 * Both shapes of provider key stored in Settings: an Anthropic key (`sk-ant-…`) and an
 * OpenAI-compatible one (`sk-…`, the shape OpenAI, OpenRouter and local servers use), each used for
 * real by its SDK against a loopback server. The model reads a file holding both, repeats them,
 * fetches a URL carrying them and fails with one in its error; a person pastes them into chat and
 * memory. Then every byte of the data folder (database, WAL, shared memory, logs, caches), a backup
 * and the exports is searched for either key, whole or in part.
 */
describe('an Anthropic key and an OpenAI-compatible key stored in Settings are found nowhere on disk', () => {
  const ANTHROPIC = `sk-ant-api03-${'Hn4v'.repeat(20)}-Qa1AA`;
  const OPENAI = `sk-${'Pc8rT2mW'.repeat(6)}`;
  const servers = useLoopbackProviders();
  const dir = tempDir('ab-keys-');
  const out = tempDir('ab-keys-out-');
  after(() => {
    dir.cleanup();
    out.cleanup();
  });

  it('events, WAL, database, logs, a backup, the memory export and the transcript export hold neither key', async () => {
    // The real file secret store and file logger, as the headless host uses them; no key in the environment.
    const t = await startTestCore({
      dataDir: dir.path,
      secrets: undefined,
      logger: undefined,
      logRotation: { maxBytes: 4000, keep: 50 },
      resolveHost: async () => ['93.184.216.34'],
      env: servers.env({ ANTHROPIC_API_KEY: undefined, OPENAI_API_KEY: undefined, PATH: process.env.PATH }),
    });
    const texts: string[] = [];
    try {
      await t.client.call('settings.update', { anthropicApiKey: ANTHROPIC, openaiApiKey: OPENAI });
      const settings = await t.client.call('settings.get', {});
      assert.equal(settings.providers.openai.apiKeySource, 'settings');
      assert.equal(settings.providers.anthropic.apiKeySource, 'settings');
      texts.push(JSON.stringify(settings));
      const root = join(dir.path, 'workspace');
      writeFileSync(join(root, 'keys.txt'), `anthropic ${ANTHROPIC}\nopenai ${OPENAI}\n`);
      await t.client.call('permissions.rules.add', { effect: 'allow', capability: 'fs.write', pattern: `${root}/**` });
      const url = `https://example.com/v1?a=${ANTHROPIC}&o=${OPENAI}`;
      texts.push(JSON.stringify(await t.client.call('permissions.test', { capability: 'net.http', resource: url })));

      // An OpenAI turn: it reads the file, copies it, asks to fetch the URL, then repeats the keys split across chunks.
      servers.openai.requireKey = OPENAI;
      servers.openai.script(
        { kind: 'stream', toolCalls: [{ name: 'read_text', arguments: { path: 'keys.txt' } }, { name: 'write_text', arguments: { path: 'copy.txt', text: `${ANTHROPIC} ${OPENAI}` } }, { name: 'http_get', arguments: { url } }] },
        { kind: 'stream', chunks: ['Found ', OPENAI.slice(0, 9), OPENAI.slice(9), ' and ', ANTHROPIC.slice(0, 30), ANTHROPIC.slice(30), '.'] },
      );
      const sent = await t.client.call('chat.send', { text: `read keys.txt; mine are ${OPENAI} and ${ANTHROPIC}`, model: 'openai:loopback-chat' });
      assert.match(sent.notice ?? '', /stored as \[redacted\]/);
      await t.core.idle();
      // A URL carrying a key is denied outright (it would send the key out); the audit holds it masked.
      const refused = (await t.client.call('permissions.audit', { capability: 'net.http', limit: 10 })).entries.find((e) => e.tool === 'http_get');
      assert.equal(refused?.decision, 'deny');
      assert.equal(refused?.decidedBy, 'safety');
      texts.push(JSON.stringify(refused));
      const openaiRun = await t.client.call('runs.get', { runId: sent.runId });
      assert.equal(openaiRun.status, 'done', openaiRun.error ?? '');
      assert.ok(servers.openai.requests.some((r) => r.headers.authorization === `Bearer ${OPENAI}`), 'the OpenAI key was used');

      // An Anthropic turn that fails with the key in the provider's error.
      servers.anthropic.script({ kind: 'error', status: 400, type: 'invalid_request_error', message: `bad keys ${ANTHROPIC} ${OPENAI}` });
      const failed = await t.client.call('chat.send', { text: 'again', model: 'anthropic:claude-sonnet-5-5' });
      await t.core.idle();
      assert.equal((await t.client.call('runs.get', { runId: failed.runId })).status, 'failed');
      assert.ok(servers.anthropic.requests.some((r) => String(r.headers['x-api-key'] ?? r.headers.authorization).includes(ANTHROPIC)), 'the Anthropic key was used');

      const memory = await t.client.call('memory.add', { area: 'main', text: `keys: ${OPENAI} / ${ANTHROPIC}` });
      assert.equal(memory.memory.text, 'keys: [redacted] / [redacted]');
      t.core.logger.log('error', `a careless line with ${ANTHROPIC} and ${OPENAI}`);
      texts.push(JSON.stringify(t.core.log.since(0, 100_000)));
      texts.push(JSON.stringify(await t.client.call('timeline.list', {})));
      texts.push(JSON.stringify(await t.client.call('system.doctor', { probeProviders: true })));
      const wal = filesUnder(dir.path).find((f) => f.endsWith('-wal'));
      assert.ok(wal && readFileSync(wal).length > 0, 'the WAL holds the recent writes');

      const backup = join(out.path, 'backup.sqlite');
      await t.client.call('system.backup', { path: backup });
      texts.push((await t.client.call('memory.export', {})).jsonl);
      texts.push((await t.client.call('runs.exportHtml', {})).html);
      texts.push((await t.client.call('runs.exportHtml', { runId: sent.runId })).html);
      const search = (when: string) => {
        const onDisk = [...filesUnder(dir.path).filter((f) => f !== join(dir.path, 'secrets.json') && !f.startsWith(root)), backup];
        assert.ok(onDisk.some((f) => f.endsWith('-wal')) || when === 'after close', 'the WAL is searched');
        assert.ok(onDisk.some((f) => f.includes('logs')), 'the logs are searched');
        for (const [name, key] of [['Anthropic', ANTHROPIC], ['OpenAI-compatible', OPENAI]] as const) {
          for (const needle of [key, key.slice(3, 23), key.slice(-20)]) {
            for (const file of onDisk) assert.equal(readFileSync(file).indexOf(Buffer.from(needle)), -1, `${when}: the ${name} key is in ${file}`);
            texts.forEach((text, i) => assert.equal(text.includes(needle), false, `${when}: the ${name} key is in text ${i}`));
          }
        }
        // The masked text reached those files: the search looked where the keys would be.
        assert.ok(onDisk.some((f) => readFileSync(f).includes('mine are [redacted] and [redacted]')), `${when}: the masked chat message is on disk`);
      };
      search('while running');
    } finally {
      await t.close({ keepData: true });
    }
    const afterClose = [...filesUnder(dir.path).filter((f) => f !== join(dir.path, 'secrets.json') && !f.startsWith(join(dir.path, 'workspace')))];
    for (const key of [ANTHROPIC, OPENAI]) for (const file of afterClose) assert.equal(readFileSync(file).indexOf(Buffer.from(key.slice(3, 23))), -1, `after close: a key is in ${file}`);
    const store = readFileSync(join(dir.path, 'secrets.json'), 'utf8');
    assert.ok(store.includes(ANTHROPIC) && store.includes(OPENAI), 'both keys live in the secret store (0600), and only there');
  });
});
