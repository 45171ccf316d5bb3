import { z } from 'zod';
import { AppError, type Worker, type WorkerRole } from '../contract/index.js';
import { ToolError, defineTool, type AnyTool, type ToolErrorCode } from '../tools/index.js';
import type { WorkerPool } from './pool.js';
import type { WorkerSettingsService } from './roles.js';
import type { WorkerQueries } from './store.js';

const workerId = z.string().min(1).max(200);

/** What the parent gets for a worker: its envelope (or why it has none), never its transcript. */
export function resultFor(worker: Worker, queries: WorkerQueries): Record<string, unknown> {
  const envelope = queries.envelope(worker.id);
  const ended = worker.endedAt !== null;
  return {
    worker: worker.id,
    role: worker.role,
    status: worker.status,
    ...(worker.reason ? { reason: worker.reason } : {}),
    summary: envelope?.summary ?? (ended ? '' : null),
    artifacts: (envelope?.artifacts ?? []).map((a) => ({ id: a.id, name: a.name, type: a.type, size: a.size })),
    errors: envelope?.errors ?? (ended && worker.status !== 'done' ? [worker.error ?? worker.reason ?? worker.status] : []),
  };
}

function toolError(err: unknown): never {
  if (err instanceof AppError) {
    const code: ToolErrorCode = err.code === 'invalid_input' ? 'invalid_args' : err.code === 'not_found' ? 'not_found' : err.code === 'denied' ? 'denied' : 'failed';
    throw new ToolError(code, err.message);
  }
  throw err;
}

function summaryLine(w: Worker, now: number): string {
  const since = w.startedAt ?? w.createdAt;
  const elapsed = Math.max(0, Math.round(((w.endedAt ?? now) - since) / 1000));
  return `${w.id} ${w.role} ${w.status}${w.reason ? ` (${w.reason})` : ''}${w.step ? `, ${w.step}` : ''}: "${w.task.slice(0, 100)}" ${elapsed}s, ${w.tokens} tokens, $${w.costUsd.toFixed(4)}${w.parentRunId ? `, started by ${w.parentRunId}` : ''}`;
}

function spawnDescription(roles: readonly WorkerRole[]): string {
  const named = roles.map((r) => `${r.name} (${r.description})`).join('; ');
  return `Start a worker (a sub-agent with its own context) on one task. By default waits and returns its result {summary, artifacts, errors}; several spawn_worker calls in one turn run side by side. wait=false returns the worker id at once (then await_workers). Roles: ${named || 'none configured'}.`;
}

/** The agent's worker tools: spawn, await, list, status and cancel. */
export function workerTools(deps: { pool: WorkerPool; queries: WorkerQueries; settings: WorkerSettingsService; now: () => number }): AnyTool[] {
  const { pool, queries, settings } = deps;
  // Read at every model turn of every run offered the tool: made again only when the roles change
  // (a saved or removed role replaces the list), the same string otherwise.
  let described: { roles: readonly WorkerRole[]; text: string } | null = null;
  const spawn = defineTool({
    name: 'spawn_worker',
    get description() {
      const roles = settings.roles();
      if (described?.roles !== roles) described = { roles, text: spawnDescription(roles) };
      return described.text;
    },
    args: z.object({
      role: z.string().min(1).max(40),
      task: z.string().trim().min(1).max(20_000).describe('Everything the worker needs to know: it sees nothing of this conversation'),
      wait: z.boolean().default(true),
    }),
    capability: 'worker.spawn',
    resource: (args) => args.role,
    summarize: (args) => `${args.role}: ${args.task.slice(0, 200)}`,
    async run(args, ctx) {
      let worker: Worker;
      try {
        worker = pool.spawn({ parentRunId: ctx.runId, role: args.role, task: args.task });
      } catch (err) {
        toolError(err);
      }
      if (!args.wait) return { text: JSON.stringify({ worker: worker.id, role: worker.role, status: worker.status }), data: { workerId: worker.id } };
      const [ended] = await pool.wait([worker.id], ctx.signal, ctx.runId);
      if (ctx.signal.aborted) throw new ToolError('cancelled', 'the run was cancelled while its worker worked');
      return { text: JSON.stringify(resultFor(ended, queries)), data: { workerId: worker.id } };
    },
  });
  const awaitWorkers = defineTool({
    name: 'await_workers',
    description: 'Wait until the given workers have ended and return each one\'s result {summary, artifacts, errors}.',
    args: z.object({ ids: z.array(workerId).min(1).max(20) }),
    capability: null,
    resource: (args) => args.ids.join(' '),
    async run(args, ctx) {
      let workers: Worker[];
      try {
        workers = await pool.wait(args.ids, ctx.signal, ctx.runId);
      } catch (err) {
        toolError(err);
      }
      if (ctx.signal.aborted) throw new ToolError('cancelled', 'the run was cancelled while it waited');
      return { text: JSON.stringify(workers.map((w) => resultFor(w, queries))) };
    },
  });
  const list = defineTool({
    name: 'list_workers',
    description: 'List workers from the registry (what is running, queued, what it costs): active ones by default, or all recent ones.',
    args: z.object({ status: z.enum(['active', 'all']).default('active'), limit: z.number().int().min(1).max(100).default(20) }),
    capability: null,
    resource: () => '',
    async run(args) {
      const workers = queries.list(args.status, args.limit);
      const now = deps.now();
      return { text: workers.length ? workers.map((w) => summaryLine(w, now)).join('\n') : args.status === 'active' ? 'No workers are active.' : 'No workers yet.', data: { workers } };
    },
  });
  const status = defineTool({
    name: 'worker_status',
    description: 'One worker: its state, current step, tokens and cost, and its result once it has ended.',
    args: z.object({ id: workerId }),
    capability: null,
    resource: (args) => args.id,
    async run(args) {
      const worker = queries.get(args.id);
      if (!worker) throw new ToolError('not_found', `no worker ${args.id}`);
      return { text: `${summaryLine(worker, deps.now())}\n${JSON.stringify(resultFor(worker, queries))}` };
    },
  });
  const cancel = defineTool({
    name: 'cancel_worker',
    description: 'Stop a worker and every worker it started. A worker may stop only workers it started.',
    args: z.object({ id: workerId }),
    capability: null,
    resource: (args) => args.id,
    async run(args, ctx) {
      if (queries.depth(ctx.runId) > 0 && !pool.isDescendant(args.id, ctx.runId)) throw new ToolError('denied', `${args.id} was not started by this worker`);
      try {
        const worker = pool.cancel(args.id, 'cancelled_by_agent');
        return { text: summaryLine(worker, deps.now()) };
      } catch (err) {
        toolError(err);
      }
    },
  });
  return [spawn, awaitWorkers, list, status, cancel];
}
