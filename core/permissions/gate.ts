import { AppError, type AuditEntry, type DecidedBy, type EventData, type PermissionMode, type RuleInput } from '../contract/index.js';
import type { EventLog } from '../events/index.js';
import type { Clock, TimerHandle } from '../util/index.js';
import type { Ids } from '../util/index.js';
import type { Logger } from '../util/index.js';
import { formatNetApproval, resolvePrivateReason, parseHttpTarget, type HostResolver } from './net.js';
import type { Evaluation, PolicyEngine } from './policy.js';
import { applySkills } from './skills.js';
import { denyKeyCarrier } from './keys.js';
import type { PermissionQueries } from './store.js';
import type { PermissionDecision, PermissionGate, PermissionRequest } from './types.js';

/** What a person (or a client on their behalf) is told when a call waits for them. */
export interface PermissionNotice {
  requestId: string;
  runId: string;
  title: string;
  body: string;
  /** No one is watching this run (schedule, worker): the desktop shell may badge the tray. */
  unattended: boolean;
}

export interface GateDeps {
  log: EventLog;
  queries: PermissionQueries;
  engine: PolicyEngine;
  clock: Clock;
  ids: Ids;
  logger: Logger;
  /** Native notification (desktop) or nothing (headless host); failures are logged, never fatal. */
  notify: (notice: PermissionNotice) => void | Promise<void>;
  resolver: HostResolver | null;
  redact: (text: string) => string;
  expiry: () => { attended: number; unattended: number };
  /** Saves a rule inside the caller's transaction; returns its id ("allow always"). */
  saveRule: (input: RuleInput) => string;
}

interface Waiter {
  runId: string;
  /** The call's target as the tool must use it (the log holds it redacted). */
  resolved: string;
  /** A command's real working folder, as checked. */
  cwd: string | null;
  /** The call as asked, for `details`. */
  request: PermissionRequest;
  /** The resource as the gate resolved it (a real path, a normalised URL), before any net formatting. */
  target: string;
  settle: (decision: PermissionDecision) => void;
  timer: TimerHandle;
}

export interface PermissionGateControl extends PermissionGate {
  /** Records a person's answer; a request already decided returns its first decision. */
  answer(input: { requestId: string; decision: 'allow' | 'deny'; always: boolean; rule?: RuleInput }): { entry: AuditEntry; ruleId: string | null; alreadyAnswered: boolean };
  /** Closes a run's pending requests (deny), inside the caller's transaction. Used at start for runs a dead process left. */
  closePendingOfRun(runId: string, by: DecidedBy, reason: string): number;
  /** Requests waiting in this process. */
  waiting(): number;
  /** What a call still waiting for a person would do (target, working folder, text to write); null once decided. */
  waitingCall(requestId: string): WaitingCall | null;
}

/** A call waiting for a person, as the approval dialog shows it. Secrets are not redacted here. */
export interface WaitingCall {
  capability: string;
  tool: string;
  /** The resolved resource: a real path, a normalised URL, a command line. */
  target: string;
  cwd: string | null;
  content: string | null;
}

