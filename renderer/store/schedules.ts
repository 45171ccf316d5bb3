import type { AppEvent, CommandArgs, Schedule, SchedulePreview, SlotEntry } from '../../core/contract/index.js';
import { describeError } from './errors.js';
import type { SliceCreator } from './types.js';

export type ScheduleDraft = CommandArgs<'schedules.add'>;
export type SchedulePatchDraft = Omit<CommandArgs<'schedules.edit'>, 'scheduleId'>;

export interface SchedulesSlice {
  /** Every schedule, next to run first. */
  schedules: Schedule[];
  schedulesLoaded: boolean;
  scheduleError: string | null;
  /** A short line after an action (ran now, removed, paused all). */
  scheduleNotice: string | null;
  /** Histories the pane has open, newest slot first. */
  scheduleHistory: Record<string, SlotEntry[]>;
  loadSchedules(): Promise<void>;
  loadScheduleHistory(scheduleId: string): Promise<void>;
  closeScheduleHistory(scheduleId: string): void;
  /** Checks a timing and describes it; the error is the reason a timing is refused. */
  previewSchedule(spec: ScheduleDraft['spec']): Promise<{ ok: true; preview: SchedulePreview } | { ok: false; error: string }>;
  /** Creates (no id) or changes a schedule; null when saved, else the reason it was not. */
  saveSchedule(draft: ScheduleDraft | SchedulePatchDraft, scheduleId?: string): Promise<string | null>;
  pauseSchedule(scheduleId: string): Promise<void>;
  resumeSchedule(scheduleId: string): Promise<void>;
  pauseAllSchedules(): Promise<void>;
  resumeAllSchedules(): Promise<void>;
  runScheduleNow(scheduleId: string): Promise<void>;
  removeSchedule(scheduleId: string): Promise<void>;
  applyScheduleEvents(events: readonly AppEvent[]): void;
}

export const createSchedulesSlice: SliceCreator<SchedulesSlice> = (set, get, client) => {
  let refreshQueued = false;
  /** Runs of schedules seen firing: their status changes show in the list. */
  const scheduleRuns = new Set<string>();
  const fail = (what: string, err: unknown) => set({ scheduleError: `${what}: ${describeError(err)}` });
  const act = async (what: string, action: () => Promise<unknown>, notice?: string) => {
    try {
      await action();
      set({ scheduleError: null, scheduleNotice: notice ?? null });
      await get().loadSchedules();
    } catch (err) {
      fail(what, err);
    }
  };
  return {
    schedules: [],
    schedulesLoaded: false,
    scheduleError: null,
    scheduleNotice: null,
    scheduleHistory: {},

    async loadSchedules() {
      try {
        const { schedules } = await client.call('schedules.list', {});
        for (const s of schedules) if (s.lastRunId) scheduleRuns.add(s.lastRunId);
        set({ schedules, schedulesLoaded: true });
      } catch (err) {
        fail('Schedules could not be loaded', err);
      }
    },

    async loadScheduleHistory(scheduleId) {
      try {
        const { entries } = await client.call('schedules.history', { scheduleId, limit: 50 });
        set({ scheduleHistory: { ...get().scheduleHistory, [scheduleId]: entries } });
      } catch (err) {
        fail('The history could not be loaded', err);
      }
    },

    closeScheduleHistory(scheduleId) {
      const next = { ...get().scheduleHistory };
      delete next[scheduleId];
      set({ scheduleHistory: next });
    },

    async previewSchedule(spec) {
      try {
        return { ok: true, preview: await client.call('schedules.preview', { spec, count: 5 }) };
      } catch (err) {
        return { ok: false, error: describeError(err) };
      }
    },

    async saveSchedule(draft, scheduleId) {
      try {
        const saved = scheduleId ? await client.call('schedules.edit', { scheduleId, ...draft }) : await client.call('schedules.add', draft as ScheduleDraft);
        set({ scheduleError: null, scheduleNotice: `${saved.name} ${scheduleId ? 'saved' : 'created'}; it runs next ${saved.nextRunAt ? 'at the time shown' : 'when resumed'}.` });
        await get().loadSchedules();
        return null;
      } catch (err) {
        return describeError(err);
      }
    },

    pauseSchedule: (scheduleId) => act('Pause did not go through', () => client.call('schedules.pause', { scheduleId })),
    resumeSchedule: (scheduleId) => act('Resume did not go through', () => client.call('schedules.resume', { scheduleId })),
    pauseAllSchedules: () => act('Pause all did not go through', () => client.call('schedules.pauseAll', {}), 'Every schedule is paused.'),
    resumeAllSchedules: () => act('Resume all did not go through', () => client.call('schedules.resumeAll', {}), 'Schedules paused with "Pause all" run again.'),
    runScheduleNow: (scheduleId) => act('Run now did not go through', () => client.call('schedules.runNow', { scheduleId }), 'Started; the result comes into the timeline.'),
    removeSchedule: (scheduleId) =>
      act('Remove did not go through', async () => {
        await client.call('schedules.remove', { scheduleId });
        get().closeScheduleHistory(scheduleId);
      }),

    applyScheduleEvents(events) {
      for (const e of events) if (e.type === 'schedule.fired' && e.runId) scheduleRuns.add(e.runId);
      if (!get().schedulesLoaded || refreshQueued) return;
      // Slot changes and the start and end of a scheduled run change the list; a burst becomes one refresh.
      if (!events.some((e) => e.type.startsWith('schedule.') || (e.type === 'run.status' && e.runId !== null && scheduleRuns.has(e.runId)))) return;
      refreshQueued = true;
      setTimeout(() => {
        refreshQueued = false;
        void get().loadSchedules();
        for (const id of Object.keys(get().scheduleHistory)) void get().loadScheduleHistory(id);
      }, 50);
    },
  };
};
