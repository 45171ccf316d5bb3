import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { openDatabase, type WritableDB } from '../../../core/db/index.js';
import { createSettingsProjector } from '../../../core/settings/index.js';
import { startTestCore } from '../../support/index.js';

const KEY = 'sk-ant-api03-rebuild-test-secret-0123456789abcdef';

const rows = (db: WritableDB) => db.prepare('SELECT key, value, updated_at FROM settings ORDER BY key').all();

describe('settings rebuilt from the event log', () => {
  it('replaying the log into an empty database gives every settings row as the app wrote it, and no key', async () => {
    const t = await startTestCore();
    try {
      await t.client.call('settings.update', { chatModel: 'ollama:llama3.2', anthropicBaseUrl: 'http://127.0.0.1:11500', spellcheck: true, anthropicApiKey: KEY });
      await t.client.call('settings.update', { anthropicBaseUrl: null, startAtLogin: true });
      await t.client.call('providers.endpoint.save', { name: 'lab', baseUrl: 'http://127.0.0.1:9999/v1', apiKey: 'lab-key-0123456789' });
      await t.client.call('providers.endpoint.save', { name: 'gone', baseUrl: 'http://127.0.0.1:9998/v1' });
      await t.client.call('providers.endpoint.remove', { name: 'gone' });
      await t.client.call('agent.settings.update', { maxTurns: 7, budgets: { runTokens: 50_000, runCostUsd: 0.5 } });
      await t.client.call('workers.setPool', { maxRunning: 2 });
      const { roles } = await t.client.call('workers.roles', {});
      await t.client.call('workers.saveRole', { role: { ...stripRules(roles[0]), description: 'reads and sums up' } });
      await t.client.call('maintenance.retention.update', { auditDays: 30 });
      // A value the log would have to mask is refused, not stored masked.
      const before = rows(t.core.db);
      await assert.rejects(t.client.call('workers.saveRole', { role: { ...stripRules(roles[0]), systemPrompt: `Use the key ${KEY} when asked.` } }), { code: 'invalid_input', message: /cannot hold a key/ });
      await assert.rejects(t.client.call('providers.endpoint.save', { name: 'leaky', baseUrl: `http://127.0.0.1:9997/v1?key=${KEY}` }), { code: 'invalid_input', message: /cannot hold a key/ });
      await assert.rejects(t.client.call('agent.settings.update', { routes: { chat: [`anthropic:${KEY}`] } }), { code: 'invalid_input', message: /cannot hold a key/ });
      assert.deepEqual(rows(t.core.db), before, 'nothing written');
      assert.equal((await t.client.call('workers.roles', {})).roles[0].description, 'reads and sums up');
      await t.client.call('maintenance.backups.update', { daily: true, keep: 3 });

      const live = rows(t.core.db);
      const keys = live.map((r) => (r as { key: string }).key);
      for (const key of ['agent.settings', 'chatModel', 'endpoints', 'maintenance.backups', 'maintenance.retention', 'spellcheck', 'startAtLogin', 'workers.settings']) {
        assert.ok(keys.includes(key), `${key} is a row`);
      }
      assert.ok(!keys.includes('anthropicBaseUrl'), 'a setting cleared to null is no row');
      assert.equal((await t.client.call('settings.get', {})).providers.endpoints.map((e) => e.name).join(), 'lab');

      const rebuilt = openDatabase({ file: ':memory:' }).db;
      try {
        const project = createSettingsProjector(rebuilt);
        rebuilt.transaction(() => {
          for (const event of t.core.log.since(0, 100_000)) project(event);
        })();
        assert.deepEqual(rows(rebuilt), live);
      } finally {
        rebuilt.close();
      }
      const everything = JSON.stringify(t.core.log.since(0, 100_000)) + JSON.stringify(live);
      assert.ok(!everything.includes(KEY) && !everything.includes('lab-key-0123456789'), 'keys stay in the secret store');
    } finally {
      await t.close();
    }
  });
});

function stripRules<T extends { rules?: unknown }>(role: T): Omit<T, 'rules'> {
  const { rules: _rules, ...rest } = role;
  return rest;
}
