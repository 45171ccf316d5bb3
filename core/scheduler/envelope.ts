import type { AgentRunInput } from '../agent/index.js';
import type { ScheduleState } from './store.js';

/**
 * What a scheduled run is allowed: its own conversation (the prompt, nothing of the chat), the
 * schedule's model, memory access (`none`: no recall and no memory tools; `read`: recall and
 * search; `read_write`: saving and forgetting too), its budget, and the permission rules scoped
 * `schedule:<id>`.
 */
export function scheduleRunInput(schedule: ScheduleState): AgentRunInput {
  return {
    purpose: 'schedule',
    userMessageSeq: 0,
    messages: [{ role: 'user', content: schedule.prompt }],
    model: schedule.model ?? undefined,
    scope: { scheduleId: schedule.id },
    recall: schedule.memory !== 'none',
    toolFilter: (tool) => (schedule.memory === 'read_write' ? true : schedule.memory === 'read' ? tool.capability !== 'memory.write' : !tool.name.startsWith('memory_')),
    budget: { tokens: schedule.budgetTokens, costUsd: schedule.budgetCostUsd },
  };
}
