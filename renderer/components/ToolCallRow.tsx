import { memo, useState, type ReactNode } from 'react';
import type { ToolCallItem } from '../../core/contract/index.js';
import { useApp } from '../store/context.js';
import { deniedBy } from '../views/approval/words.js';
import type { ToolGroup } from './timelineVisibility.js';

type Shown = { text: string; tone: 'muted' | 'ok' | 'warn' | 'error' };

/** What a tool card says about its call: the truth at this moment, including who denied it. */
function statusOf(item: ToolCallItem, awaitingYou: boolean): Shown {
  if (item.status === 'running') return awaitingYou ? { text: 'waiting for your approval', tone: 'warn' } : { text: 'running…', tone: 'muted' };
  if (item.status === 'ok') return { text: 'done', tone: 'ok' };
  if (item.error?.code === 'denied') return { text: deniedBy(item.error.message) ?? 'denied', tone: 'error' };
  if (item.error?.code === 'cancelled') return { text: 'stopped', tone: 'muted' };
  return { text: 'failed', tone: 'error' };
}

/** Whether a running call is the one a waiting permission request is about. */
function useAwaitingYou(item: ToolCallItem): boolean {
  return useApp((s) => item.status === 'running' && s.pendingPermissions.some((r) => r.runId === item.runId && r.tool === item.tool));
}

function ReviewButton() {
  const review = useApp((s) => s.reviewApprovals);
  return (
    <button type="button" className="chip" data-testid="tool-review" onClick={() => review()}>
      Review
    </button>
  );
}

/** A tool call as a collapsed card; opening it shows the arguments and the result or error. */
export function ToolCallRow({ item, time }: { item: ToolCallItem; time: ReactNode }) {
  const awaitingYou = useAwaitingYou(item);
  const shown = statusOf(item, awaitingYou);
  return (
    <div
      className={`row tool-call tool-${item.status} tone-${shown.tone}`}
      data-testid="timeline-row"
      data-kind="tool_call"
      data-id={item.id}
      data-status={item.status}
      data-shown={awaitingYou ? 'waiting' : item.error?.code === 'denied' ? 'denied' : item.status}
      data-run-id={item.runId ?? ''}
    >
      <details className="tool-details">
        <summary className="tool-summary">
          <span className="tool-name">{item.tool}</span>
          {item.resource ? <span className="tool-resource">{item.resource}</span> : null}
          <span className="tool-status" data-testid="tool-status" aria-live={item.status === 'running' ? 'polite' : undefined}>
            {shown.text}
          </span>
          {time}
        </summary>
        <div className="tool-body">
          <div className="tool-label">Arguments</div>
          <pre className="tool-pre">{item.args}</pre>
          {item.error ? (
            <>
              <div className="tool-label">Error</div>
              <pre className="tool-pre tool-error" data-code={item.error.code}>
                {item.error.message}
              </pre>
            </>
          ) : item.status === 'ok' ? (
            <>
              <div className="tool-label">Result</div>
              <pre className="tool-pre">{item.output || '(empty)'}</pre>
            </>
          ) : null}
        </div>
      </details>
      {/* Outside the summary: a button inside another control is out of reach for some readers. */}
      {awaitingYou ? <ReviewButton /> : null}
    </div>
  );
}

// Which groups the reader opened; rows unmount when scrolled out of view, the choice stays.
const openGroups = new Set<string>();

/** Consecutive tool calls of one run, folded into one line that says what they did; opening it lists each. */
export const ToolGroupRow = memo(function ToolGroupRow({ group, time }: { group: ToolGroup; time: ReactNode }) {
  const [open, setOpen] = useState(() => openGroups.has(group.id));
  const awaitingYou = useApp((s) => group.calls.some((c) => c.status === 'running' && s.pendingPermissions.some((r) => r.runId === c.runId && r.tool === c.tool)));
  const counts = new Map<string, number>();
  for (const call of group.calls) {
    const text = statusOf(call, false).text.startsWith('denied') ? 'denied' : statusOf(call, false).text;
    counts.set(text, (counts.get(text) ?? 0) + 1);
  }
  const names = [...new Set(group.calls.map((c) => c.tool))];
  const summary = awaitingYou ? 'one waits for your approval' : [...counts].map(([text, n]) => `${n} ${text}`).join(', ');
  const tone = awaitingYou ? 'warn' : counts.has('failed') || counts.has('denied') ? 'error' : counts.has('running…') ? 'muted' : 'ok';
  return (
    <div
      className={`row tool-call tool-group tone-${tone}`}
      data-testid="timeline-row"
      data-kind="tool_group"
      data-id={group.id}
      data-count={group.calls.length}
      data-run-id={group.runId ?? ''}
    >
      <details
        className="tool-details"
        open={open}
        onToggle={(event) => {
          const now = (event.currentTarget as HTMLDetailsElement).open;
          if (now) openGroups.add(group.id);
          else openGroups.delete(group.id);
          setOpen(now);
        }}
      >
        <summary className="tool-summary" data-testid="tool-group-summary">
          <span className="tool-name">{group.calls.length} tool calls</span>
          <span className="tool-resource">{names.join(', ')}</span>
          <span className="tool-status" data-testid="tool-status">
            {summary}
          </span>
          {time}
        </summary>
        <div className="tool-group-calls">
          {group.calls.map((call) => (
            <ToolCallRow key={call.id} item={call} time={time} />
          ))}
        </div>
      </details>
      {awaitingYou && !open ? <ReviewButton /> : null}
    </div>
  );
});
