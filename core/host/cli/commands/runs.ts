import { RunStatusSchema, AppError } from '../../../contract/index.js';
import { intFlag } from '../args.js';
import { runRow, table } from '../format.js';
import { EXIT, type CommandGroup } from '../types.js';

export const runsGroup: CommandGroup = {
  name: 'runs',
  summary: 'Runs: chat turns, scheduled prompts and worker tasks.',
  commands: [
    {
      name: 'runs list',
      summary: 'List runs, newest first',
      options: {
        status: { type: 'string', value: 'STATUS', description: 'only runs in this status (queued, running, waiting_permission, done, failed, cancelled)' },
        limit: { type: 'string', value: 'N', description: 'at most N runs (default 50)' },
      },
      async run(ctx) {
        const status = ctx.flags.status === undefined ? undefined : RunStatusSchema.safeParse(ctx.flags.status);
        if (status && !status.success) throw new AppError('invalid_input', `--status must be one of ${RunStatusSchema.options.join(', ')}`);
        const client = await ctx.connect();
        const { runs } = await client.call('runs.list', { limit: intFlag(ctx.flags, 'limit', 50), status: status?.data });
        if (ctx.json) {
          ctx.io.stdout(`${JSON.stringify({ runs })}\n`);
        } else if (!runs.length) {
          ctx.io.stdout('no runs\n');
        } else {
          ctx.io.stdout(table([['ID', 'STATUS', 'KIND', 'CREATED (UTC)', 'TITLE'], ...runs.map(runRow)]));
        }
        return EXIT.ok;
      },
    },
    {
      name: 'runs cancel',
      params: 'ID',
      summary: 'Cancel a run that has not ended',
      async run(ctx) {
        const [runId, ...extra] = ctx.args;
        if (!runId || extra.length) throw new AppError('invalid_input', 'runs cancel needs exactly one run id; see agent-blob runs list');
        const client = await ctx.connect();
        const run = await client.call('runs.cancel', { runId });
        ctx.io.stdout(ctx.json ? `${JSON.stringify(run)}\n` : `run ${run.id} ${run.status}\n`);
        return EXIT.ok;
      },
    },
    {
      name: 'runs show',
      params: 'ID',
      summary: 'Show a run: status, the model that answered, tokens and cost per model, tool calls',
      async run(ctx) {
        const [runId, ...extra] = ctx.args;
        if (!runId || extra.length) throw new AppError('invalid_input', 'runs show needs exactly one run id; see agent-blob runs list');
        const client = await ctx.connect();
        const shown = await client.call('runs.show', { runId });
        if (ctx.json) {
          ctx.io.stdout(`${JSON.stringify(shown)}\n`);
          return EXIT.ok;
        }
        const t = shown.usage.total;
        const lines = [
          `run ${shown.runId} ${shown.status}${shown.reason ? ` (${shown.reason})` : ''}`,
          `model: ${shown.model ?? '-'}`,
          `tokens: ${t.inputTokens} in, ${t.outputTokens} out, ${t.cacheReadTokens} cache read, ${t.cacheWriteTokens} cache write; cost $${t.costUsd.toFixed(6)}${shown.usage.estimated ? ' (estimated: the server reported no usage)' : ''}`,
        ];
        if (shown.usage.byModel.length > 1) {
          for (const m of shown.usage.byModel) lines.push(`  ${m.model}: ${m.responses} response(s), ${m.inputTokens} in, ${m.outputTokens} out, $${m.costUsd.toFixed(6)}${m.estimated ? `, ${m.estimated} estimated` : ''}`);
        }
        for (const c of shown.toolCalls) lines.push(`tool ${c.tool}: ${c.ok === null ? 'running' : c.ok ? 'ok' : `error ${c.error ?? ''}`}`);
        if (shown.skills.offered.length || shown.skills.loaded.length) lines.push(`skills offered: ${shown.skills.offered.join(', ') || 'none'}; loaded: ${shown.skills.loaded.join(', ') || 'none'}`);
        lines.push(`recorded steps: ${shown.recordedSteps}`);
        ctx.io.stdout(`${lines.join('\n')}\n`);
        return EXIT.ok;
      },
    },
    {
      name: 'runs replay',
      params: 'ID',
      summary: 'Re-run a recorded run against its recordings (no network, no side effects) and compare the events',
      async run(ctx) {
        const [runId, ...extra] = ctx.args;
        if (!runId || extra.length) throw new AppError('invalid_input', 'runs replay needs exactly one run id; see agent-blob runs list');
        const client = await ctx.connect();
        const result = await client.call('runs.replay', { runId });
        if (ctx.json) ctx.io.stdout(`${JSON.stringify(result)}\n`);
        else if (result.matches) ctx.io.stdout(`replay of ${runId} matches: ${result.expectedEvents} events\n`);
        else {
          const d = result.firstDifference!;
          ctx.io.stdout(`replay of ${runId} differs at event ${d.index + 1}:\n  recorded: ${d.expected ?? '(nothing)'}\n  replayed: ${d.actual ?? '(nothing)'}\n`);
        }
        return result.matches ? EXIT.ok : EXIT.failed;
      },
    },
  ],
};