/** The gate every tool call passes: decides at once when it can, otherwise parks the run and waits for a person. */
export function createPermissionGate(deps: GateDeps): PermissionGateControl {
  const waiters = new Map<string, Waiter>();
  // A run may wait on several requests at once (parallel calls); it is waiting until the last is decided.
  const waitingPerRun = new Map<string, number>();

  const callData = (requestId: string, request: PermissionRequest, evaluation: Evaluation, mode: PermissionMode) => ({
    requestId,
    capability: request.capability,
    resource: deps.redact(request.resource),
    resolved: evaluation.resolved === null ? null : deps.redact(evaluation.resolved),
    tool: request.tool,
    argsSummary: deps.redact(request.argsSummary.slice(0, 2000)),
    scope: request.scope ?? {},
    mode,
  });

  const toDecision = (entry: AuditEntry, resolved: string, cwd: string | null): PermissionDecision =>
    entry.decision === 'allow'
      ? { decision: 'allow', by: byText(entry.decidedBy, entry.ruleId), requestId: entry.requestId, resolved, ...(cwd === null ? {} : { cwd }), ruleId: entry.ruleId }
      : { decision: 'deny', by: byText(entry.decidedBy, entry.ruleId), reason: entry.reason, requestId: entry.requestId, ruleId: entry.ruleId };

  /** Decides a pending request once; later calls find it decided and change nothing. Must run in a transaction. */
  const decidePending = (requestId: string, data: Pick<EventData<'permission.decided'>, 'decision' | 'decidedBy' | 'ruleId' | 'reason' | 'answer'>): AuditEntry => {
    const entry = deps.queries.request(requestId);
    if (!entry) throw new AppError('not_found', `no permission request ${requestId}`);
    if (entry.status === 'decided') return entry;
    deps.log.append(
      'permission.decided',
      {
        requestId,
        capability: entry.capability,
        resource: entry.resource,
        resolved: entry.resolved,
        tool: entry.tool,
        argsSummary: entry.argsSummary,
        scope: entry.scope,
        mode: deps.engine.mode(),
        ...data,
      },
      entry.runId,
    );
    return deps.queries.request(requestId)!;
  };

  const settle = (requestId: string): void => {
    const waiter = waiters.get(requestId);
    if (!waiter) return;
    waiters.delete(requestId);
    deps.clock.clearTimeout(waiter.timer);
    waiter.settle(toDecision(deps.queries.request(requestId)!, waiter.resolved, waiter.cwd));
  };

  return {
    async check(request, run) {
      const requestId = deps.ids.next('perm');
      if (run.signal.aborted) return { decision: 'deny', by: 'cancelled', reason: 'the run was cancelled', requestId };
      let resolvedPrivateReason: string | null = null;
      let vetted: string[] = [];
      if (request.capability === 'net.http') {
        const target = parseHttpTarget(request.resource);
        if (target.ok && target.isIp) vetted = [target.host];
        if (target.ok && !target.isIp && !target.privateReason) ({ reason: resolvedPrivateReason, addresses: vetted } = await resolvePrivateReason(target.host, deps.resolver));
        if (run.signal.aborted) return { decision: 'deny', by: 'cancelled', reason: 'the run was cancelled', requestId };
      }
      // A command runs in the real folder checked here, and its relative redirections are judged there,
      // so a link swapped while the call waits cannot move it.
      const where = request.capability === 'shell.exec' ? deps.engine.workingFolder(request.cwd) : null;
      const cwd = where?.ok ? where.path : null;
      const carrier = denyKeyCarrier(request, deps.redact);
      const evaluation: Evaluation =
        carrier ??
        applySkills(
          where && !where.ok
            ? { decision: 'deny', decidedBy: 'safety', ruleId: null, reason: where.reason, resolved: null, parts: [] }
            : deps.engine.evaluate({ ...request, ...(cwd === null ? {} : { cwd }), resolvedPrivateReason }),
          request,
        );
      // The tool connects only to the addresses checked here: a name looked up again could answer otherwise (DNS rebinding).
      const toolTarget = (resolved: string) =>
        request.capability === 'net.http' ? formatNetApproval({ href: resolved, addresses: vetted, privateAllowed: deps.engine.namesHttpHost(request) }) : resolved;
      const mode = deps.engine.mode();
      if (evaluation.decision !== 'ask') {
        deps.log.transaction(() =>
          deps.log.append(
            'permission.decided',
            { ...callData(requestId, request, evaluation, mode), decision: evaluation.decision as 'allow' | 'deny', decidedBy: evaluation.decidedBy, ruleId: evaluation.ruleId, reason: evaluation.reason, answer: null },
            request.runId,
          ),
        );
        return toDecision(deps.queries.request(requestId)!, toolTarget(evaluation.resolved ?? request.resource), cwd);
      }

      // Schedules and workers run with nobody watching, whether or not the caller named their scope.
      const kind = deps.queries.runKind(request.runId);
      const unattended = Boolean(request.scope?.scheduleId || request.scope?.workerRole || kind === 'schedule' || kind === 'worker');
      const expiry = deps.expiry();
      const expiresAt = deps.clock.now() + (unattended ? expiry.unattended : expiry.attended);
      const decided = new Promise<PermissionDecision>((resolve) => {
        const timer = deps.clock.setTimeout(() => {
          deps.log.transaction(() => decidePending(requestId, { decision: 'deny', decidedBy: 'expiry', ruleId: null, reason: 'nobody answered in time', answer: null }));
          settle(requestId);
        }, expiresAt - deps.clock.now());
        waiters.set(requestId, { runId: request.runId, resolved: toolTarget(evaluation.resolved ?? request.resource), cwd, request, target: evaluation.resolved ?? request.resource, settle: resolve, timer });
      });
      const closeForRun = (status: string) => {
        if (!waiters.has(requestId)) return;
        decidePending(requestId, { decision: 'deny', decidedBy: 'cancelled', ruleId: null, reason: `the run ended (${status}) while this request waited`, answer: null });
        settle(requestId);
      };
      // Registered before the request exists so a cancel at any later moment closes it inside the run's final transaction.
      run.onEnd?.((status) => closeForRun(status));
      try {
        deps.log.transaction(() => {
          deps.log.append('permission.requested', { ...callData(requestId, request, evaluation, mode), reason: evaluation.reason, expiresAt }, request.runId);
          if (!waitingPerRun.get(request.runId)) run.setStatus('waiting_permission', deps.redact(`permission: ${request.capability} ${request.resource}`).slice(0, 300));
        });
        waitingPerRun.set(request.runId, (waitingPerRun.get(request.runId) ?? 0) + 1);
      } catch (err) {
        const waiter = waiters.get(requestId);
        if (waiter) deps.clock.clearTimeout(waiter.timer);
        waiters.delete(requestId);
        throw err;
      }
      const onAbort = () => deps.log.transaction(() => closeForRun('cancelled'));
      run.signal.addEventListener('abort', onAbort, { once: true });
      if (run.signal.aborted) onAbort();
      try {
        await deps.notify({
          requestId,
          runId: request.runId,
          title: unattended ? 'A background task needs your permission' : 'Agent Blob needs your permission',
          body: deps.redact(`${request.tool}: ${request.argsSummary || request.resource}`).slice(0, 300),
          unattended,
        });
      } catch (err) {
        deps.logger.log('warn', 'permission notification failed', { runId: request.runId, requestId, error: String(err) });
      }
      const decision = await decided;
      run.signal.removeEventListener('abort', onAbort);
      const left = (waitingPerRun.get(request.runId) ?? 1) - 1;
      if (left > 0) waitingPerRun.set(request.runId, left);
      else waitingPerRun.delete(request.runId);
      if (!run.signal.aborted && left <= 0) run.setStatus('running', null);
      return decision;
    },

    readableInside(path, scope) {
      return deps.engine.readableInside(path, scope);
    },

    answer({ requestId, decision, always, rule }) {
      const result = deps.log.transaction(() => {
        const before = deps.queries.request(requestId);
        if (!before) throw new AppError('not_found', `no permission request ${requestId}`);
        if (before.status === 'decided') return { entry: before, ruleId: before.answer === 'always' ? before.ruleId : null, alreadyAnswered: true };
        let ruleId: string | null = null;
        if (decision === 'allow' && always) {
          if (!rule) throw new AppError('invalid_input', '"allow always" needs the rule to save (see permissions.suggest)');
          // The rule is the answer to this call: an allow of its capability, not some other rule saved on the side.
          if (rule.effect !== 'allow') throw new AppError('invalid_input', `"allow always" saves an allow rule, not ${rule.effect}`);
          if (rule.capability !== before.capability && !(rule.capability === 'mcp.*' && before.capability.startsWith('mcp.'))) {
            throw new AppError('invalid_input', `"allow always" for a ${before.capability} call saves a ${before.capability} rule, not ${rule.capability}`);
          }
          ruleId = deps.saveRule(rule);
        }
        const entry = decidePending(requestId, {
          decision,
          decidedBy: 'user',
          ruleId,
          reason: decision === 'allow' ? (always ? 'allowed always by you' : 'allowed once by you') : 'denied by you',
          answer: decision === 'deny' ? 'deny' : always ? 'always' : 'once',
        });
        return { entry, ruleId, alreadyAnswered: false };
      });
      settle(requestId);
      return result;
    },

    closePendingOfRun(runId, by, reason) {
      const pending = deps.queries.pending(runId);
      for (const entry of pending) {
        decidePending(entry.requestId, { decision: 'deny', decidedBy: by, ruleId: null, reason, answer: null });
        settle(entry.requestId);
      }
      return pending.length;
    },

    waiting() {
      return waiters.size;
    },

    waitingCall(requestId) {
      const waiter = waiters.get(requestId);
      if (!waiter) return null;
      const { request } = waiter;
      return { capability: request.capability, tool: request.tool, target: waiter.target, cwd: waiter.cwd, content: request.content ?? null };
    },
  };
}

function byText(decidedBy: DecidedBy | null, ruleId: string | null): string {
  return decidedBy === 'rule' && ruleId ? `rule:${ruleId}` : (decidedBy ?? 'unknown');
}
