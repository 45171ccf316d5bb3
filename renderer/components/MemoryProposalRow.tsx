import './MemoryProposalRow.css';
import { useState, type ReactNode } from 'react';
import type { MemoryProposalItem } from '../../core/contract/index.js';
import { useApp } from '../store/context.js';

const AREA_TEXT = { main: 'fact or preference', fragments: 'conversation snippet', solutions: 'problem and fix', instruments: 'how to use a tool' } as const;
const STATE_TEXT = { pending: 'waiting for you', accepted: 'remembered', edited: 'remembered as edited', rejected: 'not remembered' } as const;

/**
 * A memory the assistant proposed after a conversation, in the timeline where it happened: accept,
 * edit then save, or reject; once answered it shows what became of it.
 */
export function MemoryProposalRow({ item, time }: { item: MemoryProposalItem; time: ReactNode }) {
  const resolve = useApp((s) => s.resolveMemoryProposal);
  const focus = useApp((s) => s.focusTimelineMessage);
  const [draft, setDraft] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [failed, setFailed] = useState(false);
  const pending = item.status === 'pending';

  const answer = async (action: 'accept' | 'reject', text?: string) => {
    setBusy(true);
    setFailed(false);
    // The row's state comes back as a timeline event; only a failure is kept here.
    const ok = await resolve(item.proposalId, action, text);
    setBusy(false);
    setFailed(!ok);
    if (ok) setDraft(null);
  };

  return (
    <div
      className={`row memory-proposal-row proposal-${item.status}`}
      data-testid="timeline-row"
      data-kind="memory_proposal"
      data-id={item.id}
      data-proposal-id={item.proposalId}
      data-status={item.status}
      data-run-id={item.runId ?? ''}
    >
      <div className="memory-proposal-head">
        <span className="memory-proposal-title">{pending ? 'Remember this?' : 'Proposed memory'}</span>
        <span className="memory-proposal-area">{AREA_TEXT[item.area]}</span>
        {item.source.messageId ? (
          <button type="button" className="memory-proposal-source" onClick={() => focus(item.source.messageId!)} data-testid="proposal-source" title="Show the message this came from">
            from this conversation
          </button>
        ) : (
          <span className="memory-proposal-area">from a conversation</span>
        )}
        <span className="memory-proposal-state" data-testid="proposal-state" aria-live="polite">
          {STATE_TEXT[item.status]}
        </span>
        {time}
      </div>
      {draft !== null ? (
        <textarea value={draft} onChange={(e) => setDraft(e.target.value)} aria-label="Memory text" rows={2} autoFocus data-testid="proposal-edit-text" />
      ) : (
        <p className="memory-proposal-text" data-testid="proposal-text">
          {item.editedText ?? item.text}
        </p>
      )}
      {pending ? (
        <div className="memory-proposal-actions">
          {draft !== null ? (
            <>
              <button type="button" disabled={busy || !draft.trim()} onClick={() => void answer('accept', draft.trim() !== item.text ? draft.trim() : undefined)} data-testid="proposal-save">
                Save
              </button>
              <button type="button" disabled={busy} onClick={() => setDraft(null)}>
                Cancel
              </button>
            </>
          ) : (
            <>
              <button type="button" disabled={busy} onClick={() => void answer('accept')} data-testid="proposal-accept">
                Accept
              </button>
              <button type="button" disabled={busy} onClick={() => setDraft(item.text)} data-testid="proposal-edit">
                Edit
              </button>
              <button type="button" disabled={busy} onClick={() => void answer('reject')} data-testid="proposal-reject">
                Reject
              </button>
            </>
          )}
          {failed ? <span className="memory-proposal-error" role="alert">Not saved; try again.</span> : null}
        </div>
      ) : null}
    </div>
  );
}
