import type { AppEvent, Memory, MemoryArea, MemoryExplain, MemoryProposal, MemoryStatus } from '../../core/contract/index.js';
import { splitJsonl } from '../../core/contract/index.js';
import { describeError } from './errors.js';
import type { SliceCreator } from './types.js';

/** One row of the memory browser: a memory, and for search results its score, explain and highlights. */
export interface MemoryRowView {
  memory: Memory;
  score: number | null;
  explain: MemoryExplain | null;
  /** False for a search hit that matches only weakly (a long shot, shown apart). */
  confident: boolean;
  highlights: [number, number][];
}

export interface MemorySlice {
  memoryQuery: string;
  memoryArea: MemoryArea | null;
  memoryPinnedOnly: boolean;
  memoryRows: MemoryRowView[];
  memoryTotal: number;
  memoryLoading: boolean;
  memoryError: string | null;
  /** A short line after an import, export or bulk forget. */
  memoryNotice: string | null;
  memorySelected: Record<string, true>;
  /** What the assistant proposed to remember after a conversation and nobody answered yet. */
  memoryProposals: MemoryProposal[];
  loadMemoryProposals(): Promise<void>;
  /** Counts, the embedder and whether proposals are made and accepted without asking (Settings). */
  memoryStatus: MemoryStatus | null;
  loadMemoryStatus(): Promise<void>;
  configureMemory(patch: { extractAfterRuns?: boolean; autoAcceptProposals?: boolean }): Promise<boolean>;
  /** Accepts (with the text as edited) or rejects a proposal. */
  resolveMemoryProposal(proposalId: string, action: 'accept' | 'reject', text?: string): Promise<boolean>;
  /** Set when the user asked to see a memory's source message; the chat pane scrolls to it. */
  timelineFocus: { messageId: string; nonce: number } | null;
  /** Lists (empty query) or searches with the current filters. */
  refreshMemories(): Promise<void>;
  setMemoryQuery(query: string): Promise<void>;
  setMemoryFilter(filter: { area?: MemoryArea | null; pinnedOnly?: boolean }): Promise<void>;
  pinMemory(id: string, pinned: boolean): Promise<void>;
  editMemory(id: string, patch: { text?: string; area?: MemoryArea }): Promise<boolean>;
  forgetMemories(ids: string[]): Promise<void>;
  toggleMemorySelected(id: string): void;
  clearMemorySelection(): void;
  importMemories(jsonl: string): Promise<void>;
  exportMemories(): Promise<string | null>;
  focusTimelineMessage(messageId: string): void;
  applyMemoryEvents(events: readonly AppEvent[]): void;
}

