/** The scheduler: timings, the slot planner, the store of schedules and their slots, the one timer. */
export { compileTiming, dailyExpression, dueSlots, normalizeSpec, slotsBetween, type DueSlots, type Timing } from './next-run.js';
export { describeSeconds, describeSpec, formatLocal } from './describe.js';
export { backoffDelay, planSlots, type PlanInput, type SlotGroup, type SlotPlan } from './plan.js';
export { auditSlots, slotEntry } from './audit.js';
export { ScheduleQueries, SlotAlreadyRecordedError, createSchedulesProjector, type ScheduleState, type SlotRow, type SlotRowStatus } from './store.js';
export { WakeTimer, type WakeReason, type WakeTimerOptions } from './timer.js';
export { DEFAULT_SCHEDULER_OPTIONS, SchedulerEngine, type LaunchEnd, type ScheduleLauncher, type ScheduleNotice, type SchedulerDeps, type SchedulerOptions } from './service.js';
export { ScheduleService, type ScheduleServiceDeps } from './schedules.js';
export { createSchedulerModule, type ScheduleHandlers, type SchedulerModule, type SchedulerModuleDeps } from './module.js';
export { scheduleRunInput } from './envelope.js';
export { createScheduleTools } from './tools.js';
