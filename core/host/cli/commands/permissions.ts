import { AppError, PermissionModeSchema, RuleEffectSchema, type AuditEntry, type PermissionRule } from '../../../contract/index.js';
import { intFlag } from '../args.js';
import { formatTime, oneLine, table } from '../format.js';
import { EXIT, type CliCommand, type CommandContext, type CommandGroup } from '../types.js';

const print = (ctx: CommandContext, json: unknown, text: string) => ctx.io.stdout(ctx.json ? `${JSON.stringify(json)}\n` : text);

const ruleRow = (r: PermissionRule & { matchCount?: number }) => [r.id, r.effect, r.capability, r.pattern, r.scope, String(r.matchCount ?? '')];
const auditRow = (e: AuditEntry) => [
  formatTime(e.decidedAt ?? e.ts),
  e.requestId,
  e.status === 'pending' ? 'PENDING' : (e.decision ?? ''),
  e.decidedBy ?? '',
  e.capability,
  oneLine(e.resolved ?? e.resource, 60),
  e.runId ?? '',
];

const ruleOptions = {
  effect: { type: 'string', value: 'EFFECT', description: 'allow, ask or deny' },
  capability: { type: 'string', value: 'CAP', description: 'fs.read, fs.write, net.http, shell.exec, memory.write, schedule.manage, worker.spawn, notify, mcp.<server>' },
  pattern: { type: 'string', value: 'PATTERN', description: 'a path glob (~/notes/**), a host (*.example.com) or a command prefix (npm run test:*)' },
  scope: { type: 'string', value: 'SCOPE', description: 'everywhere (default), schedule:<id> or worker:<role>' },
  note: { type: 'string', value: 'TEXT', description: 'why the rule exists' },
} as const;

function str(ctx: CommandContext, name: string): string | undefined {
  const v = ctx.flags[name];
  return typeof v === 'string' ? v : undefined;
}

const listRules: CliCommand = {
  name: 'permissions rules',
  summary: 'List permission rules with how often each decided a call',
  async run(ctx) {
    if (ctx.args.length && ctx.args[0] !== 'list') throw new AppError('invalid_input', `unknown rules command "${ctx.args[0]}": use list, add, edit or remove`);
    const client = await ctx.connect();
    const { rules } = await client.call('permissions.rules.list', { recent: 0 });
    print(ctx, { rules }, rules.length ? table([['ID', 'EFFECT', 'CAPABILITY', 'PATTERN', 'SCOPE', 'MATCHES'], ...rules.map(ruleRow)]) : 'no rules: reads inside allowed folders are allowed, everything else asks\n');
    return EXIT.ok;
  },
};

const addRule: CliCommand = {
  name: 'permissions rules add',
  summary: 'Add a rule',
  options: ruleOptions,
  async run(ctx) {
    const effect = RuleEffectSchema.safeParse(str(ctx, 'effect'));
    if (!effect.success) throw new AppError('invalid_input', '--effect must be allow, ask or deny');
    const capability = str(ctx, 'capability');
    const pattern = str(ctx, 'pattern');
    if (!capability || !pattern) throw new AppError('invalid_input', 'a rule needs --capability and --pattern');
    const client = await ctx.connect();
    const rule = await client.call('permissions.rules.add', { effect: effect.data, capability, pattern, scope: str(ctx, 'scope') ?? 'everywhere', note: str(ctx, 'note') ?? '' });
    print(ctx, rule, `added ${rule.id}: ${rule.effect} ${rule.capability} ${rule.pattern} (${rule.scope})\n`);
    return EXIT.ok;
  },
};

const editRule: CliCommand = {
  name: 'permissions rules edit',
  params: 'ID',
  summary: 'Change a rule; options left out stay as they are',
  options: ruleOptions,
  async run(ctx) {
    const [id, ...extra] = ctx.args;
    if (!id || extra.length) throw new AppError('invalid_input', 'rules edit needs exactly one rule id; see agent-blob permissions rules');
    const effect = str(ctx, 'effect');
    if (effect !== undefined && !RuleEffectSchema.safeParse(effect).success) throw new AppError('invalid_input', '--effect must be allow, ask or deny');
    const client = await ctx.connect();
    const rule = await client.call('permissions.rules.update', {
      id,
      effect: effect as PermissionRule['effect'] | undefined,
      capability: str(ctx, 'capability'),
      pattern: str(ctx, 'pattern'),
      scope: str(ctx, 'scope'),
      note: str(ctx, 'note'),
    });
    print(ctx, rule, `updated ${rule.id}: ${rule.effect} ${rule.capability} ${rule.pattern} (${rule.scope})\n`);
    return EXIT.ok;
  },
};

const removeRule: CliCommand = {
  name: 'permissions rules remove',
  params: 'ID',
  summary: 'Remove a rule',
  async run(ctx) {
    const [id, ...extra] = ctx.args;
    if (!id || extra.length) throw new AppError('invalid_input', 'rules remove needs exactly one rule id');
    const client = await ctx.connect();
    const result = await client.call('permissions.rules.remove', { id });
    print(ctx, result, `removed ${result.id}\n`);
    return EXIT.ok;
  },
};

