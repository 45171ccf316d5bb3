import type { AppEvent, WorkerTranscriptEntry } from '../contract/index.js';

/**
 * A worker's transcript from its own run's events, oldest first: its task, every message it wrote,
 * every tool call with its result, every error, and the files it handed back. Nothing of it reaches the parent's context.
 */
export function transcriptOf(events: readonly AppEvent[]): WorkerTranscriptEntry[] {
  const entries: WorkerTranscriptEntry[] = [];
  const messages = new Map<string, Extract<WorkerTranscriptEntry, { kind: 'message' }>>();
  const calls = new Map<string, Extract<WorkerTranscriptEntry, { kind: 'tool_call' }>>();
  for (const event of events) {
    switch (event.type) {
      case 'worker.spawned':
        entries.push({ kind: 'message', seq: event.seq, ts: event.ts, role: 'user', text: event.data.task, status: 'done' });
        break;
      case 'message.created': {
        const entry = { kind: 'message' as const, seq: event.seq, ts: event.ts, role: event.data.role, text: event.data.text, status: event.data.status as string };
        messages.set(event.data.messageId, entry);
        entries.push(entry);
        break;
      }
      case 'message.delta': {
        const m = messages.get(event.data.messageId);
        if (m) m.text += event.data.text;
        break;
      }
      case 'message.completed': {
        const m = messages.get(event.data.messageId);
        if (m) {
          m.text = event.data.text;
          m.status = event.data.status;
        }
        break;
      }
      case 'tool.started': {
        const entry = { kind: 'tool_call' as const, seq: event.seq, ts: event.ts, callId: event.data.callId, tool: event.data.tool, args: event.data.args, status: 'running' as 'running' | 'ok' | 'error', output: '', error: null as { code: string; message: string } | null };
        calls.set(event.data.callId, entry);
        entries.push(entry);
        break;
      }
      case 'tool.completed': {
        const c = calls.get(event.data.callId);
        if (c) {
          c.status = event.data.ok ? 'ok' : 'error';
          c.output = event.data.output;
          c.error = event.data.error;
        }
        break;
      }
      case 'timeline.error':
        entries.push({ kind: 'error', seq: event.seq, ts: event.ts, code: event.data.code, message: event.data.message });
        break;
      case 'artifact.created':
        entries.push({ kind: 'artifact', seq: event.seq, ts: event.ts, artifactId: event.data.id, name: event.data.name, type: event.data.type, size: event.data.size });
        break;
      default:
        break;
    }
  }
  return entries;
}
