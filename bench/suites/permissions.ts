// Permission decisions: `PolicyEngine.evaluate` with 1,000 rules (path globs, host patterns, command
// prefixes, scoped rules) over a mix of calls, against the same calls with no rules (the baseline:
// workspace safety alone). Also the whole `gate.check` of an auto-decided call, which appends its
// audit event, one call per rule that the rule decides, and 1,000 rules sharing the calls' literal
// start (the hard case for the prefix filter). Target: decision p95 < 1 ms with 1,000 rules.
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

/** One call per rule that this rule covers (in its scope): every decision here is made by a rule. */
function callsMatchingRules(rules: PermissionRule[], root: string): PolicyCall[] {
  return rules.map((rule) => {
    const i = Number(rule.id.slice('rule_'.length));
    const [kind, value] = rule.scope.split(':');
    const scope = kind === 'schedule' ? { scheduleId: value } : kind === 'worker' ? { workerRole: value } : undefined;
    const resource =
      rule.capability === 'fs.write' ? `${root}/project-${i}/src/a.ts`
      : rule.capability === 'fs.read' ? `${root}/private-${i}/notes.md`
      : rule.capability === 'shell.exec' ? `tool-${i} run --fast`
      : rule.capability === 'net.http' ? `https://api.host-${i}.example.com/v1`
      : `tool_${i}_list`;
    return { capability: rule.capability, resource, scope };
  });
}

/** The hard case for the prefix filter: 1,000 rules that all share their literal start with the calls. */
function sharedPrefixRules(root: string): PermissionRule[] {
  return Array.from({ length: RULES }, (_, i) => ({
    id: `shared_${i}`,
    effect: i % 3 === 1 ? ('ask' as const) : ('allow' as const),
    capability: i % 2 ? 'fs.write' : 'shell.exec',
    pattern: i % 2 ? `${root}/**/*.x${i}` : `git sub${i} *`,
    scope: 'everywhere',
    note: '',
    createdAt: i,
    updatedAt: i,
  }));
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
    const matching = callsMatchingRules(makeRules(root), root);
    sampleSync(2000, (i) => full.evaluate(matching[i % matching.length]));
    const ruleDecided = sampleSync(SAMPLES, (i) => full.evaluate(matching[i % matching.length]));
    const matchingByRule = matching.filter((c) => full.evaluate(c).decidedBy === 'rule').length;
    const shared = new PolicyEngine(sys);
    shared.load({ roots: [root], protectedPaths: [], reopenedPaths: [], mode: 'normal', rules: sharedPrefixRules(root) });
    const sharedCalls: PolicyCall[] = [
      { capability: 'fs.write', resource: `${root}/src/deep/a.ts` },
      { capability: 'shell.exec', resource: `git status && git log | head > ${root}/out.txt` },
    ];
    sampleSync(2000, (i) => shared.evaluate(sharedCalls[i % 2]));
    const sharedLatency = sampleSync(SAMPLES, (i) => shared.evaluate(sharedCalls[i % 2]));

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
    // The timings mean something only if the calls reach the rules: count the calls a rule decides.
    const byRule = calls.filter((c) => full.evaluate(c).decidedBy === 'rule').length;
    return {
      rules: RULES,
      calls_decided_by_a_rule: `${byRule} of ${calls.length}`,
      decision_p50_ms: metric(percentile(withRules, 50), 'ms', { baseline: { value: percentile(noRules, 50), what: 'same calls, no rules (safety checks only)' } }),
      decision_p95_ms: metric(p95, 'ms', { baseline: { value: percentile(noRules, 95), what: 'same calls, no rules' }, target: '< 1 ms with 1,000 rules', met: p95 < 1 }),
      decision_p99_ms: metric(percentile(withRules, 99), 'ms', { baseline: { value: percentile(noRules, 99), what: 'same calls, no rules' } }),
      calls_each_matching_a_rule: `${matchingByRule} of ${matching.length} decided by a rule`,
      rule_decided_p95_ms: metric(percentile(ruleDecided, 95), 'ms', { baseline: { value: p95, what: 'the mixed calls p95' }, target: '< 1 ms with 1,000 rules', met: percentile(ruleDecided, 95) < 1 }),
      shared_prefix_p95_ms: metric(percentile(sharedLatency, 95), 'ms', { baseline: { value: p95, what: 'the mixed calls p95' } }),
      gate_check_p95_ms: metric(percentile(gateLatency, 95), 'ms', { baseline: { value: p95, what: 'decision alone p95' } }),
    };
  } finally {
    dir.cleanup();
  }
}