const audit: CliCommand = {
  name: 'permissions audit',
  summary: 'Show every permission request and decision, newest first',
  options: {
    capability: { type: 'string', value: 'CAP', description: 'only this capability (mcp.* for every MCP server)' },
    decision: { type: 'string', value: 'D', description: 'allow, deny or pending' },
    run: { type: 'string', value: 'RUN', description: 'only calls of this run' },
    limit: { type: 'string', value: 'N', description: 'at most N entries (default 100)' },
  },
  async run(ctx) {
    const decision = str(ctx, 'decision');
    if (decision !== undefined && !['allow', 'deny', 'pending'].includes(decision)) throw new AppError('invalid_input', '--decision must be allow, deny or pending');
    const client = await ctx.connect();
    const { entries } = await client.call('permissions.audit', {
      capability: str(ctx, 'capability'),
      decision: decision as 'allow' | 'deny' | 'pending' | undefined,
      runId: str(ctx, 'run'),
      limit: intFlag(ctx.flags, 'limit', 100),
    });
    print(ctx, { entries }, entries.length ? table([['WHEN (UTC)', 'REQUEST', 'DECISION', 'BY', 'CAPABILITY', 'RESOURCE', 'RUN'], ...entries.map(auditRow)]) : 'no permission decisions yet\n');
    return EXIT.ok;
  },
};

const pending: CliCommand = {
  name: 'permissions pending',
  summary: 'List calls waiting for your answer',
  async run(ctx) {
    const client = await ctx.connect();
    const { requests } = await client.call('permissions.pending', {});
    print(ctx, { requests }, requests.length ? table([['WHEN (UTC)', 'REQUEST', 'DECISION', 'BY', 'CAPABILITY', 'RESOURCE', 'RUN'], ...requests.map(auditRow)]) : 'nothing is waiting\n');
    return EXIT.ok;
  },
};

const answer: CliCommand = {
  name: 'permissions answer',
  params: 'ID allow|deny',
  summary: 'Answer a waiting request (a second answer reports the first)',
  options: { always: { type: 'boolean', description: 'with allow: also save the narrowest rule covering this call' } },
  async run(ctx) {
    const [requestId, decision, ...extra] = ctx.args;
    if (!requestId || (decision !== 'allow' && decision !== 'deny') || extra.length) throw new AppError('invalid_input', 'usage: agent-blob permissions answer ID allow|deny');
    const client = await ctx.connect();
    const always = ctx.flags.always === true && decision === 'allow';
    const rule = always ? (await client.call('permissions.suggest', { requestId })).rule : undefined;
    const result = await client.call('permissions.answer', { requestId, decision, always, rule });
    const first = result.alreadyAnswered ? ` (already answered: ${result.entry.decision} by ${result.entry.decidedBy})` : '';
    print(ctx, result, `${requestId}: ${result.entry.decision}${result.ruleId ? `, rule ${result.ruleId} saved` : ''}${first}\n`);
    return result.alreadyAnswered && result.entry.decision !== decision ? EXIT.failed : EXIT.ok;
  },
};

const test: CliCommand = {
  name: 'permissions test',
  params: 'CAP RESOURCE',
  summary: 'Show which rule decides a call, without making it',
  async run(ctx) {
    const [capability, ...rest] = ctx.args;
    if (!capability || !rest.length) throw new AppError('invalid_input', 'usage: agent-blob permissions test CAP RESOURCE');
    const client = await ctx.connect();
    const result = await client.call('permissions.test', { capability, resource: rest.join(' ') });
    const parts = result.parts.map((p) => `  ${p.decision.padEnd(5)} ${p.kind} ${p.text}: ${p.reason}\n`).join('');
    print(ctx, result, `${result.decision} (${result.decidedBy}${result.ruleId ? ` ${result.ruleId}` : ''}): ${result.reason}\n${parts}`);
    return EXIT.ok;
  },
};

const mode: CliCommand = {
  name: 'permissions config',
  summary: 'Show or change allowed folders, mode and expiry',
  options: {
    mode: { type: 'string', value: 'MODE', description: 'normal, read-only or ask-everything' },
    root: { type: 'string', value: 'DIRS', description: 'allowed folders, separated by commas (replaces the list)' },
    'expiry-seconds': { type: 'string', value: 'S', description: 'an unanswered request is denied after S seconds' },
    'unattended-expiry-seconds': { type: 'string', value: 'S', description: 'the same for schedules and workers, which nobody watches' },
  },
  async run(ctx) {
    const client = await ctx.connect();
    const patch: Record<string, unknown> = {};
    const m = str(ctx, 'mode');
    if (m !== undefined) {
      if (!PermissionModeSchema.safeParse(m).success) throw new AppError('invalid_input', '--mode must be normal, read-only or ask-everything');
      patch.mode = m;
    }
    const roots = str(ctx, 'root');
    if (roots !== undefined) patch.roots = roots.split(',').map((r) => r.trim()).filter(Boolean);
    const expiry = intFlag(ctx.flags, 'expiry-seconds');
    if (expiry !== undefined) patch.expiryMs = expiry * 1000;
    const unattended = intFlag(ctx.flags, 'unattended-expiry-seconds');
    if (unattended !== undefined) patch.unattendedExpiryMs = unattended * 1000;
    const config = Object.keys(patch).length ? await client.call('permissions.config.update', patch) : await client.call('permissions.config.get', {});
    print(ctx, config, `mode: ${config.mode}\nallowed folders: ${config.roots.join(', ') || '(none)'}\nrequests expire after: ${Math.round(config.expiryMs / 1000)} s (unattended: ${Math.round(config.unattendedExpiryMs / 1000)} s)\n`);
    return EXIT.ok;
  },
};

export const permissionsGroup: CommandGroup = {
  name: 'permissions',
  summary: 'Permission rules, waiting requests, answers and the audit trail.',
  commands: [listRules, addRule, editRule, removeRule, pending, answer, audit, test, mode],
};
