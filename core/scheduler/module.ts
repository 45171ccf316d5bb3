import type { CommandName, CommandResult, ParsedArgs } from '../contract/index.js';
import { agentExecutor, type AgentRuntime } from '../agent/index.js';
import type { WritableDB } from '../db/index.js';
import type { EventLog } from '../events/index.js';
import type { CapabilityModule } from '../modules/index.js';
import type { RunQueue } from '../runs/index.js';
import type { ResultBoard } from '../timeline/index.js';
import type { Clock, Ids, Logger } from '../util/index.js';
import { scheduleRunInput } from './envelope.js';
import { ScheduleService } from './schedules.js';
import { SchedulerEngine, type ScheduleNotice, type SchedulerOptions } from './service.js';
import { ScheduleQueries, createSchedulesProjector } from './store.js';
import { createScheduleTools } from './tools.js';
import type { WakeReason } from './timer.js';

type ScheduleCommand = Extract<CommandName, `schedules.${string}`>;
export type ScheduleHandlers = { [N in ScheduleCommand]: (args: ParsedArgs<N>) => CommandResult<N> | Promise<CommandResult<N>> };

export interface SchedulerModuleDeps {
  db: WritableDB;
  log: EventLog;
  clock: Clock;
  ids: Ids;
  logger: Logger;
  timeZone: string;
  /** The one run queue: a scheduled run waits there for room among the `schedule` runs, schedules taking turns. */
  queue: Pick<RunQueue, 'enqueue' | 'startInTransaction' | 'ended'>;
  /** The agent loop a scheduled run goes through, inside the schedule's envelope. */
  agent: AgentRuntime;
  /** Where "finished", "failed" and "paused itself" notices go (native or a window's), if anywhere. */
  notify?: (notice: ScheduleNotice) => void;
  /** False in a short-lived process (a CLI command): schedules are managed but not fired. */
  fire: boolean;
  options?: Partial<SchedulerOptions>;
  /** Where each scheduled run posts its result into the chat when it ends. */
  results?: ResultBoard;
}

export interface SchedulerModule extends CapabilityModule {
  readonly service: ScheduleService;
  readonly engine: SchedulerEngine;
  /** Looks at every schedule now: the machine woke from sleep, or the clock changed. */
  wake(reason: WakeReason): void;
  /** Stops firing (the first step of closing, before runs are cancelled). */
  halt(): void;
}

/** The scheduler capability: its store, its one timer and its commands. Runs are of kind `schedule`. */
export function createSchedulerModule(deps: SchedulerModuleDeps): SchedulerModule {
  const queries = new ScheduleQueries(deps.db);
  const engine = new SchedulerEngine({
    log: deps.log,
    queries,
    clock: deps.clock,
    logger: deps.logger,
    notify: deps.notify,
    options: deps.options,
    launcher: {
      create: (schedule) =>
        deps.queue.enqueue({ kind: 'schedule', title: schedule.name, group: schedule.id, threadId: `schedule:${schedule.id}`, executor: () => agentExecutor(deps.agent, scheduleRunInput(schedule)) }).runId,
      startInTransaction: () => deps.queue.startInTransaction(),
      start: (runId) => deps.queue.ended(runId),
    },
  });
  // Each run's result goes into the chat under the schedule's name (the run's title), its transcript stays in the schedule's thread.
  deps.results?.describe('schedule', (run) => ({ name: run.title, title: queries.get(run.threadId.replace(/^schedule:/, ''))?.prompt ?? '' }));
  const service = new ScheduleService({ log: deps.log, queries, engine, clock: deps.clock, ids: deps.ids, get timeZone() { return deps.timeZone; } });
  const handlers: ScheduleHandlers = {
    'schedules.add': (args) => service.add(args),
    'schedules.list': () => ({ schedules: service.list() }),
    'schedules.get': ({ scheduleId }) => service.show(scheduleId),
    'schedules.edit': (args) => service.edit(args),
    'schedules.pause': ({ scheduleId }) => service.pause(scheduleId),
    'schedules.resume': ({ scheduleId }) => service.resume(scheduleId),
    'schedules.pauseAll': () => ({ paused: service.pauseAll() }),
    'schedules.resumeAll': () => ({ resumed: service.resumeAll() }),
    'schedules.runNow': ({ scheduleId }) => service.runNow(scheduleId),
    'schedules.remove': ({ scheduleId }) => service.remove(scheduleId),
    'schedules.history': ({ scheduleId, limit, before }) => ({ entries: service.history(scheduleId, limit, before) }),
    'schedules.audit': ({ scheduleId, from, to }) => service.audit(scheduleId, from, to),
    'schedules.preview': ({ spec, count }) => service.preview(spec, count),
  };
  return {
    name: 'scheduler',
    service,
    engine,
    handlers,
    projectors: [createSchedulesProjector(deps.db)],
    tools: createScheduleTools(service),
    start: () => {
      if (deps.fire) engine.start();
    },
    idle: () => engine.idle(),
    wake: (reason) => engine.wake(reason),
    halt: () => engine.stop(),
    stop: () => engine.stop(),
  };
}
