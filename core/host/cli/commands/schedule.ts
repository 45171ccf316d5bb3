import { AppError, MemoryAccessSchema, MissedPolicySchema, OverlapPolicySchema, WeekdaySchema, type Client, type Schedule, type ScheduleSpecInput, type SlotEntry } from '../../../contract/index.js';
import { intFlag } from '../args.js';
import { table } from '../format.js';
import { EXIT, type CliCommand, type CommandContext, type CommandGroup, type OptionSpec } from '../types.js';

const timingOptions: Record<string, OptionSpec> = {
  every: { type: 'string', value: 'N', description: 'an interval: 10s, 5m, 2h (at least 1 s)' },
  cron: { type: 'string', value: 'EXPR', description: 'a cron expression of 5 fields, or 6 with seconds first' },
  tz: { type: 'string', value: 'ZONE', description: 'the IANA time zone of --cron, --daily or --at (default: this computer\'s)' },
  daily: { type: 'string', value: 'HH:MM', description: 'every day at this wall-clock time' },
  days: { type: 'string', value: 'mon,tue,…', description: 'with --daily: only on these weekdays' },
  at: { type: 'string', value: 'ISO', description: 'once, at this date and time (2026-05-01T09:00 or with an offset)' },
};

const envelopeOptions: Record<string, OptionSpec> = {
  name: { type: 'string', value: 'NAME', description: 'what the schedule is called in lists and the timeline' },
  prompt: { type: 'string', value: 'TEXT', description: 'what the assistant is asked at each run' },
  missed: { type: 'string', value: 'POLICY', description: 'slots missed while the app was closed or asleep: skip (default), run_once, run_all' },
  'catch-up-limit': { type: 'string', value: 'N', description: 'with --missed run_all: at most N catch-up runs (default 10)' },
  overlap: { type: 'string', value: 'POLICY', description: 'a slot while the last run still goes: skip (default) or queue_one' },
  memory: { type: 'string', value: 'ACCESS', description: 'none, read (default) or read_write' },
  model: { type: 'string', value: 'M', description: 'provider:model for this schedule (default: the schedule route)' },
  'budget-tokens': { type: 'string', value: 'N', description: 'stop a run after N tokens' },
  'budget-usd': { type: 'string', value: 'X', description: 'stop a run after this cost in US dollars' },
  notify: { type: 'string', value: 'WHEN', description: 'a notification when a run finishes or fails: success,failure (default), failure, success or none' },
};

/** `success,failure`, `failure`, `success` or `none`: which ends of a run notify. */
export function parseNotify(text: string): { onSuccess: boolean; onFailure: boolean } {
  const words = text
    .split(',')
    .map((w) => w.trim().toLowerCase())
    .filter(Boolean);
  const bad = words.filter((w) => !['success', 'failure', 'none'].includes(w));
  if (!words.length || bad.length || (words.includes('none') && words.length > 1)) {
    throw new AppError('invalid_input', `--notify takes success,failure, failure, success or none; got "${text}"`);
  }
  return { onSuccess: words.includes('success'), onFailure: words.includes('failure') };
}

/** `10s`, `5m`, `2h`, `1d` or a bare number of seconds. */
export function parseEvery(text: string): number {
  const m = /^(\d+)\s*(s|sec|secs|seconds?|m|min|mins|minutes?|h|hours?|d|days?)?$/i.exec(text.trim());
  if (!m) throw new AppError('invalid_input', `--every takes a number with s, m, h or d, such as 10s, 5m or 2h; got "${text}"`);
  const unit = (m[2] ?? 's')[0].toLowerCase();
  return Number(m[1]) * ({ s: 1, m: 60, h: 3600, d: 86_400 } as Record<string, number>)[unit];
}

/** The timing the flags give, or undefined when none is given. Exactly one kind is allowed. */
export function timingFromFlags(flags: CommandContext['flags']): ScheduleSpecInput | undefined {
  const str = (name: string) => (typeof flags[name] === 'string' ? (flags[name] as string) : undefined);
  const given = ['every', 'cron', 'daily', 'at'].filter((k) => str(k) !== undefined);
  if (given.length > 1) throw new AppError('invalid_input', `give one timing, not ${given.map((g) => `--${g}`).join(' and ')}`);
  const tz = str('tz');
  if (str('days') !== undefined && str('daily') === undefined) throw new AppError('invalid_input', '--days goes with --daily');
  if (str('every') !== undefined) return { kind: 'interval', everySeconds: parseEvery(str('every')!) };
  if (str('cron') !== undefined) return { kind: 'cron', expr: str('cron')!, timeZone: tz };
  if (str('daily') !== undefined) {
    const days = str('days')
      ?.split(',')
      .map((d) => d.trim().toLowerCase().slice(0, 3))
      .filter(Boolean)
      .map((d) => {
        const parsed = WeekdaySchema.safeParse(d);
        if (!parsed.success) throw new AppError('invalid_input', `--days takes mon, tue, wed, thu, fri, sat, sun; got "${d}"`);
        return parsed.data;
      });
    return { kind: 'daily', time: str('daily')!, days, timeZone: tz };
  }
  if (str('at') !== undefined) return { kind: 'once', at: str('at')!, timeZone: tz };
  if (tz !== undefined) throw new AppError('invalid_input', '--tz goes with --cron, --daily or --at');
  return undefined;
}

