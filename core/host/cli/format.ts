import type { Run, TimelineItem } from '../../contract/index.js';

/** `2026-01-01 12:00:05` in UTC, short and sortable. */
export function formatTime(ts: number | null): string {
  return ts === null ? '-' : new Date(ts).toISOString().replace('T', ' ').slice(0, 19);
}

/** Left-aligned columns; the last column is not padded. */
export function table(rows: string[][]): string {
  if (!rows.length) return '';
  const widths = rows[0].map((_, col) => Math.max(...rows.map((r) => (r[col] ?? '').length)));
  return rows.map((r) => r.map((cell, col) => (col === r.length - 1 ? cell : cell.padEnd(widths[col]))).join('  ')).join('\n') + '\n';
}

export function runRow(run: Run): string[] {
  const status = run.reason && run.status !== 'done' ? `${run.status} (${run.reason})` : run.status;
  return [run.id, status, run.kind, formatTime(run.createdAt), oneLine(run.title, 60)];
}

/** One timeline item as a line a person reads: `#12 2026-... you: hello`. */
export function timelineLine(item: TimelineItem): string {
  const head = `#${item.seq} ${formatTime(item.ts)}`;
  switch (item.kind) {
    case 'message': {
      const who = item.role === 'user' ? 'you' : 'assistant';
      const state = item.status === 'done' ? '' : ` [${item.status}]`;
      // Continuation lines are indented so each item still starts a line with its seq.
      return `${head} ${who}: ${item.text.replace(/\n/g, '\n    ')}${state}`;
    }
    case 'run_status':
      return `${head} run ${item.runId ?? ''} ${item.status}${item.reason ? `: ${item.reason}` : ''}`;
    case 'error':
      return `${head} error ${item.code}: ${item.message}`;
    case 'tool_call': {
      const outcome = item.status === 'running' ? 'running' : item.error ? `error ${item.error.code}: ${oneLine(item.error.message, 200)}` : `ok: ${oneLine(item.output, 200)}`;
      return `${head} tool ${item.tool} ${oneLine(item.args, 120)} → ${outcome}`;
    }
    case 'memory_proposal': {
      const outcome = item.status === 'edited' ? `edited: ${oneLine(item.editedText ?? '', 200)}` : item.status;
      const from = item.source.messageId ? ` from message ${item.source.messageId}` : '';
      return `${head} memory proposal ${item.proposalId} (${item.area}) "${oneLine(item.text, 200)}"${from} → ${outcome}`;
    }
    case 'run_result': {
      const reason = item.reason ? ` (${item.reason})` : '';
      return `${head} ${item.sourceKind} "${oneLine(item.name, 80)}" ${item.status}${reason}: ${item.summary.replace(/\n/g, '\n    ')} [${item.id}, thread ${item.sourceThreadId}]`;
    }
    case 'artifact':
      return `${head} artifact ${item.name} (${item.type}, ${item.size} bytes) from the ${item.source} worker ${item.runId ?? ''} [${item.artifactId}, ${item.path}, thread ${item.sourceThreadId}]`;
    default:
      // A kind added after this build: still one line, with what it carries.
      return `${head} ${(item as { kind: string }).kind} ${oneLine(JSON.stringify(item), 300)}`;
  }
}

export function oneLine(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}
