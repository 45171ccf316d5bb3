import './MemoryPane.css';
import { useEffect, useMemo, useRef, useState } from 'react';
import type { MemoryArea, MemoryMatch, MemoryProposal } from '../../core/contract/index.js';
import { Marked } from '../components/Marked.js';
import { useApp } from '../store/context.js';
import type { MemoryRowView } from '../store/memory.js';

const AREAS: { id: MemoryArea; label: string }[] = [
  { id: 'main', label: 'Facts & preferences' },
  { id: 'fragments', label: 'Conversation fragments' },
  { id: 'solutions', label: 'Problems & fixes' },
  { id: 'instruments', label: 'How to use tools' },
];

/** One query word's match: the word itself, a related word ("dad → father, synonym"), or the person a relation names ("in-laws → Bill, as memory … says"). */
function matchText(m: MemoryMatch): string {
  if (m.relation === 'word') return m.query;
  if (m.relation === 'person') return `${m.asked ?? m.query} → ${m.word}, as memory ${m.via ?? '?'} says`;
  return `${m.query} → ${m.word}, ${m.relation}`;
}

function MemoryItem({ row }: { row: MemoryRowView }) {
  const { memory, explain } = row;
  const selected = useApp((s) => Boolean(s.memorySelected[memory.id]));
  const toggle = useApp((s) => s.toggleMemorySelected);
  const pin = useApp((s) => s.pinMemory);
  const forget = useApp((s) => s.forgetMemories);
  const edit = useApp((s) => s.editMemory);
  const focus = useApp((s) => s.focusTimelineMessage);
  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState(memory.text);
  const [area, setArea] = useState<MemoryArea>(memory.area);
  const [why, setWhy] = useState(false);
  // Forgetting cannot be undone, so it asks once more, right where the button was.
  const [confirming, setConfirming] = useState(false);
  const created = new Date(memory.createdAt).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });

  const save = async () => {
    if (await edit(memory.id, { ...(draft.trim() !== memory.text ? { text: draft.trim() } : {}), ...(area !== memory.area ? { area } : {}) })) setEditing(false);
  };

  return (
    <li className={`memory${memory.pinned ? ' memory-pinned' : ''}`} data-testid="memory-row" data-id={memory.id} data-pinned={memory.pinned}>
      <input type="checkbox" aria-label="Select" checked={selected} onChange={() => toggle(memory.id)} data-testid="memory-select" />
      <div className="memory-body">
        {editing ? (
          <div className="memory-edit">
            <textarea value={draft} onChange={(e) => setDraft(e.target.value)} aria-label="Memory text" data-testid="memory-edit-text" rows={3} />
            <select value={area} onChange={(e) => setArea(e.target.value as MemoryArea)} aria-label="Area">
              {AREAS.map((a) => (
                <option key={a.id} value={a.id}>
                  {a.label}
                </option>
              ))}
            </select>
            <button type="button" onClick={() => void save()} disabled={!draft.trim()} data-testid="memory-edit-save">
              Save
            </button>
            <button type="button" onClick={() => setEditing(false)}>
              Cancel
            </button>
          </div>
        ) : (
          <p className="memory-text" data-testid="memory-text">
            <Marked text={memory.text} ranges={row.highlights} />
          </p>
        )}
        <div className="memory-meta">
          <span className={`memory-area area-${memory.area}`}>{AREAS.find((a) => a.id === memory.area)?.label}</span>
          <span>{created}</span>
          <span>{memory.source.kind === 'run' ? 'from a conversation' : memory.source.kind === 'import' ? 'imported' : memory.source.kind === 'consolidation' ? 'consolidated' : 'added by you'}</span>
          {memory.conflictsWith ? (
            <span className="memory-conflict" data-testid="memory-conflict" title={`May contradict ${memory.conflictsWith}; the newer one ranks first. Edit or forget one of them.`}>
              possible contradiction
            </span>
          ) : null}
          {row.score !== null ? (
            <button type="button" className="link" onClick={() => setWhy(!why)} aria-expanded={why}>
              why this rank?
            </button>
          ) : null}
        </div>
        {why && explain ? (
          <div className="memory-explain" data-testid="memory-explain">
            full text #{explain.bm25Rank ?? '–'}
            {explain.matches.length ? ` (${explain.matches.map(matchText).join('; ')})` : ''} · meaning #{explain.vectorRank ?? '–'}
            {explain.vectorSimilarity !== null ? ` (similarity ${explain.vectorSimilarity.toFixed(2)})` : ''} · fused {explain.rrf.toFixed(4)} × recency {explain.recencyBoost.toFixed(2)} × pin{' '}
            {explain.pinBoost.toFixed(2)} × replaced {explain.supersededPenalty.toFixed(2)}
            {explain.updateBoost !== 1 ? ` × newer ${explain.updateBoost.toFixed(2)}` : ''} = {row.score?.toFixed(4)}
            {explain.replaces ? (
              <span data-testid="memory-replaces">
                {' '}
                · {explain.rrf === 0 ? 'found as the update of a result: ' : ''}it updates an older memory about the same thing and ranks above it
              </span>
            ) : null}
            {explain.replacedBy ? (
              <span data-testid="memory-replaced">
                {' '}
                · a newer memory about the same thing ranks above it{explain.replacedBecause ? `: ${explain.replacedBecause}` : ''}
              </span>
            ) : null}
          </div>
        ) : null}
      </div>
      <div className="memory-actions">
        {memory.source.messageId ? (
          <button type="button" onClick={() => focus(memory.source.messageId!)} data-testid="memory-jump" title="Show the message this came from">
            Source
          </button>
        ) : null}
        <button type="button" onClick={() => { setDraft(memory.text); setArea(memory.area); setEditing(true); }} data-testid="memory-edit">
          Edit
        </button>
        <button type="button" onClick={() => void pin(memory.id, !memory.pinned)} aria-pressed={memory.pinned} data-testid="memory-pin">
          {memory.pinned ? 'Unpin' : 'Pin'}
        </button>
        {confirming ? (
          <span className="memory-confirm" role="group" aria-label="Forget this memory?">
            <button type="button" className="danger" onClick={() => void forget([memory.id])} data-testid="memory-forget-confirm" autoFocus>
              Forget for good
            </button>
            <button type="button" onClick={() => setConfirming(false)}>
              Keep
            </button>
          </span>
        ) : (
          <button type="button" className="danger" onClick={() => setConfirming(true)} data-testid="memory-forget">
            Forget…
          </button>
        )}
      </div>
    </li>
  );
}

