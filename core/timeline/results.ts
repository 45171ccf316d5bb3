import { CHAT_THREAD, type Run, type RunKind, type RunResultStatus } from '../contract/index.js';
import type { ReadableDB, ReadStatement } from '../db/index.js';
import type { EventLog } from '../events/index.js';

/** The most a result item's summary holds; the whole transcript stays in the run's thread. */
export const RESULT_SUMMARY_MAX = 4000;

/** What a capability says about one of its runs that ended: its source's name and what it was doing, and its result if it has one of its own. */
export interface ResultSource {
  /** The schedule's name, the worker's role. */
  name: string;
  /** The schedule's prompt, the worker's task. */
  title: string;
  /** The result in short (a worker's envelope summary); else the run's last reply, or what went wrong. */
  summary?: string;
}

/** Describes an ended run of a capability's kind, or says (null) that it posts no result (a worker of a worker). */
export type ResultDescriber = (run: Run) => ResultSource | null;

/** Where capabilities whose runs work in the background say which of their runs post a result into the chat. */
export interface ResultBoard {
  describe(kind: RunKind, describer: ResultDescriber): void;
}

/**
 * Posts a background run's outcome into the chat thread as one `run.result` when the run ends, in
 * the transaction of its final status (`RunManager.onEnded`): a run that ends has its result, once.
 */
export function createResultPoster(db: ReadableDB, log: EventLog): ResultBoard & { post(run: Run): void } {
  const describers = new Map<RunKind, ResultDescriber>();
  const lastReply: ReadStatement = db
    .prepare("SELECT text FROM timeline WHERE run_id = ? AND kind = 'message' AND role = 'assistant' AND trim(text) != '' ORDER BY seq DESC LIMIT 1")
    .pluck();
  return {
    describe(kind, describer) {
      describers.set(kind, describer);
    },
    post(run) {
      const source = describers.get(run.kind)?.(run);
      if (!source) return;
      const status = resultStatus(run);
      const reply = lastReply.get(run.id) as string | undefined;
      const summary = source.summary?.trim() || (status === 'done' ? reply : null) || whatWentWrong(run, status, reply);
      log.append(
        'run.result',
        {
          runId: run.id,
          kind: run.kind,
          name: oneLine(source.name, 200),
          title: oneLine(source.title, 300),
          status,
          reason: status === 'done' || status === 'interrupted' ? null : run.reason,
          summary: clip(summary, RESULT_SUMMARY_MAX),
          threadId: run.threadId,
        },
        null,
      );
    },
  };
}

/** True when a run's thread is the chat's: its workers' results are posted into the chat. */
export function isChatThread(threadId: string | null | undefined): boolean {
  return threadId === CHAT_THREAD;
}

function resultStatus(run: Run): RunResultStatus {
  // The app stopped with it running: killed (found at the next start) or quit (cancelled as it closed).
  if ((run.status === 'failed' && run.reason === 'interrupted') || (run.status === 'cancelled' && run.reason === 'app_closed')) return 'interrupted';
  return run.status === 'done' || run.status === 'cancelled' ? run.status : 'failed';
}

function whatWentWrong(run: Run, status: RunResultStatus, reply: string | undefined): string {
  switch (status) {
    case 'done':
      return 'It ended without a reply.';
    case 'interrupted':
      return 'The app stopped while it was in progress.';
    case 'cancelled':
      return `Cancelled${run.reason ? ` (${run.reason.replace(/_/g, ' ')})` : ''}.${reply ? ` It had written: ${reply}` : ''}`;
    default:
      return run.error ?? `It failed${run.reason ? ` (${run.reason.replace(/_/g, ' ')})` : ''}.`;
  }
}

function oneLine(text: string, max: number): string {
  return clip(text.replace(/\s+/g, ' ').trim(), max);
}

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
