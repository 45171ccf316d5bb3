import { AppError } from '../../../contract/index.js';
import { dataPaths } from '../../../datadir/index.js';
import { followLogs, readLogsWithCursor, type LogEntry, type LogFilter } from '../../../logs/index.js';
import { LOG_LEVELS, type LogLevel } from '../../../util/index.js';
import { intFlag } from '../args.js';
import { EXIT, type CommandGroup } from '../types.js';

export const logsGroup: CommandGroup = {
  name: 'logs',
  summary: 'Read the app\'s logs.',
  commands: [
    {
      name: 'logs',
      summary: 'Print the log (rotated files included, oldest first); --follow keeps printing new lines until Ctrl-C or until nothing reads them',
      options: {
        follow: { type: 'boolean', short: 'f', description: 'keep printing lines as the app writes them' },
        run: { type: 'string', value: 'ID', description: 'only lines about run ID' },
        level: { type: 'string', value: 'L', description: `only level L and more severe (${LOG_LEVELS.join(', ')})` },
        lines: { type: 'string', value: 'N', description: 'only the last N lines that match (before following)' },
      },
      async run(ctx) {
        if (ctx.args.length) throw new AppError('invalid_input', 'logs takes no arguments (use --run ID for one run)');
        const level = ctx.flags.level;
        if (level !== undefined && !LOG_LEVELS.includes(level as LogLevel)) {
          throw new AppError('invalid_input', `--level must be one of ${LOG_LEVELS.join(', ')}, not "${String(level)}"`);
        }
        const filter: LogFilter = {
          ...(typeof ctx.flags.run === 'string' ? { runId: ctx.flags.run } : {}),
          ...(level ? { minLevel: level as LogLevel } : {}),
        };
        const lines = intFlag(ctx.flags, 'lines');
        // Read from the files, not through the app: logs are there to explain an app that will not start.
        const logsDir = dataPaths(ctx.dataDir).logs;
        const print = (entry: LogEntry) => ctx.io.stdout(`${ctx.json ? JSON.stringify(entry) : formatEntry(entry)}\n`);
        const { entries, cursor } = readLogsWithCursor(logsDir, filter);
        for (const entry of lines === undefined ? entries : entries.slice(Math.max(0, entries.length - lines))) print(entry);
        // From where the reading stopped: no line is lost or printed twice in between.
        // Until Ctrl-C, or until nobody reads the lines (`| head`, `| grep -m 1`).
        const stop = ctx.io.outputGone ? AbortSignal.any([ctx.io.signal, ctx.io.outputGone]) : ctx.io.signal;
        if (ctx.flags.follow) await followLogs(logsDir, filter, print, stop, { from: cursor });
        return EXIT.ok;
      },
    },
  ],
};

/** `2026-01-01T12:00:05.000Z warn  run failed  runId=r_1 reason=interrupted`. */
export function formatEntry(entry: LogEntry): string {
  const { ts, level, msg, ...fields } = entry;
  const rest = Object.entries(fields)
    .filter(([, value]) => value !== undefined && value !== null)
    .map(([key, value]) => `${key}=${typeof value === 'string' && !/[\s"=]/.test(value) && value !== '' ? value : JSON.stringify(value)}`);
  return [ts || '-', level.padEnd(5), msg, ...(rest.length ? [` ${rest.join(' ')}`] : [])].join(' ');
}
