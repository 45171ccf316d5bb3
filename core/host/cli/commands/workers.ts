import { AppError, type Worker, type WorkerTranscriptEntry } from '../../../contract/index.js';
import { intFlag } from '../args.js';
import { formatTime, oneLine, table } from '../format.js';
import { EXIT, type CommandGroup } from '../types.js';

function workerRow(w: Worker): string[] {
  return [w.id, w.role, w.status + (w.reason && w.status !== 'done' ? ` (${w.reason})` : ''), oneLine(w.task, 40), w.parentRunId ?? '-', formatTime(w.startedAt), formatTime(w.endedAt), String(w.tokens), `$${w.costUsd.toFixed(4)}`];
}

function transcriptLine(e: WorkerTranscriptEntry): string {
  if (e.kind === 'message') return `${e.role}: ${e.text}${e.status === 'done' ? '' : ` [${e.status}]`}`;
  if (e.kind === 'tool_call') return `tool ${e.tool} ${e.args} -> ${e.status === 'ok' ? oneLine(e.output, 200) : e.status === 'running' ? 'running' : `error ${e.error?.code}: ${e.error?.message}`}`;
  if (e.kind === 'artifact') return `artifact ${e.artifactId}: ${e.name} (${e.type}, ${e.size} bytes); agent-blob workers artifact ${e.artifactId}`;
  return `error ${e.code}: ${e.message}`;
}

function oneId(args: string[], command: string): string {
  const [id, ...extra] = args;
  if (!id || extra.length) throw new AppError('invalid_input', `${command} needs exactly one worker id; see agent-blob workers list`);
  return id;
}

export const workersGroup: CommandGroup = {
  name: 'workers',
  summary: 'Workers: sub-agents started by chat or by other workers; list, inspect, cancel, roles.',
  commands: [
    {
      name: 'workers list',
      summary: 'List workers, newest first: id, role, task, status, parent run, started, ended, tokens, cost',
      options: {
        active: { type: 'boolean', description: 'only workers that have not ended' },
        limit: { type: 'string', value: 'N', description: 'at most N workers (default 50)' },
      },
      async run(ctx) {
        const client = await ctx.connect();
        const { workers } = await client.call('workers.list', { status: ctx.flags.active ? 'active' : 'all', limit: intFlag(ctx.flags, 'limit', 50) });
        if (ctx.json) ctx.io.stdout(`${JSON.stringify({ workers })}\n`);
        else if (!workers.length) ctx.io.stdout(ctx.flags.active ? 'no active workers\n' : 'no workers\n');
        else ctx.io.stdout(table([['ID', 'ROLE', 'STATUS', 'TASK', 'PARENT RUN', 'STARTED (UTC)', 'ENDED (UTC)', 'TOKENS', 'COST'], ...workers.map(workerRow)]));
        return EXIT.ok;
      },
    },
    {
      name: 'workers show',
      params: 'ID',
      summary: 'Show a worker: status, step, tokens, cost, its result and its whole transcript',
      async run(ctx) {
        const workerId = oneId(ctx.args, 'workers show');
        const client = await ctx.connect();
        const w = await client.call('workers.get', { workerId });
        if (ctx.json) {
          ctx.io.stdout(`${JSON.stringify(w)}\n`);
          return EXIT.ok;
        }
        const lines = [
          `worker ${w.id} (${w.role}) ${w.status}${w.reason ? ` (${w.reason})` : ''}${w.step ? `, ${w.step}` : ''}`,
          `task: ${w.task}`,
          `parent run: ${w.parentRunId ?? '-'}, depth ${w.depth}`,
          `started ${formatTime(w.startedAt)}, ended ${formatTime(w.endedAt)}; ${w.tokens} tokens, $${w.costUsd.toFixed(6)}`,
        ];
        if (w.error) lines.push(`error: ${w.error}`);
        if (w.envelope) {
          lines.push(`summary: ${w.envelope.summary}`);
          for (const a of w.envelope.artifacts) lines.push(`artifact ${a.id}: ${a.name} (${a.type}, ${a.size} bytes)`);
          for (const e of w.envelope.errors) lines.push(`reported error: ${e}`);
        }
        lines.push('', 'transcript:', ...w.transcript.map(transcriptLine));
        ctx.io.stdout(`${lines.join('\n')}\n`);
        return EXIT.ok;
      },
    },
    {
      name: 'workers artifact',
      params: 'ID',
      summary: 'Show a file a worker handed back: where it is in the data folder and, for text up to 1 MB, its content',
      async run(ctx) {
        const [artifactId, ...extra] = ctx.args;
        if (!artifactId || extra.length) throw new AppError('invalid_input', 'workers artifact needs exactly one artifact id; see agent-blob workers show ID');
        const client = await ctx.connect();
        const shown = await client.call('workers.artifact', { artifactId });
        if (ctx.json) {
          ctx.io.stdout(`${JSON.stringify(shown)}\n`);
          return EXIT.ok;
        }
        const a = shown.artifact;
        const lines = [`artifact ${a.id}: ${a.name} (${a.type}, ${a.size} bytes) from worker ${a.runId}`, `path: ${shown.path}`];
        lines.push(shown.text === null ? '(not text, or over 1 MB: open it from the path)' : `\n${shown.text}`);
        ctx.io.stdout(`${lines.join('\n')}\n`);
        return EXIT.ok;
      },
    },
    {
      name: 'workers cancel',
      params: 'ID',
      summary: 'Cancel a worker that has not ended, and every worker it started',
      async run(ctx) {
        const workerId = oneId(ctx.args, 'workers cancel');
        const client = await ctx.connect();
        const w = await client.call('workers.cancel', { workerId });
        ctx.io.stdout(ctx.json ? `${JSON.stringify(w)}\n` : `worker ${w.id} ${w.status}\n`);
        return EXIT.ok;
      },
    },
    {
      name: 'workers roles',
      summary: 'List the worker roles (model, tools, memory access, budget, rules scoped to the role) and the pool limits',
      async run(ctx) {
        const client = await ctx.connect();
        const shown = await client.call('workers.roles', {});
        if (ctx.json) {
          ctx.io.stdout(`${JSON.stringify(shown)}\n`);
          return EXIT.ok;
        }
        const lines = [`pool: at most ${shown.pool.maxRunning} running, nested at most ${shown.pool.maxDepth} deep`];
        for (const r of shown.roles) {
          const b = r.budget;
          lines.push(
            '',
            `${r.name}: ${r.description}`,
            `  model: ${r.model ?? '(worker route)'}; memory: ${r.memory}; budget: ${b.tokens ?? 'no'} tokens, ${b.costUsd === null ? 'no cost limit' : `$${b.costUsd}`}, ${b.wallTimeSec === null ? 'no time limit' : `${b.wallTimeSec} s`}`,
            `  tools: ${r.tools.join(', ') || '(none)'}`,
            ...r.rules.map((rule) => `  rule ${rule.id}: ${rule.effect} ${rule.capability} ${rule.pattern}`),
          );
        }
        ctx.io.stdout(`${lines.join('\n')}\n`);
        return EXIT.ok;
      },
    },
  ],
};
