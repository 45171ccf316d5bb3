/** The scheduler: timings, the slot planner, the store of schedules and their slots, the one timer. */
export { compileTiming, dailyExpression, dueSlots, normalizeSpec, slotsBetween, type DueSlots, type Timing } from './next-run.js';
export { describeSeconds, describeSpec, formatLocal } from './describe.js';
export { backoffDelay, planSlots, type PlanInput, type SlotGroup, type SlotPlan } from './plan.js';
