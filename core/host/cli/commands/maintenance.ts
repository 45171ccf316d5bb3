import { AppError, type Retention, type StorageReport } from '../../../contract/index.js';
import { table } from '../format.js';
import { EXIT, type CommandContext, type CommandGroup } from '../types.js';

const RETENTION_FLAGS: Record<string, keyof Retention> = { recordings: 'recordingsDays', transcripts: 'transcriptsDays', audit: 'auditDays' };

export const maintenanceGroup: CommandGroup = {
  name: 'maintenance',
  summary: 'Sizes, retention, prune, VACUUM and integrity check of the data folder.',
  commands: [
    {
      name: 'maintenance',
      summary: 'Prune by the retention settings, VACUUM and check integrity; prints the sizes before and after',
      options: {
        'no-vacuum': { type: 'boolean', description: 'prune only; do not rewrite the database file' },
        'no-prune': { type: 'boolean', description: 'keep everything; only VACUUM and check' },
      },
      async run(ctx) {
        if (ctx.args.length) throw new AppError('invalid_input', 'maintenance takes no arguments');
        const client = await ctx.connect();
        const result = await client.call('maintenance.run', { prune: !ctx.flags['no-prune'], vacuum: !ctx.flags['no-vacuum'], integrity: true });
        if (ctx.json) {
          ctx.io.stdout(`${JSON.stringify(result)}\n`);
        } else {
          const p = result.pruned;
          ctx.io.stdout(`pruned: ${p.deltaEvents} streamed-text events, ${p.recordingSteps} recording steps, ${p.transcripts} archived transcripts, ${p.auditRequests} audit entries\n`);
          ctx.io.stdout(`data folder: ${mb(result.before.totalBytes)} before, ${mb(result.after.totalBytes)} after${result.vacuumed ? ' (vacuumed)' : ''}\n`);
          ctx.io.stdout(`integrity: ${result.integrity}\n`);
        }
        return result.integrity === null || result.integrity === 'ok' ? EXIT.ok : EXIT.failed;
      },
    },
    {
      name: 'maintenance sizes',
      summary: 'Where the space goes: each file of the data folder and each table of the database',
      async run(ctx) {
        const client = await ctx.connect();
        printReport(ctx, await client.call('maintenance.report', {}));
        return EXIT.ok;
      },
    },
    {
      name: 'maintenance retention',
      summary: 'Show or change how many days recordings, archived transcripts and the audit are kept (never: keep for ever)',
      options: {
        recordings: { type: 'string', value: 'DAYS', description: 'replay recordings of finished runs' },
        transcripts: { type: 'string', value: 'DAYS', description: 'the raw turns a compaction replaced' },
        audit: { type: 'string', value: 'DAYS', description: 'decided permission requests' },
      },
      async run(ctx) {
        const patch: Partial<Retention> = {};
        for (const [flag, key] of Object.entries(RETENTION_FLAGS)) {
          const raw = ctx.flags[flag];
          if (raw === undefined) continue;
          if (raw === 'never') patch[key] = null;
          else if (typeof raw === 'string' && /^\d+$/.test(raw) && Number(raw) >= 1) patch[key] = Number(raw);
          else throw new AppError('invalid_input', `--${flag} needs a number of days (1 or more) or "never", not "${String(raw)}"`);
        }
        const client = await ctx.connect();
        const retention = Object.keys(patch).length ? await client.call('maintenance.retention.update', patch) : (await client.call('maintenance.report', {})).retention;
        if (ctx.json) ctx.io.stdout(`${JSON.stringify(retention)}\n`);
        else ctx.io.stdout(retentionLines(retention));
        return EXIT.ok;
      },
    },
  ],
};

function printReport(ctx: CommandContext, report: StorageReport): void {
  if (ctx.json) {
    ctx.io.stdout(`${JSON.stringify(report)}\n`);
    return;
  }
  ctx.io.stdout(`${report.dataDir}: ${mb(report.totalBytes)}, ${report.events} events, ${mb(report.freeBytes)} free inside the database\n\n`);
  ctx.io.stdout(table([['FILE', 'SIZE'], ...report.files.map((f) => [f.name, mb(f.bytes)])]));
  if (report.tables.length) ctx.io.stdout(`\n${table([['TABLE OR INDEX', 'SIZE'], ...report.tables.slice(0, 15).map((t) => [t.name, mb(t.bytes)])])}`);
  ctx.io.stdout(`\n${retentionLines(report.retention)}`);
}

function retentionLines(r: Retention): string {
  const days = (n: number | null) => (n === null ? 'for ever' : `${n} days`);
  return `kept: recordings ${days(r.recordingsDays)}, archived transcripts ${days(r.transcriptsDays)}, audit ${days(r.auditDays)}\n`;
}

function mb(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(2)} MB`;
}
