import { z } from 'zod';
import { AppError, COMMANDS, MissedPolicySchema, OverlapPolicySchema, ScheduleSpecInputSchema, type Schedule } from '../contract/index.js';
import { ToolError, defineTool, type AnyTool } from '../tools/index.js';
import type { ScheduleService } from './schedules.js';

function line(s: Schedule): string {
  const next = s.nextRunAt ? `next ${s.nextRunAt}` : s.status;
  return `- [${s.id}] ${s.name}: ${s.description}; ${next}${s.status === 'paused' ? ' (paused)' : ''}`;
}

/** Expected refusals (a bad timing, an unknown id) become tool errors the model can read and fix. */
function asToolError(err: unknown): never {
  if (err instanceof AppError) throw new ToolError(err.code === 'not_found' ? 'not_found' : 'invalid_args', err.message);
  throw err;
}

/**
 * The agent's schedule tools, so "remind me every weekday at 9 to …" works from the chat. Listing
 * reads local data only; making, changing and removing schedules go through the gate as
 * `schedule.manage`.
 */
export function createScheduleTools(service: ScheduleService): AnyTool[] {
  const list = defineTool({
    name: 'schedule_list',
    description: 'List the scheduled prompts with their timing in words, next run (UTC ISO) and status.',
    args: z.object({}),
    capability: null,
    resource: () => 'schedules',
    summarize: () => 'list schedules',
    async run() {
      const schedules = service.list();
      if (!schedules.length) return { text: 'No schedules.', data: { schedules: [] } };
      return { text: schedules.map(line).join('\n'), data: { schedules: schedules.map((s) => ({ id: s.id, name: s.name, description: s.description, nextRunAt: s.nextRunAt, status: s.status })) } };
    },
  });
  const add = defineTool({
    name: 'schedule_add',
    description:
      'Make a scheduled prompt: at each slot the prompt is run as its own conversation and the answer comes into the timeline. Timing: {kind:"daily", time:"09:00", days:["mon",...]} (days empty = every day), {kind:"interval", everySeconds:N}, {kind:"cron", expr:"0 9 * * 1-5"} or {kind:"once", at:"2026-05-01T09:00"}; the user\'s time zone unless timeZone is given. Write the prompt as the instruction for that later run ("Remind the user to …").',
    args: z.object({
      name: z.string().trim().min(1).max(200),
      prompt: z.string().trim().min(1).max(20_000),
      spec: ScheduleSpecInputSchema,
      missed: MissedPolicySchema.optional().describe('slots missed while the app was closed: skip (default), run_once, run_all'),
      overlap: OverlapPolicySchema.optional().describe('a slot while the last run still goes: skip (default) or queue_one'),
    }),
    capability: 'schedule.manage',
    resource: (a) => `schedule:new:${a.name}`,
    summarize: (a) => `schedule "${a.name}" (${a.spec.kind}): ${a.prompt.slice(0, 100)}`,
    async run(a) {
      let saved: Schedule;
      try {
        saved = service.add(COMMANDS['schedules.add'].args.parse({ name: a.name, prompt: a.prompt, spec: a.spec, ...(a.missed ? { missed: a.missed } : {}), ...(a.overlap ? { overlap: a.overlap } : {}) }));
      } catch (err) {
        if (err instanceof z.ZodError) throw new ToolError('invalid_args', err.issues.map((i) => i.message).join('; '));
        asToolError(err);
      }
      return { text: `Scheduled ${saved.name} (${saved.id}): ${saved.description}; next run ${saved.nextRunAt ?? 'none'}.`, data: { id: saved.id, nextRunAt: saved.nextRunAt, description: saved.description } };
    },
  });
  const change = defineTool({
    name: 'schedule_change',
    description: 'Pause, resume, run now or remove a schedule by its id (from schedule_list).',
    args: z.object({ id: z.string().min(1).max(200), action: z.enum(['pause', 'resume', 'run_now', 'remove']) }),
    capability: 'schedule.manage',
    resource: (a) => `schedule:${a.id}`,
    summarize: (a) => `${a.action.replace('_', ' ')} schedule ${a.id}`,
    async run(a) {
      try {
        if (a.action === 'remove') {
          const { name } = service.show(a.id);
          service.remove(a.id);
          return { text: `Removed ${name} and its history.`, data: { id: a.id } };
        }
        if (a.action === 'run_now') {
          const { runId } = service.runNow(a.id);
          return { text: `Started a run of ${service.show(a.id).name} (${runId}); its answer comes into the timeline.`, data: { id: a.id, runId } };
        }
        const s = a.action === 'pause' ? service.pause(a.id) : service.resume(a.id);
        return { text: `${s.name} is ${s.status}${s.nextRunAt ? `; next run ${s.nextRunAt}` : ''}.`, data: { id: s.id, status: s.status, nextRunAt: s.nextRunAt } };
      } catch (err) {
        asToolError(err);
      }
    },
  });
  return [list, add, change];
}
