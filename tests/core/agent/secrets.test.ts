import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { AnthropicLoopback, startTestCore, tempDir, lastChatRequest } from '../../support/index.js';
import { chat, workspace } from './helpers.js';

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(join(dir, e.name)) : [join(dir, e.name)]));
}

/** Every file of the data folder except the secret store itself and the workspace the tools wrote. */
function searchable(dataDir: string): string[] {
  return filesUnder(dataDir).filter((f) => f !== join(dataDir, 'secrets.json') && !f.startsWith(join(dataDir, 'workspace')));
}

describe('secrets stay out of the data folder', () => {
  let anthropic: AnthropicLoopback;
  before(async () => {
    anthropic = await AnthropicLoopback.start();
  });
  after(() => anthropic.close());

  it('a key placed in settings never appears in the database file, the logs or an exported transcript (byte search)', async () => {
    const key = `sk-ant-api03-${'Zx9q'.repeat(22)}-AbCdEf`;
    const dir = tempDir();
    // The real file secret store and the real file logger, as the headless host uses them, with
    // files small enough that the logs of this one test rotate several times.
    const t = await startTestCore({ dataDir: dir.path, secrets: undefined, logger: undefined, logRotation: { maxBytes: 1500, keep: 50 }, env: { ANTHROPIC_BASE_URL: anthropic.url, PATH: process.env.PATH } });
    let exported = '';
    try {
      await t.client.call('settings.update', { anthropicApiKey: key });
      const root = workspace(t, { 'leak.txt': `the key is ${key} keep it safe` });
      await t.client.call('permissions.rules.add', { effect: 'allow', capability: 'fs.write', pattern: `${root}/**` });
      await t.client.call('permissions.rules.add', { effect: 'allow', capability: 'shell.exec', pattern: 'env' });
      writeFileSync(join(root, 'x'), '');
      anthropic.script(
        { kind: 'stream', toolCalls: [{ name: 'read_text', arguments: { path: 'leak.txt' } }, { name: 'write_text', arguments: { path: 'copy.txt', text: key } }, { name: 'run_command', arguments: { command: 'env' } }] },
        // The model repeats the key, split across stream chunks.
        { kind: 'stream', chunks: ['I found ', key.slice(0, 20), key.slice(20, 70), key.slice(70), ' in the file.'] },
        { kind: 'error', status: 400, type: 'invalid_request_error', message: `bad key ${key}` },
      );
      const first = await chat(t, 'what is in leak.txt?');
      assert.equal(first.run.status, 'done', first.run.error ?? '');
      const second = await chat(t, 'again');
      assert.equal(second.run.status, 'failed');
      const auth = lastChatRequest(anthropic).headers;
      assert.ok(String(auth['x-api-key'] ?? auth.authorization).includes(key), 'the key was used to call the provider');

      const shown = t.events.find((e) => e.type === 'message.completed' && e.runId === first.run.id && e.data.text.includes('I found'));
      assert.ok(shown && shown.type === 'message.completed' && shown.data.text.includes('[redacted]'));
      exported = (await t.client.call('runs.exportHtml', {})).html + (await t.client.call('runs.exportHtml', { runId: first.run.id })).html;
      assert.ok(exported.includes('[redacted]'));
      t.core.logger.log('error', `a careless log line with ${key}`);
      // While the app runs, fresh writes sit in the WAL, not yet in the database file.
      const live = searchable(dir.path);
      assert.ok(live.some((f) => f.endsWith('-wal') && statSync(f).size > 0), `a non-empty WAL is among ${live.join(', ')}`);
      for (const file of live) assert.equal(readFileSync(file).indexOf(Buffer.from(key.slice(20, 60))), -1, `part of the key found in ${file} while running`);
      // The text around the key did reach these files, so the search looked where the key would be.
      assert.ok(live.some((f) => readFileSync(f).includes('[redacted] keep it safe')), 'the redacted tool output is on disk');
    } finally {
      await t.close({ keepData: true });
    }
    try {
      const needle = Buffer.from(key);
      const middle = Buffer.from(key.slice(20, 60));
      const secretsFile = join(dir.path, 'secrets.json');
      const searched = searchable(dir.path);
      assert.ok(searched.some((f) => f.endsWith('.db') || f.endsWith('.sqlite')), `the database is among ${searched.join(', ')}`);
      assert.ok(searched.some((f) => f.includes('logs')), 'the logs are among the files searched');
      assert.ok(searched.filter((f) => /agent-blob\.\d+\.log$/.test(f)).length >= 2, `rotated logs are among ${searched.join(', ')}`);
      for (const file of searched) {
        const bytes = readFileSync(file);
        assert.equal(bytes.indexOf(needle), -1, `key found in ${file}`);
        assert.equal(bytes.indexOf(middle), -1, `part of the key found in ${file}`);
      }
      assert.ok(!exported.includes(key) && !exported.includes(key.slice(20, 60)));
      assert.ok(readFileSync(secretsFile, 'utf8').includes(key), 'the key lives in the secret store');
      assert.equal(statSync(secretsFile).mode & 0o777, 0o600);
    } finally {
      dir.cleanup();
    }
  });
});
