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
  ],
};
