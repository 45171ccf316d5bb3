import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { McpHttpFixture, startTestCore, tempDir } from '../../support/index.js';
import { fixtureFiles, stdioServer } from './helpers.js';

describe('importing a Claude Desktop configuration', () => {
  const dir = tempDir('agent-blob-mcp-import-');
  after(() => dir.cleanup());

  it('adds its servers, keeps tokens out of the log, and says which entries it skipped and why', async () => {
    const fixture = await McpHttpFixture.start();
    const t = await startTestCore({ mcp: { backoffMs: [50, 100] }, bundledSkillsDir: null });
    try {
      const files = fixtureFiles(dir.path);
      const local = stdioServer(files, { GITHUB_TOKEN: 'ghp_abcdefghijklmnop1234567890' });
      // The shape of claude_desktop_config.json, with fields this app does not use.
      const config = {
        globalShortcut: 'Ctrl+Space',
        mcpServers: {
          'local files': { ...local, alwaysAllow: ['echo'] },
          remote: { type: 'http', url: fixture.url },
          old: { type: 'sse', url: 'http://127.0.0.1:1/sse' },
          wrong: { command: 'x', url: 'http://127.0.0.1:1/mcp' },
          off: { command: process.execPath, args: ['-e', '0'], disabled: true },
        },
      };
      const result = await t.client.call('mcp.import', { json: JSON.stringify(config) });
      assert.deepEqual(result.added, ['local-files', 'remote', 'off']);
      assert.deepEqual(result.renamed, [{ from: 'local files', to: 'local-files' }]);
      assert.deepEqual(
        result.skipped.map((s) => s.name),
        ['old', 'wrong'],
      );
      assert.match(result.skipped[0].reason, /SSE servers .* not supported/);
      assert.match(result.skipped[1].reason, /either a command .* or a url/);

      const { servers } = await t.client.call('mcp.list', {});
      const byName = new Map(servers.map((s) => [s.name, s]));
      assert.equal(byName.get('local-files')?.command, process.execPath);
      assert.deepEqual(
        byName.get('local-files')?.env.find((e) => e.key === 'GITHUB_TOKEN'),
        { key: 'GITHUB_TOKEN', value: null, secret: true },
        'a token goes to the secret store',
      );
      assert.equal(byName.get('remote')?.url, fixture.url);
      assert.equal(byName.get('off')?.enabled, false);
      assert.ok(!JSON.stringify(t.events).includes('ghp_abcdefghijklmnop1234567890'));

      const tested = await t.client.call('mcp.test', { name: 'local-files' });
      assert.equal(tested.ok, true, tested.server.reason ?? '');
      assert.equal(files.entries().find((e) => e.started)?.githubToken, 'ghp_abcdefghijklmnop1234567890', 'the imported command runs with the token from the secret store in its environment');

      const again = await t.client.call('mcp.import', { json: JSON.stringify({ mcpServers: { remote: { url: fixture.url } } }) });
      assert.deepEqual(again.skipped, [{ name: 'remote', reason: 'a server named remote is already configured' }]);
      const replaced = await t.client.call('mcp.import', { json: JSON.stringify({ mcpServers: { remote: { url: fixture.url } } }), replace: true });
      assert.deepEqual(replaced.replaced, ['remote']);

      await assert.rejects(t.client.call('mcp.import', { json: '{"mcpServers": ' }), /not valid JSON/);
    } finally {
      await t.close();
      await fixture.close();
    }
  });
});
