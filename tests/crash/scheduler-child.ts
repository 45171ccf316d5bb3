// A host whose scheduler fires, for the scheduler's SIGKILL test:
// `node --import tsx scheduler-child.ts DIR OFFSET_MS POINT N block|free`.
// Its clock runs OFFSET_MS ahead of the machine's (the time the app was "down" so far). When POINT
// happens for the N-th time in this process it prints one JSON line; with `block` it then stops
// right there (inside the transaction, or between the commit and what reacts to it) until killed.
// Points: `handle-due` (a due schedule is looked at, nothing of it written yet), `append:KEY` (just
// before an event is appended), `appended:KEY` (just after, not yet committed) and `committed:KEY`
// (committed, before any listener hears it). KEY is an event type, optionally with `:DETAIL`: the
// trigger of `schedule.fired`, the `to` of `run.status`, the status of `schedule.slots`.
import { writeSync } from 'node:fs';
import type { AppEvent } from '../../core/contract/index.js';
import { EventLog } from '../../core/events/index.js';
import { startHost } from '../../core/host/index.js';
import { SchedulerEngine } from '../../core/scheduler/index.js';
import { createMemorySecretStore } from '../../core/secrets/index.js';
import { systemClock, type Clock } from '../../core/util/index.js';
import { endWithParent } from '../support/processes.js';

endWithParent();

const [dataDir, offsetArg, point, nArg, mode] = process.argv.slice(2);
if (!dataDir || !point || !nArg || (mode !== 'block' && mode !== 'free')) throw new Error('usage: scheduler-child.ts DIR OFFSET_MS POINT N block|free');
const offset = Number(offsetArg);
const target = Number(nArg);
const seen = new Map<string, number>();

function hit(name: string): void {
  const n = (seen.get(name) ?? 0) + 1;
  seen.set(name, n);
  if (name !== point || n !== target) return;
  writeSync(1, `${JSON.stringify({ hit: name, n, pid: process.pid })}\n`);
  // Stops the whole process here, mid-transaction or mid-commit, until the test kills it.
  if (mode === 'block') Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);
}

function keys(type: string, data: unknown): string[] {
  const d = data as Record<string, unknown>;
  const detail = type === 'schedule.fired' ? d.trigger : type === 'run.status' ? d.to : type === 'schedule.slots' ? d.status : null;
  return detail ? [type, `${type}:${String(detail)}`] : [type];
}

type Append = EventLog['append'];
const append = EventLog.prototype.append as (this: EventLog, type: string, data: unknown, runId?: string | null) => AppEvent;
EventLog.prototype.append = function (this: EventLog, type: string, data: unknown, runId?: string | null) {
  const ks = keys(type, data);
  for (const k of ks) hit(`append:${k}`);
  const event = append.call(this, type, data, runId);
  for (const k of ks) hit(`appended:${k}`);
  return event;
} as Append;

const proto = EventLog.prototype as unknown as { publish(event: AppEvent): void };
const publish = proto.publish;
proto.publish = function (this: EventLog, event: AppEvent) {
  for (const k of keys(event.type, event.data)) hit(`committed:${k}`);
  publish.call(this, event);
};

const engine = SchedulerEngine.prototype as unknown as { handleDue(...args: unknown[]): void };
const handleDue = engine.handleDue;
engine.handleDue = function (this: SchedulerEngine, ...args: unknown[]) {
  hit('handle-due');
  handleDue.apply(this, args);
};

const clock: Clock = { ...systemClock, now: () => Date.now() + offset };
await startHost({ dataDir, rendererDir: null, secrets: createMemorySecretStore(), deltaWindowMs: 16, clock, timeZone: 'UTC' });
