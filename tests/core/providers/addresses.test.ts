import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AppError } from '../../../core/contract/index.js';
import { chat } from '../agent/helpers.js';
import { startTestCore } from '../../support/index.js';

const REFUSED = [
  'file:///etc/passwd',
  'javascript:alert(1)',
  'data:text/plain,hi',
  'ftp://127.0.0.1/v1',
  'ws://127.0.0.1:11434',
  'http://user:secret@127.0.0.1:11434',
  'https://:sk-ant-in-the-url@api.example.com',
  'not a url',
  'http://',
];

async function refusal(call: Promise<unknown>): Promise<AppError> {
  const err = await call.then(
    () => assert.fail('the call was accepted'),
    (e: AppError) => e,
  );
  assert.equal(err.code, 'invalid_input', err.message);
  return err;
}

describe('provider addresses', () => {
  it('settings.update and providers.endpoint.save refuse an address that is not plain http or https, and change nothing', async () => {
    const t = await startTestCore();
    try {
      const before = await t.client.call('settings.get', {});
      const head = t.core.log.head();
      for (const url of REFUSED) {
        for (const patch of [{ ollamaHost: url }, { anthropicBaseUrl: url }, { openaiBaseUrl: url }]) {
          const err = await refusal(t.client.call('settings.update', patch));
          assert.match(err.message, /http|URL|user name|host/, `${url}: ${err.message}`);
          assert.ok(!err.message.includes('secret') && !err.message.includes('sk-ant-in-the-url'), 'the refusal does not repeat a password');
        }
        await refusal(t.client.call('providers.endpoint.save', { name: 'local', baseUrl: url }));
      }
      assert.deepEqual(await t.client.call('settings.get', {}), before);
      assert.equal(t.core.log.head(), head, 'no settings.changed event');

      const saved = await t.client.call('settings.update', { ollamaHost: 'http://127.0.0.1:11434', anthropicBaseUrl: 'https://proxy.example.com', openaiBaseUrl: 'HTTP://127.0.0.1:1234/v1' });
      assert.equal(saved.providers.ollama.host, 'http://127.0.0.1:11434');
      assert.equal(saved.providers.anthropic.baseUrl, 'https://proxy.example.com');
    } finally {
      await t.close();
    }
  });

  it('an unusable address stored by an older version or given by the environment is a doctor finding and a failed run, never internal', async () => {
    const t = await startTestCore({ env: { ANTHROPIC_API_KEY: 'sk-ant-test-key-000000', ANTHROPIC_BASE_URL: 'file:///etc/passwd', OPENAI_API_KEY: 'sk-proj-test', OPENAI_BASE_URL: 'data:text/plain,hi' } });
    try {
      // What an older version accepted sits in the settings table as it was written.
      t.core.db.prepare("INSERT INTO settings (key, value, updated_at) VALUES ('ollamaHost', ?, 0)").run(JSON.stringify('javascript:alert(1)'));
      await t.client.call('settings.update', { chatModel: 'anthropic:claude-sonnet-5-5' });

      const doctor = await t.client.call('system.doctor', { probeProviders: true });
      const check = (prefix: string) => doctor.checks.find((c) => c.name.startsWith(prefix));
      assert.equal(check('provider anthropic')?.status, 'fail', JSON.stringify(check('provider anthropic')));
      assert.match(check('provider anthropic')!.detail, /starts with http:\/\/ or https:\/\/, not file:/);
      assert.equal(check('provider ollama')?.status, 'warn');
      assert.match(check('provider ollama')!.detail, /not javascript:/);
      assert.equal(check('provider openai')?.status, 'warn', 'a data: address is not "reachable"');
      assert.match(check('provider openai')!.detail, /not data:/);

      const models = await t.client.call('providers.models', { provider: 'ollama' }).then(
        () => assert.fail('listed models at a javascript: address'),
        (e: AppError) => e,
      );
      assert.equal(models.code, 'unavailable');
      assert.match(models.message, /not javascript:/);

      const { run } = await chat(t, 'hello');
      assert.equal(run.status, 'failed');
      assert.match(run.error ?? '', /not file:/);
    } finally {
      await t.close();
    }
  });
});
