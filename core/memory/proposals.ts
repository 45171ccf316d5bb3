import type { Statement } from 'better-sqlite3';
import { AppError, type AppEvent, type MemoryArea, type MemoryProposal, type MemorySource } from '../contract/index.js';
import type { WritableDB } from '../db/index.js';
import type { EventLog } from '../events/index.js';
import type { Ids } from '../util/index.js';
import type { MemoryService } from './service.js';
import { normalizeForDedup } from './text.js';

type Row = {
  id: string;
  text: string;
  area: MemoryArea;
  source_kind: MemorySource['kind'];
  source_run_id: string | null;
  source_message_id: string | null;
  status: MemoryProposal['status'];
  created_at: number;
  memory_id: string | null;
};

function rowToProposal(r: Row): MemoryProposal {
  return {
    proposalId: r.id,
    text: r.text,
    area: r.area,
    source: { kind: r.source_kind, runId: r.source_run_id, messageId: r.source_message_id },
    status: r.status,
    createdAt: r.created_at,
    memoryId: r.memory_id,
  };
}

/** Proposed memories as a table, kept by `memory.proposed` / `memory.proposalResolved`. */
export function createProposalProjector(db: WritableDB): (event: AppEvent) => void {
  const insert = db.prepare(
    "INSERT INTO memory_proposals (id, text, area, source_kind, source_run_id, source_message_id, status, created_at) VALUES (?, ?, ?, ?, ?, ?, 'pending', ?)",
  );
  const resolve = db.prepare('UPDATE memory_proposals SET status = ?, memory_id = ? WHERE id = ?');
  return (event) => {
    if (event.type === 'memory.proposed') {
      const d = event.data;
      insert.run(d.proposalId, d.text, d.area, d.source.kind, d.source.runId, d.source.messageId, event.ts);
    } else if (event.type === 'memory.proposalResolved') {
      resolve.run(event.data.action === 'accept' ? 'accepted' : 'rejected', event.data.memoryId, event.data.proposalId);
    }
  };
}

/**
 * Memories a run's extraction proposes. Each proposal is an event in the timeline with its source;
 * the user accepts (possibly edited) or rejects it, or every proposal is accepted at once when the
 * auto-accept setting is on.
 */
export class MemoryProposals {
  private readonly get: Statement;
  private readonly listAll: Statement;
  private readonly listByStatus: Statement;
  private readonly unaccepted: Statement;

  constructor(
    db: WritableDB,
    private readonly log: EventLog,
    private readonly ids: Ids,
    private readonly memory: MemoryService,
  ) {
    this.get = db.prepare('SELECT * FROM memory_proposals WHERE id = ?');
    this.listAll = db.prepare('SELECT * FROM memory_proposals ORDER BY created_at DESC, rowid DESC LIMIT 500');
    this.listByStatus = db.prepare('SELECT * FROM memory_proposals WHERE status = ? ORDER BY created_at DESC, rowid DESC LIMIT 500');
    this.unaccepted = db.prepare("SELECT text FROM memory_proposals WHERE status IN ('pending', 'rejected')").pluck();
  }

  /**
   * Files a proposal, or returns null when there is nothing to ask: the text is already remembered
   * (the same after normalising, or a near duplicate), waits for an answer, or was rejected before.
   */
  async propose(input: { text: string; area: MemoryArea; source: MemorySource }): Promise<MemoryProposal | null> {
    if (this.askedBefore(input.text)) return null;
    if (await this.memory.alreadyRemembered(input.text, input.area)) return null;
    if (this.askedBefore(input.text)) return null;
    const proposalId = this.ids.next('prop');
    this.log.transaction(() => this.log.append('memory.proposed', { proposalId, ...input }, input.source.runId));
    if (this.memory.status().autoAcceptProposals) return this.resolve(proposalId, 'accept');
    return this.one(proposalId);
  }

  list(status?: MemoryProposal['status']): MemoryProposal[] {
    return ((status ? this.listByStatus.all(status) : this.listAll.all()) as Row[]).map(rowToProposal);
  }

  /** Answers a proposal. A second answer returns the first one unchanged. */
  async resolve(proposalId: string, action: 'accept' | 'reject', text?: string): Promise<MemoryProposal> {
    const proposal = this.one(proposalId);
    if (proposal.status !== 'pending') return proposal;
    let memoryId: string | null = null;
    const edited = action === 'accept' && text !== undefined && text.trim() !== proposal.text ? text : undefined;
    if (action === 'accept') {
      const added = await this.memory.add({ text: text ?? proposal.text, area: proposal.area, source: proposal.source });
      memoryId = added.memory.id;
    }
    // Another answer may have landed while the memory was embedding.
    if (this.one(proposalId).status !== 'pending') return this.one(proposalId);
    this.log.transaction(() => this.log.append('memory.proposalResolved', { proposalId, action, memoryId, ...(edited !== undefined ? { editedText: edited } : {}) }, proposal.source.runId));
    return this.one(proposalId);
  }

  private askedBefore(text: string): boolean {
    const norm = normalizeForDedup(text);
    return (this.unaccepted.all() as string[]).some((t) => normalizeForDedup(t) === norm);
  }

  private one(proposalId: string): MemoryProposal {
    const row = this.get.get(proposalId) as Row | undefined;
    if (!row) throw new AppError('not_found', `no memory proposal ${proposalId}`);
    return rowToProposal(row);
  }
}
