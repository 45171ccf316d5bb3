import picomatch from 'picomatch';
import type { DecidedBy, PermissionMode, PermissionRule, PermissionTestResult, RuleEffect } from '../contract/index.js';
import { compileHostPattern, parseHttpTarget } from './net.js';
import { isInsideRoot, matchablePath, resolvePath, resolveRoot, type PathSystem } from './paths.js';
import { compilePathGlob, compileWildcard, MAX_GLOB_INPUT, MAX_PATH_GLOB, MAX_PATH_INPUT } from './glob.js';
import { checkArguments } from './arguments.js';
import { splitShellCommand, type ShellSplit } from './shell.js';

/** A call as the policy sees it. */
export interface PolicyCall {
  capability: string;
  resource: string;
  scope?: { scheduleId?: string; workerRole?: string };
  cwd?: string;
  /** For `net.http` on a name: why its resolved addresses are not public (the gate looks it up first). */
  resolvedPrivateReason?: string | null;
}

export type Verdict = 'allow' | 'deny' | 'ask';
export type Evaluation = PermissionTestResult;
type Part = Evaluation['parts'][number];

export interface PolicyState {
  roots: readonly string[];
  /** Folders inside a root that are still off limits (the app's own data). */
  protectedPaths: readonly string[];
  /** Folders inside protected paths that are open again (the default workspace). */
  reopenedPaths: readonly string[];
  mode: PermissionMode;
  rules: readonly PermissionRule[];
}

interface CompiledRule {
  rule: PermissionRule;
  effect: RuleEffect;
  scopeKind: 'everywhere' | 'schedule' | 'worker';
  scopeValue: string;
  /** The pattern names one thing (no wildcard): only such a rule may open a private host. */
  literal: boolean;
  /** Every target the rule matches starts with this (a cheap filter before the glob). */
  prefix: string;
  /** Every path the rule matches ends with this (`.md` for a glob ending in `*.md`); empty when the glob's end is not literal. */
  suffix: string;
  test: (target: Target) => boolean;
}

type Target = { kind: 'path'; path: string } | { kind: 'host'; host: string; port: string } | { kind: 'text'; text: string };

const RANK: Record<RuleEffect, number> = { deny: 3, ask: 2, allow: 1 };

/**
 * Decides calls: workspace safety first, then the mode, then rules (any matching deny wins, then ask,
 * then allow), then the class default. Rules and roots are compiled once per change so a decision is
 * a few regex tests and a few `lstat`s, whatever the number of rules.
 */
export class PolicyEngine {
  private byCapability = new Map<string, CompiledRule[]>();
  private mcpWildcard: CompiledRule[] = [];
  private realRoots: string[] = [];
  private realProtected: string[] = [];
  private realReopened: string[] = [];
  private state: PolicyState = { roots: [], protectedPaths: [], reopenedPaths: [], mode: 'normal', rules: [] };
  private source: (() => PolicyState) | null = null;
  private stale = false;

  constructor(private readonly sys: PathSystem) {}

  /** Reads roots, mode and rules from `source` now and again after each `invalidate`, at the next decision. */
  follow(source: () => PolicyState): void {
    this.source = source;
    this.load(source());
  }

  /** The rules or configuration changed; recompiled lazily, so a batch of changes compiles once. */
  invalidate(): void {
    this.stale = true;
  }

  private fresh(): void {
    if (this.stale && this.source) {
      this.stale = false;
      this.load(this.source());
    }
  }

  /** Replaces roots, mode and rules; compiles them. */
  load(state: PolicyState): void {
    this.state = state;
    this.realRoots = state.roots.map((r) => resolveRoot(r, this.sys)).filter((r): r is string => r !== null);
    this.realProtected = state.protectedPaths.map((r) => resolveRoot(r, this.sys)).filter((r): r is string => r !== null);
    this.realReopened = state.reopenedPaths.map((r) => resolveRoot(r, this.sys)).filter((r): r is string => r !== null);
    this.byCapability = new Map();
    this.mcpWildcard = [];
    for (const rule of state.rules) {
      const compiled = this.compile(rule);
      if (!compiled) continue;
      if (rule.capability === 'mcp.*') this.mcpWildcard.push(compiled);
      else {
        const list = this.byCapability.get(rule.capability) ?? [];
        list.push(compiled);
        this.byCapability.set(rule.capability, list);
      }
    }
  }