function envelopeFromFlags(flags: CommandContext['flags']) {
  const str = (name: string) => (typeof flags[name] === 'string' ? (flags[name] as string) : undefined);
  const pick = <T>(name: string, schema: { safeParse(v: unknown): { success: true; data: T } | { success: false } }, options: readonly string[]): T | undefined => {
    const v = str(name);
    if (v === undefined) return undefined;
    const parsed = schema.safeParse(v);
    if (!parsed.success) throw new AppError('invalid_input', `--${name} must be one of ${options.join(', ')}`);
    return parsed.data;
  };
  const usd = str('budget-usd');
  if (usd !== undefined && !/^\d+(\.\d+)?$/.test(usd)) throw new AppError('invalid_input', '--budget-usd takes an amount such as 0.50');
  return {
    name: str('name'),
    prompt: str('prompt'),
    missed: pick('missed', MissedPolicySchema, MissedPolicySchema.options),
    catchUpLimit: intFlag(flags, 'catch-up-limit'),
    overlap: pick('overlap', OverlapPolicySchema, OverlapPolicySchema.options),
    memory: pick('memory', MemoryAccessSchema, MemoryAccessSchema.options),
    model: str('model'),
    budgetTokens: intFlag(flags, 'budget-tokens'),
    budgetCostUsd: usd === undefined ? undefined : Number(usd),
    notify: str('notify') === undefined ? undefined : parseNotify(str('notify')!),
  };
}

function dropUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function oneId(ctx: CommandContext, command: string): string {
  const [id, ...extra] = ctx.args;
  if (!id || extra.length) throw new AppError('invalid_input', `schedule ${command} needs exactly one schedule id; see agent-blob schedule list`);
  return id;
}

const notifyWords = (n: Schedule['notify']) => [n.onSuccess ? 'success' : '', n.onFailure ? 'failure' : ''].filter(Boolean).join(', ') || 'none';

