import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AppError } from '../../../core/contract/index.js';
import { startTestCore, tempDir } from '../../support/index.js';

describe('agent commands refuse bad input with a typed error and lose nothing', () => {
  it('an invalid settings change is invalid_input and leaves the saved settings as they were, also after a restart', async () => {
    const dir = tempDir();
    const t = await startTestCore({ dataDir: dir.path, env: {} });
    let saved: unknown;
    try {
      saved = await t.client.call('agent.settings.update', {
        routes: { chat: ['anthropic:claude-a', 'ollama:llama3.2'] },
        prices: { 'anthropic:claude-a': { input: 3, output: 15, cacheRead: 0.3, cacheWrite: 3.75 } },
        budgets: { runTokens: 5000, runCostUsd: 0.5 },
        compactAt: 0.6,
      });
      const bad: unknown[] = [
        { compactAt: 2 },
        { maxTurns: 0 },
        { routes: { chat: ['no provider here'] } },
        { routes: { nonsense: ['anthropic:claude-a'] } },
        { prices: { 'anthropic:claude-a': { input: -1, output: 1 } } },
        { budgets: { runTokens: 1.5, runCostUsd: null } },
        { contextTokens: { 'ollama:llama3.2': 10 } },
        { prices: { 'claude-a': { input: 3, output: 15 } } },
        { contextTokens: { llama: 8192 } },
        { unknownSetting: true },
      ];
      for (const patch of bad) {
        await assert.rejects(
          t.client.call('agent.settings.update', patch as never),
          (err: AppError) => err.code === 'invalid_input' && err.message.length > 0 && !/\n\s+at /.test(err.message),
          JSON.stringify(patch),
        );
      }
      assert.deepEqual(await t.client.call('agent.settings.get', {}), saved);
    } finally {
      await t.close({ keepData: true });
    }
    const again = await startTestCore({ dataDir: dir.path, env: {} });
    try {
      assert.deepEqual(await again.client.call('agent.settings.get', {}), saved);
    } finally {
      await again.close();
      dir.cleanup();
    }
  });

  it('a stored setting that no longer parses falls back alone; the others stay', async () => {
    const dir = tempDir();
    const t = await startTestCore({ dataDir: dir.path, env: {} });
    try {
      await t.client.call('agent.settings.update', { routes: { chat: ['ollama:llama3.2'] }, maxTurns: 30 });
    } finally {
      await t.close({ keepData: true });
    }
    const again = await startTestCore({ dataDir: dir.path, env: {} });
    try {
      const row = again.core.db.prepare("SELECT value FROM settings WHERE key = 'agent.settings'").get() as { value: string };
      again.core.db.prepare("UPDATE settings SET value = ? WHERE key = 'agent.settings'").run(JSON.stringify({ ...JSON.parse(row.value), compactAt: 'lots' }));
    } finally {
      await again.close({ keepData: true });
    }
    const third = await startTestCore({ dataDir: dir.path, env: {} });
    try {
      const read = await third.client.call('agent.settings.get', {});
      assert.equal(read.compactAt, 0.75);
      assert.equal(read.maxTurns, 30);
      assert.deepEqual(read.routes, { chat: ['ollama:llama3.2'] });
    } finally {
      await third.close();
      dir.cleanup();
    }
  });

  it('a run that does not exist is not_found for show, replay and export', async () => {
    const t = await startTestCore({ env: {} });
    try {
      for (const command of ['runs.show', 'runs.replay', 'runs.exportHtml'] as const) {
        await assert.rejects(t.client.call(command, { runId: 'run_missing' }), (err: AppError) => err.code === 'not_found', command);
      }
      await assert.rejects(t.client.call('agent.compactions', { limit: 0 }), (err: AppError) => err.code === 'invalid_input');
      await assert.rejects(t.client.call('providers.test', { provider: 'Not A Provider' }), (err: AppError) => err.code === 'invalid_input');
    } finally {
      await t.close();
    }
  });
});
