import { isTerminalRunStatus, type AppEvent, type AttachmentInput, type RunKind, type RunStatus } from '../../core/contract/index.js';
import { describeError } from './errors.js';
import type { SliceCreator } from './types.js';

/** A run that has not ended, as far as this window knows. */
export interface ActiveRun {
  id: string;
  kind: RunKind;
  status: RunStatus;
  title: string;
  createdAt: number;
}

export interface SendOptions {
  model?: string | null;
  attachments?: AttachmentInput[];
  replyTo?: string | null;
}

export interface RunsSlice {
  /** Runs not yet done, failed or cancelled, by id. */
  activeRuns: Record<string, ActiveRun>;
  /** Runs a Stop was sent for and that have not ended yet. */
  cancelling: Record<string, true>;
  runsError: string | null;
  loadActiveRuns(): Promise<void>;
  /**
   * Sends a message; rejects with a readable error so the composer can keep the draft. `model`
   * (`provider:model`) answers this message only, else the default; `attachments` go with it. It
   * replies to `replyTo` when given (a result's item id, or null for none), else to the result chosen
   * in the composer, if any.
   */
  sendChat(text: string, options?: SendOptions): Promise<void>;
  cancelRun(runId: string): Promise<void>;
  applyRunEvents(events: readonly AppEvent[]): void;
}

export const createRunsSlice: SliceCreator<RunsSlice> = (set, get, client) => ({
  activeRuns: {},
  cancelling: {},
  runsError: null,

  async loadActiveRuns() {
    let runs;
    try {
      ({ runs } = await client.call('runs.list', { limit: 200 }));
    } catch (err) {
      // The timeline still works; only Stop for a turn already running is missing until it ends.
      set({ runsError: `Running turns could not be loaded: ${describeError(err)}` });
      return;
    }
    const activeRuns: Record<string, ActiveRun> = {};
    for (const run of runs) {
      if (!isTerminalRunStatus(run.status)) {
        activeRuns[run.id] = { id: run.id, kind: run.kind, status: run.status, title: run.title, createdAt: run.createdAt };
      }
    }
    set({ activeRuns });
  },

  async sendChat(text, { model, attachments, replyTo: given } = {}) {
    // A message sent while a result is chosen replies to it: that result enters the chat's context.
    // A message asked again (Regenerate, Retry, Try now) replies to what the original replied to,
    // and leaves the composer's choice alone.
    const chosen = given === undefined ? get().replyTo : null;
    const replyTo = given === undefined ? chosen?.itemId : given;
    try {
      await client.call('chat.send', { text, ...(model ? { model } : {}), ...(replyTo ? { replyTo } : {}), ...(attachments?.length ? { attachments } : {}) });
    } catch (err) {
      throw new Error(describeError(err));
    }
    if (chosen && get().replyTo?.itemId === chosen.itemId) get().setReplyTo(null);
  },

  async cancelRun(runId) {
    set({ cancelling: { ...get().cancelling, [runId]: true }, runsError: null });
    try {
      await client.call('runs.cancel', { runId });
    } catch (err) {
      const { [runId]: _dropped, ...rest } = get().cancelling;
      set({ cancelling: rest, runsError: `Stop did not go through: ${describeError(err)}` });
    }
  },

  applyRunEvents(events) {
    let activeRuns = get().activeRuns;
    let cancelling = get().cancelling;
    for (const event of events) {
      if (event.type === 'run.created' && event.runId) {
        activeRuns = { ...activeRuns, [event.runId]: { id: event.runId, kind: event.data.kind, status: 'queued', title: event.data.title, createdAt: event.ts } };
      } else if (event.type === 'run.status' && event.runId) {
        const runId = event.runId;
        if (isTerminalRunStatus(event.data.to)) {
          if (activeRuns[runId]) {
            const { [runId]: _ended, ...rest } = activeRuns;
            activeRuns = rest;
          }
          if (cancelling[runId]) {
            const { [runId]: _done, ...rest } = cancelling;
            cancelling = rest;
          }
        } else if (activeRuns[runId]) {
          activeRuns = { ...activeRuns, [runId]: { ...activeRuns[runId], status: event.data.to } };
        }
      }
    }
    if (activeRuns !== get().activeRuns || cancelling !== get().cancelling) set({ activeRuns, cancelling });
  },
});

/** The chat turn a Stop button stops: the newest chat run still going. */
export function currentChatRun(activeRuns: Record<string, ActiveRun>): ActiveRun | null {
  let newest: ActiveRun | null = null;
  for (const run of Object.values(activeRuns)) {
    if (run.kind !== 'chat') continue;
    if (!newest || run.createdAt > newest.createdAt || (run.createdAt === newest.createdAt && run.id > newest.id)) newest = run;
  }
  return newest;
}