export const createMemorySlice: SliceCreator<MemorySlice> = (set, get, client) => {
  let generation = 0;
  let refreshQueued = false;
  let statusGeneration = 0;
  const fail = (what: string, err: unknown) => set({ memoryError: `${what}: ${describeError(err)}`, memoryLoading: false });
  return {
    memoryQuery: '',
    memoryArea: null,
    memoryPinnedOnly: false,
    memoryRows: [],
    memoryTotal: 0,
    memoryLoading: false,
    memoryError: null,
    memoryNotice: null,
    memorySelected: {},
    timelineFocus: null,
    memoryProposals: [],
    memoryStatus: null,

    async loadMemoryStatus() {
      const asked = ++statusGeneration;
      try {
        const status = await client.call('memory.status', {});
        // A change saved meanwhile answered with a newer status; this one would undo it on screen.
        if (asked === statusGeneration) set({ memoryStatus: status });
      } catch (err) {
        fail('Memory settings could not be loaded', err);
      }
    },

    async configureMemory(patch) {
      const asked = ++statusGeneration;
      try {
        const status = await client.call('memory.configure', patch);
        if (asked === statusGeneration) set({ memoryStatus: status, memoryError: null });
        return true;
      } catch (err) {
        fail('Memory settings were not saved', err);
        return false;
      }
    },

    async loadMemoryProposals() {
      try {
        const { proposals } = await client.call('memory.proposals', { status: 'pending' });
        set({ memoryProposals: proposals });
      } catch (err) {
        fail('Proposals could not be loaded', err);
      }
    },

    async resolveMemoryProposal(proposalId, action, text) {
      try {
        await client.call('memory.resolveProposal', { proposalId, action, ...(text !== undefined ? { text } : {}) });
        set({ memoryProposals: get().memoryProposals.filter((p) => p.proposalId !== proposalId) });
        return true;
      } catch (err) {
        fail(action === 'accept' ? 'The proposal was not saved' : 'The proposal was not dismissed', err);
        return false;
      }
    },

    async refreshMemories() {
      // Only the newest request may write the rows: typing fast must not show an older answer last.
      const mine = ++generation;
      const { memoryQuery: query, memoryArea: area, memoryPinnedOnly: pinnedOnly } = get();
      set({ memoryLoading: true, memoryError: null });
      try {
        const filter = { ...(area ? { area } : {}), ...(pinnedOnly ? { pinned: true } : {}) };
        if (query.trim()) {
          const { hits } = await client.call('memory.search', { query: query.trim(), limit: 100, ...filter });
          if (mine !== generation) return;
          set({ memoryRows: hits.map((h) => ({ memory: h.memory, score: h.score, explain: h.explain, confident: h.confident, highlights: h.highlights })), memoryTotal: hits.length, memoryLoading: false });
        } else {
          const { memories, total } = await client.call('memory.list', { limit: 500, ...filter });
          if (mine !== generation) return;
          set({ memoryRows: memories.map((memory) => ({ memory, score: null, explain: null, confident: true, highlights: [] })), memoryTotal: total, memoryLoading: false });
        }
      } catch (err) {
        if (mine === generation) fail('Memories could not be loaded', err);
      }
    },

    async setMemoryQuery(query) {
      set({ memoryQuery: query });
      await get().refreshMemories();
    },

    async setMemoryFilter({ area, pinnedOnly }) {
      set({ ...(area !== undefined ? { memoryArea: area } : {}), ...(pinnedOnly !== undefined ? { memoryPinnedOnly: pinnedOnly } : {}) });
      await get().refreshMemories();
    },

    async pinMemory(id, pinned) {
      try {
        await client.call('memory.pin', { id, pinned });
      } catch (err) {
        fail('Pin did not go through', err);
      }
    },

    async editMemory(id, patch) {
      try {
        await client.call('memory.update', { id, ...patch });
        return true;
      } catch (err) {
        fail('The change was not saved', err);
        return false;
      }
    },

    async forgetMemories(ids) {
      if (!ids.length) return;
      try {
        const { forgotten } = await client.call('memory.forget', { ids });
        const selected = { ...get().memorySelected };
        for (const id of ids) delete selected[id];
        set({ memorySelected: selected, memoryNotice: `Forgot ${forgotten} ${forgotten === 1 ? 'memory' : 'memories'}.` });
      } catch (err) {
        fail('Forget did not go through', err);
      }
    },

    toggleMemorySelected(id) {
      const selected = { ...get().memorySelected };
      if (selected[id]) delete selected[id];
      else selected[id] = true;
      set({ memorySelected: selected });
    },

    clearMemorySelection() {
      set({ memorySelected: {} });
    },

    async importMemories(jsonl) {
      try {
        // In pieces of whole lines: one request over the WebSocket is at most 1 MiB.
        const r = { imported: 0, deduped: 0, errors: [] as { line: number; message: string }[] };
        const pieces = splitJsonl(jsonl);
        for (const [i, piece] of pieces.entries()) {
          const part = await client.call('memory.import', piece);
          r.imported += part.imported;
          r.deduped += part.deduped;
          r.errors.push(...part.errors);
          if (pieces.length > 1 && i < pieces.length - 1) set({ memoryNotice: `Importing… ${Math.round(((i + 1) / pieces.length) * 100)} %, ${r.imported} imported so far.` });
        }
        const bad = r.errors.length ? ` Skipped ${r.errors.length} bad ${r.errors.length === 1 ? 'line' : 'lines'} (${r.errors.slice(0, 5).map((e) => `line ${e.line}: ${e.message}`).join('; ')}).` : '';
        set({ memoryNotice: `Imported ${r.imported}, ${r.deduped} already known.${bad}` });
      } catch (err) {
        fail('Import failed', err);
      }
    },

    async exportMemories() {
      try {
        const { jsonl, count } = await client.call('memory.export', {});
        set({ memoryNotice: `Exported ${count} ${count === 1 ? 'memory' : 'memories'}.` });
        return jsonl;
      } catch (err) {
        fail('Export failed', err);
        return null;
      }
    },

    focusTimelineMessage(messageId) {
      set({ timelineFocus: { messageId, nonce: Date.now() }, pane: 'chat' });
    },

    applyMemoryEvents(events) {
      if (refreshQueued || !events.some((e) => e.type.startsWith('memory.'))) return;
      // Many events (an import) become one refresh.
      refreshQueued = true;
      setTimeout(() => {
        refreshQueued = false;
        void get().refreshMemories();
        void get().loadMemoryProposals();
        if (get().memoryStatus) void get().loadMemoryStatus();
      }, 50);
    },
  };
};
