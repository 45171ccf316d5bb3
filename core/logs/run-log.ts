import type { AppEvent } from '../contract/index.js';
import type { EventLog } from '../events/index.js';
import type { Logger, LogLevel } from '../util/index.js';

type Line = [LogLevel, string, Record<string, unknown>];

/**
 * The log line an event of a run is worth, or null. Every line carries the run's id, and the tool
 * call's or permission request's id where the event has one, so `agent-blob logs --run ID` shows a
 * run's whole story. Text the user or the model wrote stays out: that is the timeline's.
 */
export function logLineFor(event: AppEvent): Line | null {
  const runId = event.runId ?? undefined;
  const ids = { runId, seq: event.seq };
  switch (event.type) {
    case 'run.created':
      return ['info', 'run created', { ...ids, kind: event.data.kind, parentRunId: event.data.parentRunId }];
    case 'run.status': {
      const { from, to, reason, error } = event.data;
      return [to === 'failed' ? 'warn' : 'info', `run ${to}`, { ...ids, from, to, ...(reason ? { reason } : {}), ...(error ? { error } : {}) }];
    }
    case 'run.model':
      return ['debug', 'run model', { ...ids, model: event.data.model }];
    case 'run.usage':
      return ['debug', 'run usage', { ...ids, ...event.data }];
    case 'tool.started':
      return ['info', 'tool started', { ...ids, toolCallId: event.data.callId, tool: event.data.tool, capability: event.data.capability, resource: event.data.resource }];
    case 'tool.completed':
      return [
        event.data.ok ? 'info' : 'warn',
        event.data.ok ? 'tool completed' : 'tool failed',
        { ...ids, toolCallId: event.data.callId, tool: event.data.tool, ...(event.data.error ? { error: event.data.error } : {}) },
      ];
    case 'permission.requested':
      return ['info', 'permission asked', { ...ids, requestId: event.data.requestId, tool: event.data.tool, capability: event.data.capability, resource: event.data.resource }];
    case 'permission.decided':
      return [
        'info',
        `permission ${event.data.decision === 'allow' ? 'allowed' : 'denied'}`,
        { ...ids, requestId: event.data.requestId, tool: event.data.tool, capability: event.data.capability, resource: event.data.resource, decidedBy: event.data.decidedBy, ruleId: event.data.ruleId },
      ];
    case 'provider.retry':
      return ['warn', 'provider retry', { ...ids, ...event.data }];
    case 'provider.fallback':
      return ['warn', 'provider fallback', { ...ids, ...event.data }];
    case 'provider.cooldown':
      return ['warn', 'provider cooldown', { ...ids, model: event.data.model, until: new Date(event.data.until).toISOString(), failures: event.data.failures }];
    case 'conversation.compacted':
      return ['info', 'conversation compacted', ids];
    case 'timeline.error':
      return ['warn', 'timeline error', { ...ids, code: event.data.code, message: event.data.message }];
    default:
      return null;
  }
}

/** Writes a log line for each event of a run committed from now on; returns the unsubscribe. */
export function logRunEvents(log: EventLog, logger: Logger): () => void {
  return log.subscribe(log.head(), (event) => {
    const line = logLineFor(event);
    if (line) logger.log(...line);
  });
}
