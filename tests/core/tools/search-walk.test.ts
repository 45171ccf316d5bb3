import assert from 'node:assert/strict';
import { linkSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createFileSecretStore } from '../../../core/secrets/index.js';
import { AnthropicLoopback, startTestCore, tempDir, lastChatRequest, type TestCore } from '../../support/index.js';

/**
 * The home folder is allowed and the app's data folder lies inside it (`~/.config/Agent Blob`): a
 * search the model starts there must not read the key store, the lock with the host token, files with
 * other hard links, or what a deny rule covers, though the search of the folder itself is allowed.
 */
describe('search_files inside an allowed folder that holds the data folder', () => {
  const KEY = 'sk-ant-api03-searchwalk-0123456789abcdefXYZ';
  const TOKEN = 'host-token-searchwalk-4f9c2a7d1e';
  const base = tempDir('ab-search-walk-');
  const home = join(base.path, 'home');
  const data = join(home, '.config', 'Agent Blob');
  const outside = join(base.path, 'outside');
  let anthropic: AnthropicLoopback;
  let t: TestCore;
  before(async () => {
    for (const dir of [join(home, 'notes'), join(home, 'private'), outside]) mkdirSync(dir, { recursive: true });
    writeFileSync(join(home, 'notes', 'a.md'), 'needle in notes\napiKey endpoint token\n');
    writeFileSync(join(home, 'private', 'p.md'), 'needle private\n');
    writeFileSync(join(outside, 'secret.txt'), 'needle hardlinked\n');
    linkSync(join(outside, 'secret.txt'), join(home, 'hard.md'));
    anthropic = await AnthropicLoopback.start();
    t = await startTestCore({ dataDir: data, allowedRoots: [home], secrets: createFileSecretStore(join(data, 'secrets.json')), env: { ANTHROPIC_BASE_URL: anthropic.url } });
    await t.client.call('settings.update', { anthropicApiKey: KEY });
    t.core.lock.setEndpoint({ url: 'http://127.0.0.1:9/', token: TOKEN });
    assert.match(readFileSync(join(data, 'secrets.json'), 'utf8'), new RegExp(KEY));
    await t.client.call('permissions.rules.add', { effect: 'deny', capability: 'fs.read', pattern: `${home}/private/**` });
  });
  after(async () => {
    await t?.close();
    await anthropic?.close();
    base.cleanup();
  });

  it('skips the data folder, hard-linked files and denied files, and says how many it skipped', async () => {
    const search = (query: string) => ({ name: 'search_files', arguments: { path: home, query } });
    anthropic.script({ kind: 'stream', toolCalls: [search('needle'), search('apiKey'), search('endpoint'), search('token')] }, { kind: 'stream', chunks: ['done'] });
    const { runId } = await t.client.call('chat.send', { text: 'search my home' });
    await t.core.idle();
    assert.equal((await t.client.call('runs.get', { runId })).status, 'done');
    const sent = JSON.stringify(lastChatRequest(anthropic).body);
    assert.match(sent, /notes\/a\.md:1: needle in notes/);
    assert.match(sent, /skipped: the app's data folder/);
    for (const leaked of [KEY, TOKEN, 'secrets.json', 'agent-blob.lock', 'needle private', 'needle hardlinked']) {
      assert.equal(sent.includes(leaked), false, `the model was sent ${leaked}`);
    }
    const log = JSON.stringify(t.core.log.since(0, 100_000));
    assert.equal(log.includes(KEY), false, 'the key is not in the event log');
    assert.equal(log.includes(TOKEN), false, 'the token is not in the event log');
  });
});
