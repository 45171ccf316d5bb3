import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createMemorySecretStore } from '../../../core/secrets/index.js';
import { startTestCore, type TestCore } from '../../support/index.js';
import { ENV_KEY, ESCAPE_RULES, escapeCorpus, PLAIN_KEY } from './escape-corpus.js';
import { makeSandbox, type Sandbox } from './fixtures.js';

describe('escape attempts', () => {
  let sb: Sandbox;
  let t: TestCore;
  before(async () => {
    sb = makeSandbox();
    const secrets = createMemorySecretStore();
    secrets.set('integration.token', PLAIN_KEY);
    t = await startTestCore({ dataDir: sb.data, allowedRoots: [sb.root], secrets, env: { ANTHROPIC_API_KEY: ENV_KEY }, resolveHost: async (host) => (host.endsWith('.internal-test') ? ['10.1.2.3'] : ['93.184.216.34']) });
    // Generous allow rules: the attempts must fail even so. Deny rules name what must never run.
    for (const [effect, capability, pattern] of ESCAPE_RULES) {
      await t.client.call('permissions.rules.add', { effect, capability, pattern });
    }
  });
  after(async () => {
    await t.close();
    sb.cleanup();
  });

  it('the corpus holds at least 300 attempts, no two the same call', (t) => {
    const all = escapeCorpus(sb);
    const distinct = new Set(all.map((a) => `${a.capability} ${a.resource}`));
    t.diagnostic(`${all.length} attempts`);
    assert.equal(distinct.size, all.length, 'an attempt is listed twice');
    assert.ok(all.length >= 300, String(all.length));
  });

  it('every attempt is denied outright: never asked, never run, each decision in the audit', async () => {
    const attempts = escapeCorpus(sb);
    const failures: string[] = [];
    const controller = new AbortController();
    const ran: string[] = [];
    for (const attempt of attempts) {
      const runId = t.core.log.transaction(() => t.core.runs.create({ kind: 'chat', title: 'escape' }));
      const handle = { signal: controller.signal, setStatus: () => { throw new Error('asked a person'); } };
      try {
        const decision = await t.core.permissions.gate.check({ ...attempt, runId, tool: 'probe', argsSummary: attempt.why }, handle);
        if (decision.decision === 'allow') ran.push(attempt.resource);
        else {
          const entry = t.core.permissions.queries.request(decision.requestId!);
          if (entry?.decision !== 'deny') failures.push(`${attempt.why}: ${JSON.stringify(attempt.resource)} has no deny in the audit`);
        }
        if (decision.decision !== 'deny') failures.push(`${attempt.why}: ${JSON.stringify(attempt.resource)} → ${decision.decision} (${decision.by})`);
      } catch (err) {
        failures.push(`${attempt.why}: ${JSON.stringify(attempt.resource)} → ${(err as Error).message}`);
      }
    }
    assert.deepEqual(failures, []);
    assert.deepEqual(ran, []);
    assert.equal(t.core.permissions.pending().length, 0);
  });

  it('the same generous rules still allow the honest calls next to the attempts', async () => {
    const controller = new AbortController();
    const handle = { signal: controller.signal, setStatus: () => { throw new Error('asked a person'); } };
    for (const [capability, resource] of [
      ['fs.write', join(sb.root, 'notes', 'todo.md')],
      ['fs.read', join(sb.root, 'src-link', 'main.ts')],
      ['fs.write', join(sb.root, 'new', 'file.txt')],
      ['shell.exec', 'npm run test:unit && ls -la | cat'],
      ['shell.exec', `echo hi > ${join(sb.root, 'out.txt')} 2>/dev/null`],
      ['net.http', 'https://example.com/'],
      ['net.http', 'http://93.184.216.34/'],
    ] as const) {
      const runId = t.core.log.transaction(() => t.core.runs.create({ kind: 'chat', title: 'honest' }));
      const decision = await t.core.permissions.gate.check({ capability, resource, runId, tool: 'probe', argsSummary: '' }, handle);
      assert.equal(decision.decision, 'allow', `${resource}: ${decision.decision === 'deny' ? decision.reason : ''}`);
    }
  });
});
