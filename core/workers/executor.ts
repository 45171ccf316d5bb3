import { agentExecutor, type AgentRunInput, type AgentRuntime } from '../agent/index.js';
import type { WorkerRole } from '../contract/index.js';
import type { RunContext, RunExecutor } from '../runs/index.js';
import type { ArtifactStore } from './artifacts.js';
import { ENVELOPE_INSTRUCTIONS, parseEnvelope } from './envelope.js';

/** What a worker's agent run is allowed: the role's instructions, model, tools, memory access, budget and rule scope. */
export function workerRunInput(role: WorkerRole, task: string): AgentRunInput {
  return {
    purpose: 'worker',
    userMessageSeq: 0,
    messages: [{ role: 'user', content: task }],
    model: role.model ?? undefined,
    allowedTools: role.tools,
    sections: [
      { title: `Your role: ${role.name}`, body: role.systemPrompt },
      { title: 'Your result', body: ENVELOPE_INSTRUCTIONS },
    ],
    scope: { workerRole: role.name },
    recall: role.memory !== 'none',
    toolFilter: (tool) => (role.memory === 'read_write' ? true : role.memory === 'read' ? tool.capability !== 'memory.write' : !tool.name.startsWith('memory_')),
    budget: { tokens: role.budget.tokens, costUsd: role.budget.costUsd },
  };
}

/**
 * A worker's run: the agent loop inside its role, stopped `budget_exceeded` when its wall time runs
 * out, then its last message read as the result envelope. A valid envelope's artifacts are stored
 * and `worker.result` recorded in the transaction that ends the run `done`; an invalid one fails the
 * worker with what was wrong (`invalid_envelope`).
 */
export function workerExecutor(deps: { agent: AgentRuntime; artifacts: ArtifactStore }, role: WorkerRole, task: string): RunExecutor {
  const { agent, artifacts } = deps;
  return async (ctx) => {
    const inner = new AbortController();
    const stopInner = () => inner.abort(ctx.signal.reason);
    ctx.signal.addEventListener('abort', stopInner, { once: true });
    let outOfTime = false;
    const timer =
      role.budget.wallTimeSec === null
        ? null
        : agent.clock.setTimeout(() => {
            outOfTime = true;
            inner.abort(new Error('wall time budget'));
          }, role.budget.wallTimeSec * 1000);
    let lastText: string | null = null;
    const watch = (type: string, data: unknown) => {
      if (type === 'message.completed') {
        const d = data as { status: string; text: string };
        if (d.status === 'done') lastText = d.text;
      } else if (type === 'tool.started') {
        lastText = null;
      }
    };
    const wrapped: RunContext = {
      runId: ctx.runId,
      signal: inner.signal,
      emit: (type, data) => {
        if (inner.signal.aborted) return false;
        watch(type, data);
        return ctx.emit(type, data);
      },
      emitLater: (type, data) => {
        if (inner.signal.aborted) return false;
        watch(type, data);
        return ctx.emitLater(type, data);
      },
      transaction: (fn) => (inner.signal.aborted ? false : ctx.transaction(fn)),
      defer: (fn) => (inner.signal.aborted ? false : ctx.defer(fn)),
      setStatus: (to, reason) => ctx.setStatus(to, reason),
      onEnd: (step) => ctx.onEnd(step),
    };
    let outcome;
    try {
      outcome = await agentExecutor(agent, workerRunInput(role, task))(wrapped);
    } finally {
      if (timer !== null) agent.clock.clearTimeout(timer);
      ctx.signal.removeEventListener('abort', stopInner);
    }
    if (ctx.signal.aborted) return { status: 'done' };
    if (outOfTime) {
      const error = `the worker ran out of its wall time budget (${role.budget.wallTimeSec} s)`;
      ctx.emit('timeline.error', { code: 'budget_exceeded', message: error });
      return { status: 'failed', reason: 'budget_exceeded', error };
    }
    if (outcome.status !== 'done') return outcome;
    const parsed = parseEnvelope(lastText);
    if (!parsed.ok) {
      ctx.emit('timeline.error', { code: 'invalid_envelope', message: parsed.error });
      return { status: 'failed', reason: 'invalid_envelope', error: parsed.error };
    }
    let written;
    try {
      written = artifacts.write(ctx.runId, parsed.envelope.artifacts);
    } catch (err) {
      const error = `the worker's artifacts could not be stored: ${(err as Error).message}`;
      ctx.emit('timeline.error', { code: 'artifact_failed', message: error });
      return { status: 'failed', reason: 'artifact_failed', error };
    }
    // The result commits with the run's final status, in the transaction that ends it: one write
    // instead of two. A run that ends otherwise after all (cancelled as it returned) keeps no files.
    const { summary, errors } = parsed.envelope;
    ctx.onEnd((status) => {
      if (status !== 'done') {
        artifacts.discard(written);
        return;
      }
      artifacts.record(ctx.runId, written);
      agent.log.append('worker.result', { summary, artifacts: artifacts.ofRunId(ctx.runId), errors }, ctx.runId);
    });
    return { status: 'done' };
  };
}
