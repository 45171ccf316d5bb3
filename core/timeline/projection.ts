import {
  artifactItemId,
  artifactRunThread,
  CHAT_THREAD,
  proposalOutcome,
  resultItemId,
  threadOfEvent,
  TIMELINE_RUN_STATUSES,
  type AppEvent,
  type ArtifactItem,
  type AttachmentMeta,
  type MemoryProposalItem,
  type MessageItem,
  type RunResultItem,
  type TimelineItem,
  type TimelineSearchHit,
} from '../contract/index.js';
import { searchHit, searchWords } from './search.js';
import type { ReadableDB, ReadStatement, WritableDB } from '../db/index.js';

type Row = {
  id: string;
  seq: number;
  ts: number;
  kind: string;
  run_id: string | null;
  role: string | null;
  text: string | null;
  status: string | null;
  model: string | null;
  code: string | null;
  detail?: string | null;
  thread_id: string;
};

/**
 * The timeline as a table, kept by the event log (the same rules as `applyTimelineEvent`). Every item
 * belongs to the thread of its run (`threadOf`, from the runs capability); an item of no run, and a
 * background run's result (`run.result`), are the chat's.
 */
export function createTimelineProjector(db: WritableDB, threadOf: (runId: string) => string = () => CHAT_THREAD): (event: AppEvent) => void {
  const insert = db.prepare(
    'INSERT OR IGNORE INTO timeline (id, seq, ts, kind, run_id, role, text, status, model, code, thread_id) VALUES (@id, @seq, @ts, @kind, @runId, @role, @text, @status, @model, @code, @threadId)',
  );
  const appendText = db.prepare('UPDATE timeline SET text = text || ? WHERE id = ?');
  const complete = db.prepare('UPDATE timeline SET text = ?, status = ?, model = ? WHERE id = ?');
  let base = { role: null, text: null, status: null, model: null, code: null, threadId: CHAT_THREAD };
  // Tool cards keep arguments and errors as JSON in `detail` (added by the agent migration).
  const insertTool = db.prepare(
    'INSERT OR IGNORE INTO timeline (id, seq, ts, kind, run_id, role, text, status, model, code, detail, thread_id) VALUES (@id, @seq, @ts, @kind, @runId, @role, @text, @status, @model, @code, @detail, @threadId)',
  );
  const completeTool = db.prepare("UPDATE timeline SET text = ?, status = ?, code = ?, detail = json_set(detail, '$.error', json(?)) WHERE id = ?");
  // Memory proposals keep area, source and outcome as JSON in `detail`; only the first answer counts.
  const resolveProposal = db.prepare(
    "UPDATE timeline SET status = ?, detail = json_set(detail, '$.editedText', ?, '$.memoryId', ?) WHERE id = ? AND status = 'pending'",
  );
  // Full-text search sees an item once it is whole (a streaming reply when it completes).
  const indexText = db.prepare('INSERT INTO timeline_fts(rowid, text) VALUES (?, ?)');
  const unindex = db.prepare('DELETE FROM timeline_fts WHERE rowid = ?');
  const seqOf = db.prepare<[string], { seq: number }>('SELECT seq FROM timeline WHERE id = ?');
  const index = (seq: number, text: string | null | undefined) => {
    if (text) indexText.run(seq, text);
  };
  return (event) => {
    base = { ...base, threadId: threadOfEvent(event, threadOf) };
    switch (event.type) {
      case 'message.created':
        // A reply to a result keeps the result's id in `detail`, and attached files are named there
        // (their bytes are in the attachments table).
        insertTool.run({
          ...base,
          id: event.data.messageId,
          seq: event.seq,
          ts: event.ts,
          kind: 'message',
          runId: event.runId,
          role: event.data.role,
          text: event.data.text,
          status: event.data.status,
          detail: messageDetail(event.data.replyTo, event.data.attachments),
        });
        if (event.data.status !== 'streaming') index(event.seq, event.data.text);
        break;
      case 'message.delta':
        appendText.run(event.data.text, event.data.messageId);
        break;
      case 'message.completed': {
        complete.run(event.data.text, event.data.status, event.data.model, event.data.messageId);
        const row = seqOf.get(event.data.messageId);
        if (row) {
          unindex.run(row.seq);
          index(row.seq, event.data.text);
        }
        break;
      }
      case 'run.status':
        if (TIMELINE_RUN_STATUSES.has(event.data.to)) {
          insert.run({
            ...base,
            id: `status-${event.seq}`,
            seq: event.seq,
            ts: event.ts,
            kind: 'run_status',
            runId: event.runId,
            status: event.data.to,
            text: event.data.reason ?? event.data.error,
          });
        }
        break;
      case 'timeline.error':
        insert.run({
          ...base,
          id: `error-${event.seq}`,
          seq: event.seq,
          ts: event.ts,
          kind: 'error',
          runId: event.runId,
          code: event.data.code,
          text: event.data.message,
        });
        index(event.seq, event.data.message);
        break;
      case 'tool.started':
        insertTool.run({
          ...base,
          id: `tool-${event.data.callId}`,
          seq: event.seq,
          ts: event.ts,
          kind: 'tool_call',
          runId: event.runId,
          status: 'running',
          model: event.data.tool,
          text: '',
          detail: JSON.stringify({ callId: event.data.callId, args: event.data.args, capability: event.data.capability, resource: event.data.resource, error: null }),
        });
        break;
      case 'tool.completed':
        completeTool.run(event.data.output, event.data.ok ? 'ok' : 'error', event.data.error?.code ?? null, JSON.stringify(event.data.error), `tool-${event.data.callId}`);
        break;
      case 'memory.proposed':
        insertTool.run({
          ...base,
          id: `proposal-${event.data.proposalId}`,
          seq: event.seq,
          ts: event.ts,
          kind: 'memory_proposal',
          runId: event.runId,
          status: 'pending',
          text: event.data.text,
          detail: JSON.stringify({ proposalId: event.data.proposalId, area: event.data.area, source: event.data.source, editedText: null, memoryId: null }),
        });
        index(event.seq, event.data.text);
        break;
      case 'memory.proposalResolved': {
        const outcome = proposalOutcome(event.data);
        resolveProposal.run(outcome.status, outcome.editedText, outcome.memoryId, `proposal-${event.data.proposalId}`);
        break;
      }
      case 'artifact.created':
        // Its name is the text (found by search), its maker the model column, the rest in `detail`.
        insertTool.run({
          ...base,
          id: artifactItemId(event.data.id),
          seq: event.seq,
          ts: event.ts,
          kind: 'artifact',
          runId: event.runId,
          model: event.data.source ?? 'worker',
          text: event.data.name,
          detail: JSON.stringify({ artifactId: event.data.id, type: event.data.type, size: event.data.size, path: event.data.path, sourceThreadId: artifactRunThread(event, threadOf) }),
        });
        index(event.seq, event.data.name);
        break;
      case 'run.result':
        insertTool.run({
          ...base,
          id: resultItemId(event.data.runId),
          seq: event.seq,
          ts: event.ts,
          kind: 'run_result',
          runId: event.data.runId,
          status: event.data.status,
          model: event.data.name,
          text: event.data.summary,
          detail: JSON.stringify({ sourceKind: event.data.kind, title: event.data.title, reason: event.data.reason, sourceThreadId: event.data.threadId }),
        });
        index(event.seq, event.data.summary);
        break;
      default:
        break;
    }
  };
}

