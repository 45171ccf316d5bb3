import { resolve } from 'node:path';
import { AppError, type BackupSettings, type BackupStatus, type Retention, type StorageReport } from '../../../contract/index.js';
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
    {
      name: 'maintenance backups',
      summary: 'Show the daily backup and its copies; turn it on or off, set how many are kept and where, or make a copy now',
      options: {
        daily: { type: 'string', value: 'on|off', description: 'a copy of the database once a day' },
        keep: { type: 'string', value: 'N', description: 'how many daily copies are kept (older ones are removed)' },
        folder: { type: 'string', value: 'DIR', description: 'where the copies go ("default": the data folder\'s backups/)' },
        now: { type: 'boolean', description: 'make a copy now' },
      },
      async run(ctx) {
        if (ctx.args.length) throw new AppError('invalid_input', 'maintenance backups takes options only');
        const patch: Partial<BackupSettings> = {};
        const daily = ctx.flags.daily;
        if (daily !== undefined) {
          if (daily !== 'on' && daily !== 'off') throw new AppError('invalid_input', `--daily needs on or off, not "${String(daily)}"`);
          patch.daily = daily === 'on';
        }
        const keep = ctx.flags.keep;
        if (keep !== undefined) {
          if (typeof keep !== 'string' || !/^\d+$/.test(keep) || Number(keep) < 1) throw new AppError('invalid_input', `--keep needs a number of copies (1 or more), not "${String(keep)}"`);
          patch.keep = Number(keep);
        }
        const folder = ctx.flags.folder;
        if (folder !== undefined) {
          if (typeof folder !== 'string' || !folder) throw new AppError('invalid_input', '--folder needs a folder');
          // Resolved here: the running app may have another working folder than this terminal.
          patch.folder = folder === 'default' ? null : resolve(folder);
        }
        const client = await ctx.connect();
        let status = Object.keys(patch).length ? await client.call('maintenance.backups.update', patch) : await client.call('maintenance.backups', {});
        if (ctx.flags.now) {
          const result = await client.call('maintenance.backups.now', {});
          if (!ctx.json) ctx.io.stdout(`backed up to ${result.made.path} (${mb(result.made.bytes)})\n`);
          status = result.status;
        }
        if (ctx.json) ctx.io.stdout(`${JSON.stringify(status)}\n`);
        else ctx.io.stdout(backupLines(status));
        return EXIT.ok;
      },
    },
  ],
};

function backupLines(s: BackupStatus): string {
  const when = (ms: number) => new Date(ms).toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC');
  const lines = [
    `daily backup: ${s.settings.daily ? `on, the newest ${s.settings.keep} kept` : 'off'}, in ${s.folder}${s.nextAt !== null ? `; next ${when(s.nextAt)}` : ''}`,
  ];
  if (s.lastError) lines.push(`the last daily backup failed at ${when(s.lastError.at)}: ${s.lastError.message}`);
  if (s.files.length) {
    lines.push('', table([['COPY', 'MADE', 'SIZE'], ...s.files.map((f) => [f.path, when(f.at), mb(f.bytes)])]).trimEnd());
    lines.push('', 'To put one back: quit Agent Blob, then agent-blob restore PATH');
  } else {
    lines.push('no copies yet');
  }
  return `${lines.join('\n')}\n`;
}

function printReport(ctx: CommandContext, report: StorageReport): void {
  if (ctx.json) {
    ctx.io.stdout(`${JSON.stringify(report)}\n`);
    return;
  }
  ctx.io.stdout(`${report.dataDir}: ${mb(report.totalBytes)}, ${report.events} events, ${mb(report.freeBytes)} free inside the database\n`);
  const p = report.parts;
  ctx.io.stdout(`database ${mb(p.database)}, WAL ${mb(p.wal)}, backups ${mb(p.backups)}, logs ${mb(p.logs)}, artifacts ${mb(p.artifacts)}, other ${mb(p.other)}\n\n`);
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
