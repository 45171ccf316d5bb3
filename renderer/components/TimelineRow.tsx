import { memo, type ReactNode } from 'react';
import { dayLabel, RowTime, useLocalZone } from './dates.js';
import { useApp } from '../store/context.js';
import type { MessageItem } from '../../core/contract/index.js';
import { MemoryProposalRow } from './MemoryProposalRow.js';
import { ResultRow } from './ResultRow.js';
import { ArtifactRow } from './ArtifactRow.js';
import { CooldownNotice } from './CooldownNotice.js';
import { CopyButton } from './CopyButton.js';
import { MessageAttachments } from './MessageAttachments.js';
import { Markdown } from './Markdown.js';
import { AskAgain, UsageButton } from './ReplyActions.js';
import { ErrorFixLink } from './SettingsLink.js';
import { ToolCallRow, ToolGroupRow } from './ToolCallRow.js';
import type { TimelineEntry } from './timelineVisibility.js';

const STATUS_TEXT: Record<string, string> = {
  cancelled: 'Cancelled',
  failed: 'Failed',
  waiting_permission: 'Waiting for your permission',
};

const MESSAGE_ENDINGS: Record<string, string> = {
  cancelled: 'stopped before it finished',
  failed: 'cut short by an error',
  interrupted: 'interrupted when the app closed',
};

/** One entry of the timeline. Memoized: rows re-render only when their own item changes. */
export const TimelineRow = memo(function TimelineRow({ item }: { item: TimelineEntry }) {
  const time = <RowTime ts={item.ts} />;
  switch (item.kind) {
    case 'message':
      return <MessageRow item={item} time={time} />;
    case 'run_status':
      return (
        <div className={`row row-status status-${item.status}`} data-testid="timeline-row" data-kind="run_status" data-id={item.id} data-status={item.status} data-run-id={item.runId ?? ''}>
          <span className="status-line">
            {STATUS_TEXT[item.status] ?? item.status}
            {item.reason ? <span className="status-reason"> — {humanize(item.reason)}</span> : null}
          </span>
          {time}
        </div>
      );
    case 'error':
      return (
        <div className="row row-error" role="alert" data-testid="timeline-row" data-kind="error" data-id={item.id} data-code={item.code}>
          <span className="error-title">Something went wrong</span>
          <span className="error-message">{item.message}</span>
          <ErrorFixLink code={item.code} message={item.message} />
          {item.code.startsWith('provider.') && /cooling down/.test(item.message) ? <CooldownNotice runId={item.runId} /> : <AskAgain runId={item.runId} failed />}
          {time}
        </div>
      );
    case 'tool_call':
      return <ToolCallRow item={item} time={time} />;
    case 'memory_proposal':
      return <MemoryProposalRow item={item} time={time} />;
    case 'tool_group':
      return <ToolGroupRow group={item} time={time} />;
    case 'run_result':
      return <ResultRow item={item} time={time} />;
    case 'artifact':
      return <ArtifactRow item={item} time={time} />;
    default:
      // A kind this build does not know yet (a newer core): say so rather than show nothing.
      return (
        <div className="row row-status" data-testid="timeline-row" data-kind={(item as { kind: string }).kind} data-id={(item as { id: string }).id}>
          <span className="status-line">{(item as { kind: string }).kind.replace(/_/g, ' ')}</span>
          {time}
        </div>
      );
  }
});

/** The line above the first row of a local day: Today, Yesterday, or the date. */
export function DaySeparator({ day, ts }: { day: string; ts: number }) {
  useLocalZone();
  const label = dayLabel(ts);
  return (
    <div className="day-separator" data-testid="day-separator" data-day={day} role="separator" aria-label={label}>
      <span>{label}</span>
    </div>
  );
}

function MessageRow({ item, time }: { item: MessageItem; time: ReactNode }) {
  const streaming = item.status === 'streaming';
  const ending = MESSAGE_ENDINGS[item.status];
  return (
    <article
      className={`row message message-${item.role}${streaming ? ' message-streaming' : ''}`}
      data-testid="timeline-row"
      data-kind="message"
      data-role={item.role}
      data-status={item.status}
      data-id={item.id}
      data-run-id={item.runId ?? ''}
      aria-label={item.role === 'user' ? 'You' : 'Agent Blob'}
    >
      <header className="message-meta">
        <span className="message-author">{item.role === 'user' ? 'You' : 'Agent Blob'}</span>
        {item.model ? <span className="message-model">{item.model}</span> : null}
        {time}
        {streaming || !item.text ? null : <CopyButton text={item.text} label="Copy message" testId="copy-message" />}
        {item.role === 'assistant' && !streaming && item.runId ? <UsageButton runId={item.runId} /> : null}
        {item.role === 'assistant' && !streaming ? <AskAgain runId={item.runId} failed={item.status !== 'done'} /> : null}
      </header>
      {item.replyTo ? <RepliedTo itemId={item.replyTo} /> : null}
      {/* aria-busy holds the announcement until the reply is whole, instead of reading every delta. */}
      <div className="message-text" data-testid="message-text" aria-live={streaming ? 'polite' : undefined} aria-busy={streaming}>
        {item.role === 'assistant' ? <Markdown text={item.text} streaming={streaming} /> : <span className="plain-text">{item.text}</span>}
        {streaming ? <span className="typing" data-testid="streaming-indicator" role="img" aria-label="writing" /> : null}
      </div>
      {item.attachments?.length ? <MessageAttachments files={item.attachments} /> : null}
      {ending ? <div className="message-ending">{ending}</div> : null}
    </article>
  );
}

/** Above a message that replies to a result: which one (its name, when the result is loaded). */
function RepliedTo({ itemId }: { itemId: string }) {
  const name = useApp((s) => {
    const result = s.timelineItems.find((i) => i.id === itemId);
    return result?.kind === 'run_result' ? result.name : null;
  });
  return (
    <p className="message-reply-to" data-testid="message-reply-to" data-reply-to={itemId}>
      In reply to {name ? <>the result of <strong>{name}</strong></> : 'a result'}
    </p>
  );
}

const REASONS: Record<string, string> = {
  cancelled_by_user: 'stopped by you',
  app_closed: 'the app was closed',
  interrupted: 'interrupted when the app closed',
};

function humanize(reason: string): string {
  return REASONS[reason] ?? reason.replace(/_/g, ' ');
}