/** Reads pages of the timeline's threads, and searches them. */
export class TimelineQueries {
  private readonly page: ReadStatement;
  private readonly messagesOfRecentRuns: ReadStatement;
  private readonly threadAt: ReadStatement;
  private readonly searchStatement: ReadStatement;
  private readonly streamingOfRun: ReadStatement;
  private readonly messagesOfRun: ReadStatement;
  private readonly firstMessage: ReadStatement;
  private readonly resultById: ReadStatement;

  constructor(db: ReadableDB) {
    this.page = db.prepare('SELECT * FROM timeline WHERE thread_id = ? AND seq < ? ORDER BY seq DESC LIMIT ?');
    // Newest first: what a person looks for in a chat is mostly recent.
    this.searchStatement = db.prepare(
      'SELECT t.* FROM timeline_fts f JOIN timeline t ON t.seq = f.rowid WHERE timeline_fts MATCH ? AND f.rowid < ? AND t.thread_id = ? ORDER BY f.rowid DESC LIMIT ?',
    );
    this.resultById = db.prepare("SELECT * FROM timeline WHERE id = ? AND kind = 'run_result'");
    // A model's history is its own thread's: the thread of the message it answers (the item just before `beforeSeq`).
    this.threadAt = db.prepare('SELECT thread_id FROM timeline WHERE seq < ? ORDER BY seq DESC LIMIT 1').pluck();
    this.messagesOfRecentRuns = db.prepare(
      "SELECT * FROM (SELECT * FROM timeline WHERE thread_id = ? AND kind = 'message' AND seq < ? ORDER BY seq DESC LIMIT ?) ORDER BY seq",
    );
    this.streamingOfRun = db.prepare("SELECT id, text FROM timeline WHERE run_id = ? AND kind = 'message' AND status = 'streaming'");
    this.messagesOfRun = db.prepare("SELECT id, role, text FROM timeline WHERE run_id = ? AND kind = 'message' ORDER BY seq");
    this.firstMessage = db.prepare("SELECT id FROM timeline WHERE run_id = ? AND kind = 'message' ORDER BY seq LIMIT 1").pluck();
  }