const local = (iso: string | null) => (iso ? iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z') : '-');

function scheduleLines(s: Schedule): string {
  return [
    `${s.id}  ${s.name}`,
    `  when:     ${s.description}`,
    `  status:   ${s.status}${s.pausedReason ? ` (${s.pausedReason})` : ''}${s.running ? ', running now' : ''}`,
    `  next run: ${local(s.nextRunAt)}${s.backoffUntil ? ` (backing off until ${local(s.backoffUntil)})` : ''}`,
    `  last run: ${local(s.lastRunAt)}${s.lastResult ? ` ${s.lastResult}` : ''}${s.lastError ? `: ${s.lastError}` : ''}`,
    `  missed: ${s.missed}${s.missed === 'run_all' ? ` (up to ${s.catchUpLimit})` : ''}; overlap: ${s.overlap}; memory: ${s.memory}; model: ${s.model ?? 'schedule route'}${s.budgetTokens ? `; budget ${s.budgetTokens} tokens` : ''}${s.budgetCostUsd !== null ? `; budget $${s.budgetCostUsd}` : ''}; notify: ${notifyWords(s.notify)}`,
    `  prompt:   ${s.prompt}`,
  ].join('\n');
}

function slotTable(entries: SlotEntry[]): string {
  return table([['SLOT (UTC)', 'STATUS', 'WHY', 'RUN'], ...entries.map((e) => [local(e.slot) + (e.through ? ` .. ${local(e.through)}${e.count ? ` (${e.count})` : ''}` : ''), e.status, e.reason ?? e.trigger ?? '', e.runId ?? ''])]);
}

function print(ctx: CommandContext, json: unknown, text: string): number {
  ctx.io.stdout(ctx.json ? `${JSON.stringify(json)}\n` : text.endsWith('\n') ? text : `${text}\n`);
  return EXIT.ok;
}

async function byId(ctx: CommandContext, command: string, call: (client: Client, scheduleId: string) => Promise<Schedule>): Promise<number> {
  const scheduleId = oneId(ctx, command);
  const client = await ctx.connect();
  const s = await call(client, scheduleId);
  return print(ctx, s, scheduleLines(s));
}

const commands: CliCommand[] = [
  {
    name: 'schedule add',
    summary: 'Make a schedule: one timing (--every, --cron, --daily or --at), a --name and a --prompt',
    options: { ...envelopeOptions, ...timingOptions },
    async run(ctx) {
      const spec = timingFromFlags(ctx.flags);
      if (!spec) throw new AppError('invalid_input', 'schedule add needs a timing: --every 10m, --cron "0 9 * * 1-5", --daily 09:00 or --at 2026-05-01T09:00');
      const envelope = envelopeFromFlags(ctx.flags);
      if (!envelope.name) throw new AppError('invalid_input', 'schedule add needs --name');
      if (!envelope.prompt) throw new AppError('invalid_input', 'schedule add needs --prompt');
      const client = await ctx.connect();
      const s = await client.call('schedules.add', { ...(dropUndefined(envelope) as { name: string; prompt: string }), spec });
      return print(ctx, s, scheduleLines(s));
    },
  },
  {
    name: 'schedule list',
    summary: 'List schedules, next to run first',
    async run(ctx) {
      const client = await ctx.connect();
      const { schedules } = await client.call('schedules.list', {});
      if (ctx.json) return print(ctx, { schedules }, '');
      if (!schedules.length) return print(ctx, null, 'no schedules');
      return print(ctx, null, table([['ID', 'NAME', 'NEXT RUN (UTC)', 'LAST', 'STATUS', 'WHEN'], ...schedules.map((s) => [s.id, s.name, local(s.nextRunAt), s.lastResult ?? '-', s.status + (s.running ? ' (running)' : ''), s.description])]));
    },
  },
  { name: 'schedule show', params: 'ID', summary: 'Show one schedule', run: (ctx) => byId(ctx, 'show', (c, scheduleId) => c.call('schedules.get', { scheduleId })) },
  {
    name: 'schedule history',
    params: 'ID',
    summary: 'What became of each slot, newest first: ran, missed, skipped, failed, pending',
    options: { limit: { type: 'string', value: 'N', description: 'at most N slots (default 50)' } },
    async run(ctx) {
      const scheduleId = oneId(ctx, 'history');
      const client = await ctx.connect();
      const { entries } = await client.call('schedules.history', { scheduleId, limit: intFlag(ctx.flags, 'limit', 50) });
      return print(ctx, { scheduleId, entries }, entries.length ? slotTable(entries) : 'no slots yet');
    },
  },
  {
    name: 'schedule audit',
    params: 'ID',
    summary: 'Every slot the timing called for between --from and --to, and what happened to it',
    options: {
      from: { type: 'string', value: 'ISO', description: 'start of the window' },
      to: { type: 'string', value: 'ISO', description: 'end of the window (default: now)' },
    },
    async run(ctx) {
      const scheduleId = oneId(ctx, 'audit');
      if (typeof ctx.flags.from !== 'string') throw new AppError('invalid_input', 'schedule audit needs --from ISO (and --to ISO)');
      const client = await ctx.connect();
      const to = typeof ctx.flags.to === 'string' ? ctx.flags.to : new Date((await client.call('system.ping', {})).now).toISOString();
      const audit = await client.call('schedules.audit', { scheduleId, from: ctx.flags.from, to });
      const text = audit.entries.length ? slotTable(audit.entries) + (audit.truncated ? 'only the first 10,000 slots are listed\n' : '') : 'no slots in that window';
      return print(ctx, { scheduleId, ...audit }, text);
    },
  },
  {
    name: 'schedule edit',
    params: 'ID',
    summary: 'Change a schedule; a new timing counts from now',
    options: { ...envelopeOptions, ...timingOptions },
    async run(ctx) {
      const scheduleId = oneId(ctx, 'edit');
      const patch = dropUndefined({ ...envelopeFromFlags(ctx.flags), spec: timingFromFlags(ctx.flags) });
      if (!Object.keys(patch).length) throw new AppError('invalid_input', 'schedule edit needs something to change, such as --prompt or --daily 08:30');
      const client = await ctx.connect();
      const s = await client.call('schedules.edit', { scheduleId, ...patch });
      return print(ctx, s, scheduleLines(s));
    },
  },
  { name: 'schedule pause', params: 'ID', summary: 'Stop a schedule firing until it is resumed', run: (ctx) => byId(ctx, 'pause', (c, scheduleId) => c.call('schedules.pause', { scheduleId })) },
  { name: 'schedule resume', params: 'ID', summary: 'Start a paused schedule again from now', run: (ctx) => byId(ctx, 'resume', (c, scheduleId) => c.call('schedules.resume', { scheduleId })) },
  {
    name: 'schedule run-now',
    params: 'ID',
    summary: 'Run a schedule now and wait for the run to end',
    async run(ctx) {
      const scheduleId = oneId(ctx, 'run-now');
      const client = await ctx.connect();
      const { runId } = await client.call('schedules.runNow', { scheduleId });
      for (;;) {
        const run = await client.call('runs.get', { runId });
        if (run.status === 'done' || run.status === 'failed' || run.status === 'cancelled') {
          print(ctx, { scheduleId, runId, status: run.status, error: run.error }, `run ${runId} ${run.status}${run.error ? `: ${run.error}` : ''}`);
          return run.status === 'done' ? EXIT.ok : EXIT.failed;
        }
        if (ctx.io.signal.aborted) return EXIT.interrupted;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    },
  },
  {
    name: 'schedule remove',
    params: 'ID',
    summary: 'Delete a schedule and its history',
    async run(ctx) {
      const scheduleId = oneId(ctx, 'remove');
      const client = await ctx.connect();
      const removed = await client.call('schedules.remove', { scheduleId });
      return print(ctx, removed, `removed ${scheduleId}`);
    },
  },
];

export const scheduleGroup: CommandGroup = {
  name: 'schedule',
  summary: 'Schedules: prompts that run at set times, even with the window closed.',
  commands,
};