  roots(): readonly string[] {
    this.fresh();
    return this.realRoots;
  }

  mode(): PermissionMode {
    this.fresh();
    return this.state.mode;
  }

  /** Why a pattern cannot be a rule for a capability, or null when it can. */
  patternProblem(capability: string, pattern: string, forNewRule = true): string | null {
    if (capability === 'fs.read' || capability === 'fs.write') {
      const p = pattern.trim().replace(/\\/g, '/');
      if (!(p.startsWith('/') || p === '~' || p.startsWith('~/') || /^[A-Za-z]:\//.test(p))) return 'a path pattern is absolute or starts with ~/';
      if (p.includes('\0')) return 'a path pattern cannot contain a NUL byte';
      // Checked for new rules only: a stored rule written before keeps working (see `legacyGlob`).
      if (forNewRule && p.length > MAX_PATH_GLOB) return `a path pattern is at most ${MAX_PATH_GLOB} characters`;
      if (forNewRule && !compilePathGlob(p)) return 'a path pattern uses *, **, ?, [abc] and {a,b} (at most 256 alternatives); extended globs like !(x) are not supported';
    }
    if (capability === 'net.http' && /[/?#]/.test(pattern.replace(/^[a-z]+:\/\//i, '').replace(/\/$/, ''))) return 'a host pattern names a host (example.com, *.example.com, host:port), not a path';
    return null;
  }

  /** Decides one call without side effects. */
  evaluate(call: PolicyCall): Evaluation {
    this.fresh();
    const cap = call.capability;
    // Every rule test is linear in the input; this bounds the input.
    if (call.resource.length > MAX_GLOB_INPUT) return result('deny', 'safety', null, `the resource is longer than ${MAX_GLOB_INPUT} characters`, null);
    if (cap === 'fs.read' || cap === 'fs.write') return this.evaluatePath(call, cap === 'fs.write' ? 'write' : 'read');
    if (cap === 'shell.exec') return this.evaluateShell(call);
    if (cap === 'net.http') return this.evaluateHttp(call);
    if (this.state.mode === 'read-only') return result('deny', 'mode', null, 'read-only mode denies everything but reading files', null);
    const ruled = this.match(cap, call, { kind: 'text', text: call.resource });
    return this.finish(ruled, call.resource, null);
  }

  /**
   * Where a shell command would run: the real folder (symlinks followed), which must be an existing
   * folder inside an allowed one. The gate hands this path to the command, which runs nowhere else.
   */
  workingFolder(cwd: string | undefined): { ok: true; path: string } | { ok: false; reason: string } {
    this.fresh();
    const base = this.realRoots[0] ?? this.sys.home;
    const safety = this.pathSafety(cwd ?? base, base, 'read');
    if (!safety.ok) return { ok: false, reason: `working folder: ${safety.reason}` };
    if (!this.sys.lstat(safety.path)?.isDirectory()) return { ok: false, reason: `working folder: ${safety.path} is not a folder` };
    return safety;
  }

  /**
   * Whether a file or folder met while walking an approved folder (`search_files`) may be read without
   * asking: the same safety as a direct read (inside an allowed folder, not the app's data folder, no
   * other hard links) and no deny or ask rule on it. Only the mode's "ask" is not repeated: the person
   * already approved the walk.
   */
  readableInside(path: string, scope?: PolicyCall['scope']): { ok: true; path: string } | { ok: false; reason: string } {
    this.fresh();
    const safety = this.pathSafety(path, this.realRoots[0] ?? this.sys.home, 'read');
    if (!safety.ok) return safety;
    const ruled = this.match('fs.read', { capability: 'fs.read', resource: path, scope }, { kind: 'path', path: matchablePath(safety.path, this.sys) });
    if (ruled && ruled.effect !== 'allow') return { ok: false, reason: `rule ${ruled.rule.id} (${ruled.effect} ${ruled.rule.pattern})` };
    return safety;
  }

  /** Whether an allow rule in the call's scope names its URL's host literally: only that opens a non-public address. */
  namesHttpHost(call: PolicyCall): boolean {
    this.fresh();
    const target = parseHttpTarget(call.resource);
    if (!target.ok) return false;
    const hostTarget: Target = { kind: 'host', host: target.host, port: target.port };
    const scope = call.scope ?? NO_SCOPE;
    return (this.byCapability.get('net.http') ?? []).some((c) => c.effect === 'allow' && c.literal && inScope(c, scope) && c.test(hostTarget));
  }

  /** Whether a rule's pattern matches a recorded call (the preview of "allow always"). */
  ruleMatches(rule: PermissionRule, capability: string, resource: string, resolved: string | null): boolean {
    this.fresh();
    if (rule.capability !== capability && !(rule.capability === 'mcp.*' && capability.startsWith('mcp.'))) return false;
    const compiled = this.compile(rule);
    if (!compiled) return false;
    if (capability === 'fs.read' || capability === 'fs.write') return compiled.test({ kind: 'path', path: matchablePath(resolved ?? resource, this.sys) });
    if (capability === 'net.http') {
      const t = parseHttpTarget(resolved ?? resource);
      return t.ok && compiled.test({ kind: 'host', host: t.host, port: t.port });
    }
    if (capability === 'shell.exec') {
      const split = splitShellCommand(resource);
      return split.ok && split.commands.some((c) => !c.dynamicHead && compiled.test({ kind: 'text', text: c.text }));
    }
    return compiled.test({ kind: 'text', text: resource });
  }

  private evaluatePath(call: PolicyCall, access: 'read' | 'write'): Evaluation {
    const capability = access === 'write' ? 'fs.write' : 'fs.read';
    const safety = this.pathSafety(call.resource, call.cwd ?? this.realRoots[0] ?? this.sys.home, access);
    if (!safety.ok) return result('deny', 'safety', null, safety.reason, null);
    if (access === 'write' && this.state.mode === 'read-only') return result('deny', 'mode', null, 'read-only mode denies writing files', safety.path);
    const ruled = this.match(capability, call, { kind: 'path', path: matchablePath(safety.path, this.sys) });
    if (!ruled && access === 'read') return this.askEverything(result('allow', 'default', null, 'reading inside an allowed folder is allowed by default', safety.path));
    return this.finish(ruled, safety.path, safety.path);
  }

  /** Where a path really leads, and whether it may be touched at all. */
  private pathSafety(raw: string, base: string, access: 'read' | 'write'): { ok: true; path: string } | { ok: false; reason: string } {
    const resolved = resolvePath(raw, base, this.sys);
    if (!resolved.ok) return { ok: false, reason: `${raw}: ${resolved.reason}` };
    if (resolved.path.length > MAX_PATH_INPUT) return { ok: false, reason: `the path is longer than ${MAX_PATH_INPUT} characters` };
    if (!this.realRoots.length) return { ok: false, reason: 'no folder is allowed: add one under Permissions → Allowed folders' };
    const root = this.realRoots.find((r) => isInsideRoot(resolved.path, r, this.sys));
    if (!root) return { ok: false, reason: `${resolved.path} is outside the allowed folders (${this.realRoots.join(', ')})` };
    const guarded = this.realProtected.some((r) => isInsideRoot(resolved.path, r, this.sys)) && !this.realReopened.some((r) => isInsideRoot(resolved.path, r, this.sys));
    if (guarded) return { ok: false, reason: `${resolved.path} is inside the app's own data folder` };
    // A file with other hard links is also the file under those other names, which may be anywhere (a key file, the database).
    if (resolved.exists && resolved.links > 1) return { ok: false, reason: `${resolved.path} has other hard links, which may lead outside the allowed folders` };
    return { ok: true, path: resolved.path };
  }

  private evaluateShell(call: PolicyCall): Evaluation {
    const split = splitShellCommand(call.resource);
    if (!split.ok) return result('deny', 'safety', null, split.reason, null);
    if (this.state.mode === 'read-only') return result('deny', 'mode', null, 'read-only mode denies running commands', null);
    const parts: Part[] = [];
    const changesDir = split.commands.some((c) => ['cd', 'pushd', 'popd'].includes(c.words[0]));
    for (const command of split.commands) {
      const ruled = this.match('shell.exec', call, { kind: 'text', text: command.text }, command.dynamicHead);
      const why = command.dynamicHead && !ruled ? 'the command name is not literal, so no rule can allow it' : 'no rule allows this command';
      parts.push(ruled ? { kind: 'command', text: command.text, decision: ruled.effect, ruleId: ruled.rule.id, reason: `rule ${ruled.rule.id} (${ruled.effect} ${ruled.rule.pattern})` } : { kind: 'command', text: command.text, decision: 'ask', ruleId: null, reason: why });
    }
    parts.push(...this.argumentParts(split, call));
    for (const r of split.redirections) {
      const text = `${r.op} ${r.target}`;
      if (r.target === '/dev/null') {
        parts.push({ kind: 'redirection', text, decision: 'allow', ruleId: null, reason: '/dev/null discards output' });
        continue;
      }
      if (r.dynamic) {
        parts.push({ kind: 'redirection', text, decision: 'deny', ruleId: null, reason: 'the redirection target is not a literal path' });
        continue;
      }
      if (changesDir && !r.target.startsWith('/') && !r.target.startsWith('~')) {
        parts.push({ kind: 'redirection', text, decision: 'deny', ruleId: null, reason: 'a relative redirection after a change of folder cannot be placed for certain' });
        continue;
      }
      const sub = this.evaluatePath({ ...call, capability: r.access === 'write' ? 'fs.write' : 'fs.read', resource: r.target }, r.access);
      parts.push({ kind: 'redirection', text, decision: sub.decision, ruleId: sub.ruleId, reason: sub.reason });
    }
    const worst = parts.reduce<Part | null>((w, p) => (!w || RANK[p.decision] > RANK[w.decision] ? p : w), null)!;
    const decidedBy: DecidedBy = worst.ruleId ? 'rule' : worst.decision === 'deny' ? 'safety' : 'default';
    const reason = parts.length === 1 ? worst.reason : `${worst.text}: ${worst.reason}`;
    const evaluation: Evaluation = { decision: worst.decision, decidedBy, ruleId: worst.ruleId, reason, resolved: call.resource, parts };
    return worst.decision === 'allow' ? this.askEverything(evaluation) : evaluation;
  }

  /** The arguments of a command line that name paths, each checked as a file tool's read (see `arguments.ts`). */
  private argumentParts(split: Extract<ShellSplit, { ok: true }>, call: PolicyCall): Part[] {
    const fallback = this.realRoots[0] ?? this.sys.home;
    return checkArguments(split.commands, call.cwd ?? fallback, {
      fallback,
      read: (text, raw, base) => this.argumentRead(text, raw, base, call),
      exists: (path) => this.sys.lstat(path) !== null,
      resolve: (raw, base) => {
        const r = resolvePath(raw, base, this.sys);
        return r.ok ? r.path : null;
      },
      list: this.sys.readdir ? (folder) => this.sys.readdir!(folder) : null,
    });
  }

  /** A path argument read as `read_text` would read it; nothing when that read would be allowed. */
  private argumentRead(text: string, raw: string, base: string, call: PolicyCall): Part[] {
    const sub = this.evaluatePath({ ...call, capability: 'fs.read', resource: raw, cwd: base }, 'read');
    if (sub.decision === 'allow' || (sub.decision === 'ask' && sub.decidedBy === 'mode')) return [];
    return [{ kind: 'argument', text, decision: sub.decision, ruleId: sub.ruleId, reason: sub.reason }];
  }

  private evaluateHttp(call: PolicyCall): Evaluation {
    const target = parseHttpTarget(call.resource);
    if (!target.ok) return result('deny', 'safety', null, target.reason, null);
    if (this.state.mode === 'read-only') return result('deny', 'mode', null, 'read-only mode denies network requests', target.href);
    const hostTarget: Target = { kind: 'host', host: target.host, port: target.port };
    const ruled = this.match('net.http', call, hostTarget);
    const privateReason = target.privateReason ?? call.resolvedPrivateReason ?? null;
    if (privateReason && ruled?.effect !== 'deny') {
      const scope = call.scope ?? NO_SCOPE;
      const literalAllow = (this.byCapability.get('net.http') ?? []).some((c) => c.effect === 'allow' && c.literal && inScope(c, scope) && c.test(hostTarget));
      if (!literalAllow) return result('deny', 'safety', null, `${privateReason}; only a rule naming this host can allow it`, target.href);
    }
    return this.finish(ruled, target.href, target.href);
  }

  /** The strongest matching rule (deny > ask > allow; the oldest wins a tie), or null. Allocates nothing per rule. */
  private match(capability: string, call: PolicyCall, target: Target, skipAllow = false): CompiledRule | null {
    const scope = call.scope ?? NO_SCOPE;
    const subject = target.kind === 'path' ? target.path : target.kind === 'text' ? target.text : '';
    const best = scan(this.byCapability.get(capability), scope, target, subject, skipAllow, null);
    return capability.startsWith('mcp.') && best?.effect !== 'deny' ? scan(this.mcpWildcard, scope, target, subject, skipAllow, best) : best;
  }

  private finish(ruled: CompiledRule | null, subject: string, resolved: string | null): Evaluation {
    if (!ruled) return result('ask', 'default', null, `no rule covers ${subject}; this kind of call asks by default`, resolved);
    const evaluation = result(ruled.effect, 'rule', ruled.rule.id, `rule ${ruled.rule.id}: ${ruled.effect} ${ruled.rule.capability} ${ruled.rule.pattern}`, resolved);
    return ruled.effect === 'allow' ? this.askEverything(evaluation) : evaluation;
  }

  private askEverything(evaluation: Evaluation): Evaluation {
    if (this.state.mode !== 'ask-everything' || evaluation.decision !== 'allow') return evaluation;
    return { ...evaluation, decision: 'ask', decidedBy: 'mode', reason: `ask-everything mode (otherwise: ${evaluation.reason})` };
  }

  private compile(rule: PermissionRule): CompiledRule | null {
    const [scopeKind, ...rest] = rule.scope.split(':') as ['everywhere' | 'schedule' | 'worker', ...string[]];
    const base = { rule, effect: rule.effect, scopeKind, scopeValue: rest.join(':'), literal: !rule.pattern.includes('*'), prefix: '', suffix: '' };
    const cap = rule.capability;
    if (cap === 'fs.read' || cap === 'fs.write') {
      if (this.patternProblem(cap, rule.pattern, false)) return null;
      const glob = this.realGlob(rule.pattern);
      // Paths and globs are already in one case where names ignore case (`matchablePath`, `realGlob`).
      const bounded = compilePathGlob(glob);
      const matches = bounded ?? legacyGlob(glob, this.sys.caseInsensitive);
      // "Cannot tell" (a path that would cost too much to decide) falls on the safe side: a deny or ask rule matches, an allow rule does not.
      const test = (t: Target) => t.kind === 'path' && (t.path === glob || (matches(t.path) ?? rule.effect !== 'allow'));
      return { ...base, prefix: picomatch.scan(glob).base.split('\\')[0], suffix: literalSuffix(glob), test };
    }
    if (cap === 'net.http') {
      const matchHost = compileHostPattern(rule.pattern);
      return { ...base, test: (t) => t.kind === 'host' && matchHost(t.host, t.port) };
    }
    const text = cap === 'shell.exec' ? rule.pattern.trim().split(/\s+/).join(' ') : rule.pattern;
    const wildcard = compileWildcard(text);
    // `ls *` also covers a bare `ls`: "this command, with any arguments".
    const bare = cap === 'shell.exec' && text.endsWith(' *') && !text.endsWith('\\ *') ? compileWildcard(text.slice(0, -2)) : null;
    return { ...base, prefix: /^[^*\\]*/.exec(text)![0].replace(/ $/, ''), test: (t) => t.kind === 'text' && (wildcard(t.text) || (bare !== null && bare(t.text))) };
  }

  /** A path glob with `~` expanded and its literal base made real, so it compares with real paths. */
  private realGlob(pattern: string): string {
    let p = pattern.trim().replace(/\\/g, '/');
    if (p === '~' || p.startsWith('~/')) p = this.sys.home.replace(/\\/g, '/') + p.slice(1);
    const scan = picomatch.scan(p);
    const base = scan.isGlob ? scan.base : p;
    const real = resolveRoot(base || '/', this.sys);
    const realBase = real ? matchablePath(real, this.sys) : base;
    const rest = scan.isGlob ? p.slice(scan.base.length) : '';
    const joined = rest ? `${realBase.replace(/\/$/, '')}${rest.startsWith('/') ? '' : '/'}${rest}` : realBase;
    return this.sys.caseInsensitive ? joined.toLowerCase() : joined;
  }
}

const NO_SCOPE: NonNullable<PolicyCall['scope']> = {};

function inScope(c: CompiledRule, scope: NonNullable<PolicyCall['scope']>): boolean {
  return c.scopeKind === 'everywhere' || (c.scopeKind === 'schedule' ? scope.scheduleId === c.scopeValue : scope.workerRole === c.scopeValue);
}

function scan(list: readonly CompiledRule[] | undefined, scope: NonNullable<PolicyCall['scope']>, target: Target, subject: string, skipAllow: boolean, start: CompiledRule | null): CompiledRule | null {
  let best = start;
  if (!list) return best;
  for (const c of list) {
    if (skipAllow && c.effect === 'allow') continue;
    if (best && RANK[c.effect] <= RANK[best.effect]) continue;
    if (c.prefix && !subject.startsWith(c.prefix)) continue;
    if (c.suffix && !subject.endsWith(c.suffix)) continue;
    if (!inScope(c, scope) || !c.test(target)) continue;
    best = c;
    if (c.effect === 'deny') break;
  }
  return best;
}

/**
 * The literal last characters of a glob's final segment, when something before them is a wildcard
 * (`.md` for `*.md`, `todo.md` for a `**` glob ending in `/todo.md`). Stops at any character picomatch may read
 * as syntax, so a path that does not end with it cannot match.
 */
function literalSuffix(glob: string): string {
  const tail = /[^*?[\]{}()!+@|\\/]*$/.exec(glob)![0];
  return tail.length < glob.length && /[*?[\]{}()!+@|]/.test(glob.slice(0, glob.length - tail.length)) ? tail : '';
}

function result(decision: Verdict, decidedBy: DecidedBy, ruleId: string | null, reason: string, resolved: string | null): Evaluation {
  return { decision, decidedBy, ruleId, reason, resolved, parts: [] };
}

/**
 * A stored rule whose glob the bounded matcher cannot read (extended globs such as `!(x).md`, saved
 * before they were refused): picomatch, on paths no longer than the system allows.
 */
function legacyGlob(glob: string, nocase: boolean): (path: string) => boolean | null {
  const re = picomatch.makeRe(glob, { dot: true, nocase });
  return (path) => (path.length > MAX_PATH_INPUT ? null : re.test(path));
}