/** A memory the assistant proposed after a conversation: accept (as edited) or reject. */
function ProposalItem({ proposal }: { proposal: MemoryProposal }) {
  const resolve = useApp((s) => s.resolveMemoryProposal);
  const focus = useApp((s) => s.focusTimelineMessage);
  const [text, setText] = useState(proposal.text);
  return (
    <li className="memory memory-proposal" data-testid="memory-proposal" data-id={proposal.proposalId}>
      <div className="memory-body">
        <textarea value={text} onChange={(e) => setText(e.target.value)} aria-label="Proposed memory" rows={2} data-testid="memory-proposal-text" />
        <div className="memory-meta">
          <span className="memory-area">{AREAS.find((a) => a.id === proposal.area)?.label}</span>
          <span>proposed after a conversation</span>
        </div>
      </div>
      <div className="memory-actions">
        {proposal.source.messageId ? (
          <button type="button" onClick={() => focus(proposal.source.messageId!)} title="Show the message this came from">
            Source
          </button>
        ) : null}
        <button type="button" disabled={!text.trim()} onClick={() => void resolve(proposal.proposalId, 'accept', text.trim() !== proposal.text ? text.trim() : undefined)} data-testid="memory-proposal-accept">
          Remember
        </button>
        <button type="button" onClick={() => void resolve(proposal.proposalId, 'reject')} data-testid="memory-proposal-reject">
          Dismiss
        </button>
      </div>
    </li>
  );
}

