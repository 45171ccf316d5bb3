import { useId, useState } from 'react';
import type { Client, CommandResult, MessageItem, TimelineItem } from '../../core/contract/index.js';
import { describeError } from '../store/errors.js';
import { useApp, useAppStore, useClient } from '../store/context.js';
import type { SendOptions } from '../store/runs.js';

type RunUsage = CommandResult<'runs.show'>['usage'];

const numberFormat = new Intl.NumberFormat();
const usd = (n: number) => `$${n.toFixed(n === 0 ? 2 : n < 1 ? 4 : 2)}`;

// The question of each run, indexed once per timeline (every row asks; the list can hold thousands).
const questionsByTimeline = new WeakMap<readonly TimelineItem[], Map<string, string>>();

/** The message the person sent to start a run, when it is in the loaded timeline. */
export function questionOf(items: readonly TimelineItem[], runId: string): string | undefined {
  let index = questionsByTimeline.get(items);
  if (!index) {
    index = new Map();
    for (const item of items) if (item.kind === 'message' && item.role === 'user' && item.runId && !index.has(item.runId)) index.set(item.runId, item.text);
    questionsByTimeline.set(items, index);
  }
  return index.get(runId);
}

/**
 * The message that started a run, as it is sent again (Regenerate, Retry, Try now): its text, the
 * result it replied to, and its files, read back from the core. Undefined when it is not loaded.
 */
export async function messageToAskAgain(client: Client, items: readonly TimelineItem[], runId: string): Promise<{ text: string; options: SendOptions } | undefined> {
  const asked = items.find((i): i is MessageItem => i.kind === 'message' && i.role === 'user' && i.runId === runId);
  if (!asked) return undefined;
  const attachments = await Promise.all((asked.attachments ?? []).map((f) => client.call('attachments.get', { id: f.id }).then(({ name, mediaType, data }) => ({ name, mediaType, data }))));
  return { text: asked.text, options: { replyTo: asked.replyTo ?? null, attachments } };
}

/**
 * The tokens and cost of the turn a reply ended, shown while the pointer or the focus is on it (a tap
 * keeps it open): read from the run's usage when first asked, so the list costs nothing until then.
 */
export function UsageButton({ runId }: { runId: string }) {
  const client = useClient();
  const tooltip = useId();
  const [usage, setUsage] = useState<RunUsage | 'loading' | { error: string } | null>(null);
  const [open, setOpen] = useState(false);
  const [pinned, setPinned] = useState(false);
  const load = () => {
    setOpen(true);
    if (usage && usage !== 'loading' && !('error' in usage)) return;
    setUsage('loading');
    client.call('runs.show', { runId }).then(
      (r) => setUsage(r.usage),
      (err) => setUsage({ error: describeError(err) }),
    );
  };
  return (
    <span className="usage" onMouseEnter={load} onMouseLeave={() => !pinned && setOpen(false)}>
      <button
        type="button"
        className="copy-button"
        data-testid="reply-usage"
        aria-describedby={open ? tooltip : undefined}
        aria-expanded={open}
        onFocus={load}
        onBlur={() => !pinned && setOpen(false)}
        onClick={() => {
          setPinned(!pinned);
          if (pinned) setOpen(false);
          else load();
        }}
      >
        Usage
      </button>
      {open ? (
        <span role="tooltip" id={tooltip} className="usage-tooltip" data-testid="reply-usage-tooltip">
          {usage === 'loading' || usage === null ? 'Counting…' : 'error' in usage ? `Usage unavailable: ${usage.error}` : <UsageText usage={usage} />}
        </span>
      ) : null}
    </span>
  );
}

function UsageText({ usage }: { usage: RunUsage }) {
  const t = usage.total;
  const input = t.inputTokens + t.cacheReadTokens + t.cacheWriteTokens;
  const responses = usage.byModel.reduce((n, m) => n + m.responses, 0);
  return (
    <>
      <span data-testid="usage-tokens">
        {numberFormat.format(input)} tokens in, {numberFormat.format(t.outputTokens)} out
      </span>{' '}
      · <span data-testid="usage-cost">{usage.estimated ? '≈ ' : ''}{usd(t.costUsd)}</span>
      <span className="usage-detail">
        {' '}
        for this turn ({responses} model {responses === 1 ? 'response' : 'responses'}
        {usage.byModel.length > 1 ? `: ${usage.byModel.map((m) => `${m.model} ${usd(m.costUsd)}`).join(', ')}` : ''}
        {usage.estimated ? '; estimated, the server reported none' : ''})
      </span>
    </>
  );
}

/**
 * Asks again: sends the message that started this turn once more, to the model picked in the
 * composer. "Regenerate" under a finished reply, "Retry" under one that failed or was stopped.
 */
export function RegenerateButton({ runId, failed }: { runId: string; failed: boolean }) {
  const store = useAppStore();
  const client = useClient();
  const sendChat = useApp((s) => s.sendChat);
  const [state, setState] = useState<'idle' | 'sending' | string>('idle');
  const label = failed ? 'Retry' : 'Regenerate';
  return (
    <>
      <button
        type="button"
        className="copy-button"
        data-testid="regenerate"
        disabled={state === 'sending'}
        aria-label={failed ? 'Retry: ask this again' : 'Regenerate: ask this again'}
        onClick={async () => {
          const { timelineItems, composerModel } = store.getState();
          if (questionOf(timelineItems, runId) === undefined) return setState('The message of this turn is not loaded; scroll up to it and try again.');
          setState('sending');
          try {
            // The result it replied to and the files sent with it go again too.
            const asked = await messageToAskAgain(client, timelineItems, runId);
            if (!asked) return setState('The message of this turn is not loaded; scroll up to it and try again.');
            await sendChat(asked.text, { ...asked.options, model: composerModel });
            setState('idle');
          } catch (err) {
            setState(`Not sent: ${describeError(err)}`);
          }
        }}
      >
        {label}
      </button>
      {state !== 'idle' && state !== 'sending' ? (
        <span className="inline-error" role="alert">
          {state}
        </span>
      ) : null}
    </>
  );
}

/** Whether a turn can be asked again from the timeline: a chat turn whose question is loaded. */
export function useCanAskAgain(runId: string | null): boolean {
  return useApp((s) => (runId ? questionOf(s.timelineItems, runId) !== undefined : false));
}

/** Retry or Regenerate for a turn, when its question is loaded. */
export function AskAgain({ runId, failed }: { runId: string | null; failed: boolean }) {
  const can = useCanAskAgain(runId);
  return can && runId ? <RegenerateButton runId={runId} failed={failed} /> : null;
}
