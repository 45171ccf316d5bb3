import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import type { AppEvent } from '../../../core/contract/index.js';
import { ManualClock } from '../../../core/util/clock.js';
import { AnthropicLoopback, startTestCore, tempDir, waitFor } from '../../support/index.js';

/**
 * Random rules, random tool calls from scripted model replies through the real agent loop, and a
 * person who answers at random (allow once, allow always, deny, or nobody until it expires). Whatever
 * happens: no tool runs unless an `allow` decision for exactly that call (same run, capability and
 * resource) was logged after the call was announced and before it completed.
 */
const RULE_POOL = [
  ['allow', 'fs.write', 'ROOT/notes/**'],
  ['deny', 'fs.write', 'ROOT/notes/private*'],
  ['ask', 'fs.write', 'ROOT/*.txt'],
  ['allow', 'fs.write', 'ROOT/**'],
  ['deny', 'fs.read', 'ROOT/secret.txt'],
  ['allow', 'shell.exec', 'echo *'],
  ['deny', 'shell.exec', 'ls *'],
  ['ask', 'shell.exec', 'echo *'],
  ['allow', 'net.http', '*'],
] as const;

type Call = { name: 'write_text'; arguments: { path: string; text: string } } | { name: 'read_text'; arguments: { path: string } } | { name: 'run_command'; arguments: { command: string } } | { name: 'http_get'; arguments: { url: string } };

const callArb: fc.Arbitrary<Call> = fc.oneof(
  fc.record({ name: fc.constant('write_text' as const), arguments: fc.record({ path: fc.constantFrom('notes/a.md', 'notes/private.md', 'b.txt', 'deep/c.md', '../outside.txt', '/etc/x', 'notes/../../up.txt'), text: fc.constantFrom('x', 'hello') }) }),
  fc.record({ name: fc.constant('read_text' as const), arguments: fc.record({ path: fc.constantFrom('secret.txt', 'notes.txt', '/etc/hostname', '../x') }) }),
  fc.record({ name: fc.constant('run_command' as const), arguments: fc.record({ command: fc.constantFrom('echo hi', 'echo hi > made-by-shell.txt', 'ls', 'echo a && ls', 'echo $(ls)', 'echo x > /tmp/ab-never.txt') }) }),
  fc.record({ name: fc.constant('http_get' as const), arguments: fc.record({ url: fc.constantFrom('http://127.0.0.1:9/', 'http://169.254.169.254/latest', 'http://[::1]/', 'http://db.corp-test/') }) }),
);
const answerArb = fc.constantFrom('allow', 'always', 'deny', 'expire');