  /** The id of a run's first message (the user's), or null. */
  firstMessageOfRun(runId: string): string | null {
    return (this.firstMessage.get(runId) as string | undefined) ?? null;
  }

  /** A run's messages in order, the user's included (what memory extraction reads of a finished turn). */
  runMessages(runId: string): { id: string; role: 'user' | 'assistant'; text: string }[] {
    return (this.messagesOfRun.all(runId) as { id: string; role: 'user' | 'assistant'; text: string | null }[]).map((m) => ({ ...m, text: m.text ?? '' }));
  }

  /** A run's messages still streaming (what a crash left open). */
  streamingMessages(runId: string): { id: string; text: string }[] {
    return this.streamingOfRun.all(runId) as { id: string; text: string }[];
  }

  /** Up to `limit` items of a thread (the chat's unless named) before `beforeSeq`, oldest first, and whether older ones exist. */
  list(beforeSeq: number, limit: number, threadId: string = CHAT_THREAD): { items: TimelineItem[]; hasMore: boolean } {
    const rows = this.page.all(threadId, beforeSeq, limit + 1) as Row[];
    const hasMore = rows.length > limit;
    return { items: rows.slice(0, limit).reverse().map(rowToItem), hasMore };
  }

  /** Items whose words match `query` (every word, the last as a prefix), newest first, with a snippet around the first match. */
  search(query: string, beforeSeq: number, limit: number, threadId: string = CHAT_THREAD): { hits: TimelineSearchHit[]; hasMore: boolean } {
    const words = searchWords(query);
    if (words.length === 0) return { hits: [], hasMore: false };
    const match = words.map((w, i) => `"${w.replace(/"/g, '""')}"${i === words.length - 1 ? '*' : ''}`).join(' ');
    const rows = this.searchStatement.all(match, beforeSeq, threadId, limit + 1) as Row[];
    return { hits: rows.slice(0, limit).map((row) => searchHit(rowToItem(row), row.text ?? '', words)), hasMore: rows.length > limit };
  }

  /**
   * The last `limit` messages before `beforeSeq` of one thread, oldest first (the conversation a new
   * turn sees). The thread is the one of the item just before `beforeSeq` (the message being answered)
   * unless named: another thread's messages (a schedule's report, a worker's transcript) never enter it.
   */
  recentMessages(beforeSeq: number, limit: number, threadId?: string): MessageItem[] {
    const thread = threadId ?? ((this.threadAt.get(beforeSeq) as string | undefined) ?? CHAT_THREAD);
    return (this.messagesOfRecentRuns.all(thread, beforeSeq, limit) as Row[]).map(rowToItem) as MessageItem[];
  }

