// Permission decisions: `PolicyEngine.evaluate` with 1,000 rules (path globs, host patterns, command
// prefixes, scoped rules) over a mix of calls, against the same calls with no rules (the baseline:
// workspace safety alone). Also the whole `gate.check` of an auto-decided call, which appends its
// audit event. Target: decision p95 < 1 ms with 1,000 rules.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createCore } from '../../core/app.js';
import type { PermissionRule } from '../../core/contract/index.js';
import { PolicyEngine, nodePathSystem, type PolicyCall } from '../../core/permissions/index.js';
import { createMemorySecretStore } from '../../core/secrets/index.js';
import { silentLogger } from '../../core/util/logger.js';
import { benchDir, metric, percentile, sampleAsync, sampleSync } from '../lib.js';

const RULES = 1000;
const SAMPLES = 20_000;

function makeRules(root: string): PermissionRule[] {
  const rules: PermissionRule[] = [];
  const effects = ['allow', 'ask', 'deny'] as const;
  for (let i = 0; i < RULES; i++) {
    const effect = effects[i % 3];
    const kind = i % 10;
    let capability: string;
    let pattern: string;
    if (kind < 4) [capability, pattern] = ['fs.write', `${root}/project-${i}/**/*.{ts,md}`];
    else if (kind < 5) [capability, pattern] = ['fs.read', `${root}/private-${i}/**`];
    else if (kind < 7) [capability, pattern] = ['shell.exec', `tool-${i} run *`];
    else if (kind < 9) [capability, pattern] = ['net.http', `*.host-${i}.example.com`];
    else [capability, pattern] = ['mcp.server' + (i % 7), `tool_${i}*`];
    const scope = i % 25 === 0 ? `schedule:s${i}` : i % 31 === 0 ? `worker:role${i}` : 'everywhere';
    rules.push({ id: `rule_${i}`, effect, capability, pattern, scope, note: '', createdAt: i, updatedAt: i });
  }
  return rules;
}

function makeCalls(root: string): PolicyCall[] {
  const calls: PolicyCall[] = [];
  for (let i = 0; i < 200; i++) {
    const n = (i * 37) % RULES;
    switch (i % 6) {
      case 0:
        calls.push({ capability: 'fs.write', resource: `${root}/project-${n}/src/deep/file-${i}.ts` });
        break;
      case 1:
        calls.push({ capability: 'fs.read', resource: `${root}/project-${n}/../notes/${i}.md` });
        break;
      case 2:
        calls.push({ capability: 'shell.exec', resource: `tool-${n} run --fast && tool-${n + 1} run | grep x > ${root}/out-${i}.log` });
        break;
      case 3:
        calls.push({ capability: 'net.http', resource: `https://api.host-${n}.example.com/v1/items?page=${i}` });
        break;
      case 4:
        calls.push({ capability: `mcp.server${n % 7}`, resource: `tool_${n}_list`, scope: { scheduleId: `s${n}` } });
        break;
      default:
        calls.push({ capability: 'fs.write', resource: `${root}/elsewhere/${i}.txt`, scope: { workerRole: `role${n}` } });
    }
  }
  return calls;
}

export async function run(): Promise<Record<string, unknown>> {
  const dir = benchDir();
  try {
    const root = join(dir.path, 'root');
    mkdirSync(join(root, 'project-0', 'src'), { recursive: true });
    writeFileSync(join(root, 'project-0', 'src', 'a.ts'), '');
    const sys = nodePathSystem(dir.path);
    const full = new PolicyEngine(sys);
    full.load({ roots: [root], protectedPaths: [], reopenedPaths: [], mode: 'normal', rules: makeRules(root) });
    const empty = new PolicyEngine(sys);
    empty.load({ roots: [root], protectedPaths: [], reopenedPaths: [], mode: 'normal', rules: [] });
    const calls = makeCalls(root);
    sampleSync(2000, (i) => full.evaluate(calls[i % calls.length]));
    sampleSync(2000, (i) => empty.evaluate(calls[i % calls.length]));
    const withRules = sampleSync(SAMPLES, (i) => full.evaluate(calls[i % calls.length]));
    const noRules = sampleSync(SAMPLES, (i) => empty.evaluate(calls[i % calls.length]));

    const core = createCore({ dataDir: join(dir.path, 'data'), logger: silentLogger, secrets: createMemorySecretStore(), env: {}, allowedRoots: [root], resolveHost: null });
    let gateLatency: number[] = [];
    try {
      core.log.transaction(() => {
        for (const rule of makeRules(root).slice(0, RULES)) core.log.append('permission.rule.saved', { rule, created: true });
      });
      const runId = core.log.transaction(() => core.runs.create({ kind: 'chat', title: 'bench' }));
      const handle = { signal: new AbortController().signal, setStatus: () => { throw new Error('the bench calls never ask'); } };
      const autoCalls = calls.filter((c) => full.evaluate(c).decision !== 'ask');
      gateLatency = await sampleAsync(3000, (i) => core.permissions.gate.check({ ...autoCalls[i % autoCalls.length], runId, tool: 'bench', argsSummary: '' } as never, handle));
    } finally {
      await core.close();
    }
    const p95 = percentile(withRules, 95);
    return {
      rules: RULES,
      decision_p50_ms: metric(percentile(withRules, 50), 'ms', { baseline: { value: percentile(noRules, 50), what: 'same calls, no rules (safety checks only)' } }),
      decision_p95_ms: metric(p95, 'ms', { baseline: { value: percentile(noRules, 95), what: 'same calls, no rules' }, target: '< 1 ms with 1,000 rules', met: p95 < 1 }),
      decision_p99_ms: metric(percentile(withRules, 99), 'ms', { baseline: { value: percentile(noRules, 99), what: 'same calls, no rules' } }),
      gate_check_p95_ms: metric(percentile(gateLatency, 95), 'ms', { baseline: { value: p95, what: 'decision alone p95' } }),
    };
  } finally {
    dir.cleanup();
  }
}