describe('property: no tool runs without an allow decision for that exact call', () => {
  let anthropic: AnthropicLoopback;
  before(async () => {
    anthropic = await AnthropicLoopback.start();
  });
  after(async () => {
    await anthropic.close();
  });

  it('holds over random rules, calls and answers through the real agent loop', async (ctx) => {
    const seen = { ran: 0, refused: 0 };
    await fc.assert(
      fc.asyncProperty(
        fc.subarray([...RULE_POOL.keys()]),
        fc.array(fc.array(callArb, { minLength: 1, maxLength: 2 }), { minLength: 1, maxLength: 3 }),
        fc.array(answerArb, { minLength: 8, maxLength: 8 }),
        async (ruleIdx, turns, answers) => {
          const dir = tempDir();
          const root = join(dir.path, 'root');
          mkdirSync(join(root, 'notes'), { recursive: true });
          writeFileSync(join(root, 'secret.txt'), 's');
          writeFileSync(join(root, 'notes.txt'), 'n');
          const clock = new ManualClock(Date.now());
          const t = await startTestCore({
            dataDir: join(dir.path, 'data'),
            clock,
            allowedRoots: [root],
            resolveHost: async () => ['10.0.0.7'],
            env: { ANTHROPIC_API_KEY: 'sk-ant-test-key-000000', ANTHROPIC_BASE_URL: anthropic.url },
          });
          try {
            for (const i of ruleIdx) {
              const [effect, capability, pattern] = RULE_POOL[i];
              await t.client.call('permissions.rules.add', { effect, capability, pattern: pattern.replace('ROOT', root) });
            }
            await t.client.call('permissions.config.update', { expiryMs: 60_000 });
            anthropic.script(...turns.map((calls) => ({ kind: 'stream' as const, toolCalls: calls })), { kind: 'stream', chunks: ['done'] });
            const { runId } = await t.client.call('chat.send', { text: 'go' });
            let answered = 0;
            await waitFor(async () => {
              const run = await t.client.call('runs.get', { runId });
              if (['done', 'failed', 'cancelled'].includes(run.status)) return true;
              const [request] = (await t.client.call('permissions.pending', {})).requests;
              if (!request) return false;
              const answer = answers[answered++ % answers.length];
              if (answer === 'expire') clock.advance(60_000);
              else if (answer === 'always') {
                const { rule } = await t.client.call('permissions.suggest', { requestId: request.requestId });
                await t.client.call('permissions.answer', { requestId: request.requestId, decision: 'allow', always: true, rule });
              } else await t.client.call('permissions.answer', { requestId: request.requestId, decision: answer });
              return false;
            }, 'the run to end');
            await t.core.idle();
            const counted = checkLog(t.core.log.since(0, 100_000), runId);
            seen.ran += counted.ran;
            seen.refused += counted.refused;
            // Side effects agree with the log: nothing was written outside the root.
            assert.deepEqual(readdirSync(dir.path).sort(), ['data', 'root']);
          } finally {
            await t.close();
            dir.cleanup();
          }
        },
      ),
      { numRuns: 30, seed: 20261129, endOnFailure: true },
    );
    ctx.diagnostic(`${seen.ran} tool calls ran, ${seen.refused} refused by the gate`);
    // The property means something only if the random runs both ran tools and had some refused.
    assert.ok(seen.ran >= 10, `only ${seen.ran} tool calls ran`);
    assert.ok(seen.refused >= 10, `only ${seen.refused} tool calls were refused`);
  });
});

function checkLog(events: AppEvent[], runId: string): { ran: number; refused: number } {
  const ofRun = events.filter((e) => e.runId === runId);
  const started = new Map<string, Extract<AppEvent, { type: 'tool.started' }>>();
  // One allow covers one call: two identical calls in a turn need two allow decisions.
  const used = new Set<string>();
  const counted = { ran: 0, refused: 0 };
  for (const e of ofRun) {
    if (e.type === 'tool.started') started.set(e.data.callId, e);
    if (e.type !== 'tool.completed') continue;
    const start = started.get(e.data.callId);
    assert.ok(start, `tool.completed ${e.data.callId} without tool.started`);
    if (start.data.capability === null) continue;
    const refusedByGate = !e.data.ok && e.data.error?.code === 'denied' && e.data.error.message.startsWith('permission denied');
    const invalid = !e.data.ok && (e.data.error?.code === 'invalid_args' || e.data.error?.code === 'not_found') && !e.data.error.message.includes('/');
    if (refusedByGate || invalid) {
      if (refusedByGate) {
        counted.refused++;
        const denial = ofRun.find((d) => d.type === 'permission.decided' && d.seq > start.seq && d.seq < e.seq && d.data.decision === 'deny' && d.data.resource === start.data.resource);
        assert.ok(denial, `${start.data.tool} ${start.data.resource} was refused without a deny decision in the log`);
      }
      continue;
    }
    // The tool ran: an allow for this very call sits between its start and its completion.
    const allow = ofRun.find(
      (d) =>
        d.type === 'permission.decided' &&
        d.seq > start.seq &&
        d.seq < e.seq &&
        d.data.decision === 'allow' &&
        d.data.capability === start.data.capability &&
        d.data.resource === start.data.resource &&
        !used.has(d.data.requestId),
    );
    assert.ok(allow && allow.type === 'permission.decided', `${start.data.tool} ${start.data.resource} ran without an allow decision of its own: ${JSON.stringify(e.data)}`);
    used.add(allow.data.requestId);
    counted.ran++;
  }
  return counted;
}