  /** A background run's result item by its id (`result-<runId>`), or null. */
  result(itemId: string): RunResultItem | null {
    const row = this.resultById.get(itemId) as Row | undefined;
    return row ? (rowToItem(row) as RunResultItem) : null;
  }
}

/** A message's `detail`: the result it replies to and the files sent with it, or null when neither. */
function messageDetail(replyTo: string | undefined, attachments: AttachmentMeta[] | undefined): string | null {
  if (!replyTo && !attachments?.length) return null;
  return JSON.stringify({ ...(replyTo ? { replyTo } : {}), ...(attachments?.length ? { attachments } : {}) });
}

function rowToItem(row: Row): TimelineItem {
  const base = { id: row.id, seq: row.seq, ts: row.ts, runId: row.run_id, threadId: row.thread_id };
  switch (row.kind) {
    case 'message': {
      const detail = row.detail ? (JSON.parse(row.detail) as { replyTo?: string; attachments?: AttachmentMeta[] }) : {};
      const item: MessageItem = { ...base, kind: 'message', role: row.role as 'user' | 'assistant', text: row.text ?? '', status: row.status as never, model: row.model };
      if (detail.replyTo) item.replyTo = detail.replyTo;
      if (detail.attachments?.length) item.attachments = detail.attachments;
      return item;
    }
    case 'run_result': {
      const detail = JSON.parse(row.detail ?? '{}') as Pick<RunResultItem, 'sourceKind' | 'title' | 'reason' | 'sourceThreadId'>;
      return {
        ...base,
        kind: 'run_result',
        sourceKind: detail.sourceKind,
        name: row.model ?? '',
        title: detail.title ?? '',
        status: row.status as RunResultItem['status'],
        reason: detail.reason ?? null,
        summary: row.text ?? '',
        sourceThreadId: detail.sourceThreadId,
      };
    }
    case 'artifact': {
      const detail = JSON.parse(row.detail ?? '{}') as Pick<ArtifactItem, 'artifactId' | 'type' | 'size' | 'path' | 'sourceThreadId'>;
      return {
        ...base,
        kind: 'artifact',
        artifactId: detail.artifactId,
        name: row.text ?? '',
        type: detail.type,
        size: detail.size,
        source: row.model ?? 'worker',
        sourceThreadId: detail.sourceThreadId,
        path: detail.path,
      };
    }
    case 'run_status':
      return { ...base, kind: 'run_status', status: row.status as never, reason: row.text };
    case 'tool_call': {
      const detail = JSON.parse(row.detail ?? '{}') as { callId: string; args: string; capability: string | null; resource: string; error: { code: string; message: string } | null };
      return {
        ...base,
        kind: 'tool_call',
        callId: detail.callId,
        tool: row.model ?? '',
        args: detail.args,
        capability: detail.capability,
        resource: detail.resource,
        status: row.status as 'running' | 'ok' | 'error',
        output: row.text ?? '',
        error: detail.error ?? null,
      };
    }
    case 'memory_proposal': {
      const detail = JSON.parse(row.detail ?? '{}') as Pick<MemoryProposalItem, 'proposalId' | 'area' | 'source' | 'editedText' | 'memoryId'>;
      return {
        ...base,
        kind: 'memory_proposal',
        proposalId: detail.proposalId,
        text: row.text ?? '',
        area: detail.area,
        source: detail.source,
        status: row.status as MemoryProposalItem['status'],
        editedText: detail.editedText ?? null,
        memoryId: detail.memoryId ?? null,
      };
    }
    case 'error':
      return { ...base, kind: 'error', code: row.code ?? 'internal', message: row.text ?? '' };
    default:
      // A row no reader here knows (written by a projector this build lacks): shown, not dropped or misnamed.
      return { ...base, kind: 'error', code: 'unknown_kind', message: `an entry of kind "${row.kind}" that this version cannot show` };
  }
}