/** The memory browser: search, filter, edit, pin, forget, import and export what the assistant remembers. */
export function MemoryPane() {
  const rows = useApp((s) => s.memoryRows);
  const sure = useMemo(() => rows.filter((r) => r.confident), [rows]);
  const longShots = useMemo(() => rows.filter((r) => !r.confident), [rows]);
  const total = useApp((s) => s.memoryTotal);
  const loading = useApp((s) => s.memoryLoading);
  const error = useApp((s) => s.memoryError);
  const notice = useApp((s) => s.memoryNotice);
  const area = useApp((s) => s.memoryArea);
  const pinnedOnly = useApp((s) => s.memoryPinnedOnly);
  const query = useApp((s) => s.memoryQuery);
  const selectedCount = useApp((s) => Object.keys(s.memorySelected).length);
  const refresh = useApp((s) => s.refreshMemories);
  const setQuery = useApp((s) => s.setMemoryQuery);
  const setFilter = useApp((s) => s.setMemoryFilter);
  const forget = useApp((s) => s.forgetMemories);
  const importMemories = useApp((s) => s.importMemories);
  const exportMemories = useApp((s) => s.exportMemories);
  const selectedIds = useApp((s) => s.memorySelected);
  const proposals = useApp((s) => s.memoryProposals);
  const loadProposals = useApp((s) => s.loadMemoryProposals);
  const [draft, setDraft] = useState(query);
  const [confirmBulk, setConfirmBulk] = useState(false);
  const file = useRef<HTMLInputElement>(null);

  useEffect(() => {
    void refresh();
    void loadProposals();
  }, [refresh, loadProposals]);

  // Search as the user types, a moment after the last key.
  useEffect(() => {
    if (draft === query) return;
    const timer = setTimeout(() => void setQuery(draft), 150);
    return () => clearTimeout(timer);
  }, [draft, query, setQuery]);

  const onImport = async (files: FileList | null) => {
    const f = files?.[0];
    if (!f) return;
    await importMemories(await f.text());
    if (file.current) file.current.value = '';
  };

  const onExport = async () => {
    const jsonl = await exportMemories();
    if (jsonl === null) return;
    const url = URL.createObjectURL(new Blob([jsonl], { type: 'application/jsonl' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = `agent-blob-memories-${new Date().toISOString().slice(0, 10)}.jsonl`;
    a.click();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  };

  return (
    <div className="memory-pane">
      <div className="memory-toolbar">
        <input type="search" placeholder="Search memories…" value={draft} onChange={(e) => setDraft(e.target.value)} aria-label="Search memories" data-testid="memory-search" />
        <select value={area ?? ''} onChange={(e) => void setFilter({ area: (e.target.value || null) as MemoryArea | null })} aria-label="Area" data-testid="memory-area">
          <option value="">All areas</option>
          {AREAS.map((a) => (
            <option key={a.id} value={a.id}>
              {a.label}
            </option>
          ))}
        </select>
        <label className="memory-pinned-filter">
          <input type="checkbox" checked={pinnedOnly} onChange={(e) => void setFilter({ pinnedOnly: e.target.checked })} data-testid="memory-pinned-only" /> Pinned only
        </label>
        <span className="memory-toolbar-gap" />
        {confirmBulk && selectedCount ? (
          <span className="memory-confirm" role="group" aria-label="Forget the selected memories?">
            <button type="button" className="danger" onClick={() => { setConfirmBulk(false); void forget(Object.keys(selectedIds)); }} data-testid="memory-forget-selected-confirm" autoFocus>
              Forget {selectedCount} for good
            </button>
            <button type="button" onClick={() => setConfirmBulk(false)}>
              Keep
            </button>
          </span>
        ) : (
          <button type="button" className="danger" disabled={!selectedCount} onClick={() => setConfirmBulk(true)} data-testid="memory-forget-selected">
            Forget {selectedCount || ''} selected…
          </button>
        )}
        <button type="button" onClick={() => file.current?.click()} data-testid="memory-import">
          Import…
        </button>
        <input ref={file} type="file" accept=".jsonl,.json,.txt" hidden onChange={(e) => void onImport(e.target.files)} data-testid="memory-import-input" />
        <button type="button" onClick={() => void onExport()} data-testid="memory-export">
          Export
        </button>
      </div>
      {error ? (
        <p className="inline-error" role="alert" data-testid="memory-error">
          {error}
        </p>
      ) : null}
      {notice ? (
        <p className="memory-notice" role="status" data-testid="memory-notice">
          {notice}
        </p>
      ) : null}
      {proposals.length ? (
        <section className="memory-proposals" aria-label="Proposed memories">
          <h2>Suggested by the assistant ({proposals.length})</h2>
          <ul className="memory-list">
            {proposals.map((p) => (
              <ProposalItem key={p.proposalId} proposal={p} />
            ))}
          </ul>
        </section>
      ) : null}
      <p className="memory-count" data-testid="memory-count">
        {loading ? 'Loading…' : query.trim() ? `${sure.length} ${sure.length === 1 ? 'match' : 'matches'}, best first${longShots.length ? `, and ${longShots.length} long ${longShots.length === 1 ? 'shot' : 'shots'}` : ''}` : `${total} ${total === 1 ? 'memory' : 'memories'}${total > rows.length ? `, newest ${rows.length} shown` : ''}`}
      </p>
      {sure.length ? (
        <ul className="memory-list" data-testid="memory-list">
          {sure.map((row) => (
            <MemoryItem key={row.memory.id} row={row} />
          ))}
        </ul>
      ) : null}
      {longShots.length ? (
        <section className="memory-long-shots" data-testid="memory-long-shots">
          <h3>Long shots</h3>
          <p className="empty-hint">These share no specific word or close meaning with your search; the assistant does not use them for it.</p>
          <ul className="memory-list">
            {longShots.map((row) => (
              <MemoryItem key={row.memory.id} row={row} />
            ))}
          </ul>
        </section>
      ) : null}
      {rows.length ? null : !loading ? (
        <div className="timeline-state" data-testid="memory-empty">
          <p className="empty-title">{query.trim() ? 'Nothing matches' : 'Nothing remembered yet'}</p>
          <p className="empty-hint">Memories come from your conversations, from what you add, and from imports. You can edit, pin or forget any of them here.</p>
        </div>
      ) : null}
    </div>
  );
}
