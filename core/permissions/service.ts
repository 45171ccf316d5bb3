import { mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { AppError, RuleInputSchema, type AuditEntry, type PermissionConfig, type PermissionDetails, type PermissionRule, type PermissionTestResult, type RuleInput } from '../contract/index.js';
import { describeWaitingCall } from './details.js';
import type { WritableDB } from '../db/index.js';
import type { EventLog } from '../events/index.js';
import type { Clock } from '../util/index.js';
import type { Ids } from '../util/index.js';
import type { Logger } from '../util/index.js';
import { createPermissionGate, type PermissionGateControl, type PermissionNotice } from './gate.js';
import { parseHttpTarget, resolvePrivateReason, type HostResolver } from './net.js';
import { nodePathSystem, type PathSystem } from './paths.js';
import { PolicyEngine } from './policy.js';
import { PermissionQueries, type AuditFilter } from './store.js';
import { redactDeep } from '../secrets/index.js';
import { denyKeyCarrier } from './keys.js';
import { previewRule, suggestRule, type RuleSuggestion } from './suggest.js';

export interface PermissionsDeps {
  db: WritableDB;
  log: EventLog;
  clock: Clock;
  ids: Ids;
  logger: Logger;
  /** The app's data folder: off limits to tools, except its `workspace` folder (the default allowed root). */
  dataDir: string;
  notify?: (notice: PermissionNotice) => void | Promise<void>;
  /** DNS lookups for `net.http` names; null treats names as public unless they are local by name. */
  resolver?: HostResolver | null;
  /** Paths as the OS sees them; tests inject Windows or macOS rules. */
  pathSystem?: PathSystem;
  /** Masks keys in what the audit records (a command line may carry a token); decisions use the raw call. */
  redact?: (text: string) => string;
  /** Overrides the stored roots at start (tests, `--allow-root`); stored config still wins once changed. */
  defaultRoots?: string[];
}

export const DEFAULT_EXPIRY_MS = 5 * 60_000;
export const DEFAULT_UNATTENDED_EXPIRY_MS = 60 * 60_000;

export interface Permissions {
  gate: PermissionGateControl;
  engine: PolicyEngine;
  queries: PermissionQueries;
  config(): PermissionConfig;
  /** Real paths of the allowed roots, first one the default working folder (for `ToolContext.roots`). */
  roots(): readonly string[];
  updateConfig(patch: Partial<PermissionConfig>): PermissionConfig;
  listRules(recent: number): (PermissionRule & { matchCount: number; lastMatchedAt: number | null; recentMatches: AuditEntry[] })[];
  addRule(input: RuleInput): PermissionRule;
  updateRule(id: string, patch: Partial<RuleInput>): PermissionRule;
  removeRule(id: string): { id: string };
  test(call: { capability: string; resource: string; scope?: { scheduleId?: string; workerRole?: string } }): Promise<PermissionTestResult>;
  suggest(input: { requestId?: string; call?: { capability: string; resource: string; scope?: { scheduleId?: string; workerRole?: string } } }): RuleSuggestion;
  preview(rule: RuleInput, limit: number): { matches: AuditEntry[]; total: number; scanned: number };
  audit(filter: AuditFilter): AuditEntry[];
  pending(): AuditEntry[];
  /** What a waiting request would do in full, for the approval dialog. */
  details(requestId: string): Promise<PermissionDetails>;
  /** At start: closes requests a dead process left pending (inside the run-recovery transaction). */
  expireLeftovers(runId?: string): number;
}

/** Wires the permission store, policy engine and gate. Its projector (`createPermissionsProjector`) is registered by the module. */
export function createPermissions(deps: PermissionsDeps): Permissions {
  const queries = new PermissionQueries(deps.db);
  const sys = deps.pathSystem ?? nodePathSystem(homedir());
  const engine = new PolicyEngine(sys);
  const workspace = join(deps.dataDir, 'workspace');
  const defaults: PermissionConfig = {
    roots: deps.defaultRoots ?? [workspace],
    mode: 'normal',
    expiryMs: DEFAULT_EXPIRY_MS,
    unattendedExpiryMs: DEFAULT_UNATTENDED_EXPIRY_MS,
  };
  const config = (): PermissionConfig => ({ ...defaults, ...(queries.config() ?? {}) });
  if (!queries.config() && !deps.defaultRoots) mkdirSync(workspace, { recursive: true });

  engine.follow(() => ({ roots: config().roots, protectedPaths: [deps.dataDir], reopenedPaths: [workspace], mode: config().mode, rules: queries.rules() }));
  // After commit, so a rolled-back change never reaches the engine.
  deps.log.subscribe(deps.log.head(), (event) => {
    if (event.type === 'permission.rule.saved' || event.type === 'permission.rule.removed' || event.type === 'permission.config.changed') engine.invalidate();
  });

  const validateRule = (input: { capability: string; pattern: string }) => {
    const problem = engine.patternProblem(input.capability, input.pattern);
    if (problem) throw new AppError('invalid_input', `${input.capability} ${input.pattern}: ${problem}`);
  };

  const saveRule = (input: RuleInput): string => {
    const parsed = RuleInputSchema.parse(input);
    validateRule(parsed);
    const now = deps.clock.now();
    const rule: PermissionRule = { id: deps.ids.next('rule'), ...parsed, createdAt: now, updatedAt: now };
    deps.log.append('permission.rule.saved', { rule, created: true });
    return rule.id;
  };

  const redact = deps.redact ?? ((text: string) => text);
  const gate = createPermissionGate({
    log: deps.log,
    queries,
    engine,
    clock: deps.clock,
    ids: deps.ids,
    logger: deps.logger,
    notify: deps.notify ?? (() => {}),
    resolver: deps.resolver ?? null,
    redact,
    expiry: () => ({ attended: config().expiryMs, unattended: config().unattendedExpiryMs }),
    saveRule,
  });

  const lookupCall = (requestId: string) => {
    const entry = queries.request(requestId);
    if (!entry) throw new AppError('not_found', `no permission request ${requestId}`);
    return entry;
  };

  return {
    gate,
    engine,
    queries,
    config,
    roots: () => engine.roots(),
    updateConfig(patch) {
      const next = { ...config(), ...patch };
      for (const root of next.roots) {
        const r = root.trim();
        if (!(r.startsWith('/') || r === '~' || r.startsWith('~/') || /^[A-Za-z]:[\\/]/.test(r))) throw new AppError('invalid_input', `${root}: an allowed folder is an absolute path or starts with ~/`);
      }
      deps.log.transaction(() => deps.log.append('permission.config.changed', next));
      return config();
    },
    listRules(recent) {
      const stats = queries.ruleMatchStats();
      return queries.rules().map((rule) => ({
        ...rule,
        matchCount: stats.get(rule.id)?.count ?? 0,
        lastMatchedAt: stats.get(rule.id)?.last ?? null,
        recentMatches: recent ? queries.matchesOfRule(rule.id, recent) : [],
      }));
    },
    addRule(input) {
      const id = deps.log.transaction(() => saveRule(input));
      return queries.rule(id)!;
    },
    updateRule(id, patch) {
      const current = queries.rule(id);
      if (!current) throw new AppError('not_found', `no rule ${id}`);
      const merged = RuleInputSchema.parse({ effect: current.effect, capability: current.capability, pattern: current.pattern, scope: current.scope, note: current.note, ...dropUndefined(patch) });
      validateRule(merged);
      const rule: PermissionRule = { ...current, ...merged, updatedAt: deps.clock.now() };
      deps.log.transaction(() => deps.log.append('permission.rule.saved', { rule, created: false }));
      return queries.rule(id)!;
    },
    removeRule(id) {
      if (!queries.rule(id)) throw new AppError('not_found', `no rule ${id}`);
      deps.log.transaction(() => deps.log.append('permission.rule.removed', { ruleId: id }));
      return { id };
    },
    async test(call) {
      let resolvedPrivateReason: string | null = null;
      if (call.capability === 'net.http') {
        const target = parseHttpTarget(call.resource);
        if (target.ok && !target.isIp && !target.privateReason) resolvedPrivateReason = (await resolvePrivateReason(target.host, deps.resolver ?? null)).reason;
      }
      // The reply repeats the resource (a URL may carry a key): masked like the audit.
      return redactDeep(denyKeyCarrier(call, redact) ?? engine.evaluate({ ...call, resolvedPrivateReason }), redact);
    },
    suggest({ requestId, call }) {
      if (requestId) {
        const entry = lookupCall(requestId);
        return suggestRule({ capability: entry.capability, resource: entry.resource, resolved: entry.resolved, scope: entry.scope }, engine);
      }
      if (!call) throw new AppError('invalid_input', 'permissions.suggest needs a requestId or a call');
      const evaluation = engine.evaluate(call);
      return suggestRule({ ...call, resolved: evaluation.resolved }, engine);
    },
    preview(input, limit) {
      const parsed = RuleInputSchema.parse(input);
      validateRule(parsed);
      const rule: PermissionRule = { id: 'preview', ...parsed, createdAt: 0, updatedAt: 0 };
      const capabilities = parsed.capability === 'mcp.*' ? [...new Set(queries.audit({ capability: 'mcp.*', limit: 500 }).map((e) => e.capability))] : [parsed.capability];
      const recent = capabilities.flatMap((c) => queries.recentCalls(c, 500)).sort((a, b) => b.seq - a.seq);
      return previewRule(rule, recent, engine, limit);
    },
    audit: (filter) => queries.audit(filter),
    pending: () => queries.pending(),
    details: (requestId) => describeWaitingCall(gate.waitingCall(requestId), deps.redact ?? ((text) => text)),
    expireLeftovers(runId) {
      const reason = 'expired at restart: the app stopped while this request waited, so nothing ran';
      if (runId) return gate.closePendingOfRun(runId, 'expiry', reason);
      let closed = 0;
      deps.log.transaction(() => {
        for (const runOf of new Set(queries.pending().map((e) => e.runId ?? ''))) closed += gate.closePendingOfRun(runOf, 'expiry', reason);
      });
      return closed;
    },
  };
}

function dropUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
