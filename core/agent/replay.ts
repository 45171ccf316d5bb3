import type { AppEvent, EventType, RunStatus } from '../contract/index.js';
import { AppError } from '../contract/index.js';
import type { PermissionDecision } from '../permissions/index.js';
import { ProviderError, type ProviderErrorKind, type ProviderId, type RoutedEvent } from '../providers/index.js';
import { sameAsRecorded, toolFromRecordedSpec, type AnyTool, type RecordedToolSpec, type ToolContext } from '../tools/index.js';
import { ManualClock } from '../util/index.js';
import { runAgent } from './loop.js';
import type { AgentDeps, AgentInput, ModelCaller, ToolCallResult } from './types.js';

/** Event types the loop itself produces; replay compares these. */
export const AGENT_EVENT_TYPES: ReadonlySet<EventType> = new Set<EventType>([
  'message.created',
  'message.completed',
  'tool.started',
  'tool.completed',
  'run.usage',
  'run.model',
  'provider.retry',
  'provider.fallback',
  'provider.cooldown',
  'conversation.compacted',
  'timeline.error',
]);

export interface ReplaySource {
  recording(runId: string): { step: number; kind: string; callId: string | null; data: unknown }[];
  eventsOfRun(runId: string): AppEvent[];
  run(runId: string): { status: RunStatus; reason: string | null } | null;
  tools(): readonly AnyTool[];
  redact(text: string): string;
}

export interface ReplayResult {
  runId: string;
  matches: boolean;
  expectedEvents: number;
  actualEvents: number;
  firstDifference: { index: number; expected: string | null; actual: string | null } | null;
}

/** `toolSpecs`: how each offered tool looked to the run (recordings older than it hold names only). */
type RecordedInput = { input: AgentInput; config: { prices: AgentDeps['prices']; contextTokens: AgentDeps['contextTokens']; compactAt: number; maxTurns: number; maxTokens: number; budget: AgentDeps['budget']; timeZone: string; systemSections: AgentDeps['systemSections']; memory: string | null; tools: string[]; toolSpecs?: RecordedToolSpec[]; roots?: string[] } };
/** `kind` null: the loop saw a plain error, not a provider's (older recordings always hold a provider and kind). */
type RecordedModel = { events: RoutedEvent[]; error: { provider: ProviderId | null; kind: ProviderErrorKind | null; message: string; status: number | null } | null };

/**
 * Re-runs a recorded run's loop against what it recorded: model streams in order, gate answers and
 * tool results by call. Nothing reaches the network, a tool or the log. The events it yields are
 * compared with the ones the run appended (streamed deltas aside: their grouping depends on timing).
 */
export async function replayRun(source: ReplaySource, runId: string): Promise<ReplayResult> {
  const steps = source.recording(runId);
  const first = steps.find((s) => s.kind === 'input');
  const run = source.run(runId);
  if (!first || !run) throw new AppError('not_found', `run ${runId} has no recording to replay`);
  const { input, config } = first.data as RecordedInput;
  const models = steps.filter((s) => s.kind === 'model').map((s) => s.data as RecordedModel);
  const gates = new Map(steps.filter((s) => s.kind === 'gate').map((s) => [s.callId, s.data as PermissionDecision]));
  const results = new Map(steps.filter((s) => s.kind === 'tool').map((s) => [s.callId, s.data as ToolCallResult]));

  const model: ModelCaller = async function* () {
    const next = models.shift();
    if (!next) throw new ProviderError('anthropic', 'bad_request', 'replay diverged: the run made no further model call');
    for (const event of next.events) yield event;
    if (next.error?.kind && next.error.provider) throw new ProviderError(next.error.provider, next.error.kind, next.error.message, next.error.status);
    if (next.error) throw new Error(next.error.message);
  };
  const clock = new ManualClock(input.startedAt);
  const signal = new AbortController().signal;
  const toolContext: ToolContext = { runId, signal, clock, roots: config.roots ?? [], env: {}, notifier: null, timeZone: config.timeZone };
  const deps: AgentDeps = {
    model,
    seams: {
      authorize: async (_request, callId) => gates.get(callId) ?? { decision: 'deny', by: 'replay', reason: 'no recorded answer for this call' },
      execute: async (_tool, _args, callId) => results.get(callId) ?? { ok: false, error: { code: 'unavailable', message: 'no recorded result for this call' } },
    },
    tools: toolsOfRecording(source, runId, config),
    toolContext,
    clock,
    signal,
    redact: source.redact,
    prices: config.prices,
    contextTokens: config.contextTokens,
    compactAt: config.compactAt,
    maxTurns: config.maxTurns,
    maxTokens: config.maxTokens,
    budget: config.budget,
    timeZone: config.timeZone,
    systemSections: config.systemSections,
    memory: config.memory,
  };

  const actual: string[] = [];
  const generator = runAgent(deps, input);
  for (;;) {
    const next = await generator.next();
    if (next.done) {
      const o = next.value;
      actual.push(describe('run.outcome', o.status === 'failed' ? { status: 'failed', reason: o.reason } : { status: o.status, reason: null }));
      break;
    }
    const e = next.value;
    if (e.kind === 'emit') actual.push(describe(e.event.type, e.event.data));
    else if (e.kind === 'compacted') actual.push(describe('conversation.compacted', e.data));
  }

  const expected = source
    .eventsOfRun(runId)
    .filter((e) => AGENT_EVENT_TYPES.has(e.type) && !(e.type === 'message.created' && e.data.role === 'user'))
    .map((e) => describe(e.type, e.data));
  expected.push(describe('run.outcome', run.status === 'failed' ? { status: 'failed', reason: run.reason } : { status: run.status, reason: null }));

  let firstDifference: ReplayResult['firstDifference'] = null;
  for (let i = 0; i < Math.max(expected.length, actual.length); i++) {
    if (expected[i] !== actual[i]) {
      firstDifference = { index: i, expected: expected[i] ?? null, actual: actual[i] ?? null };
      break;
    }
  }
  return { runId, matches: firstDifference === null, expectedEvents: expected.length, actualEvents: actual.length, firstDifference };
}

/**
 * The tools the run was offered, as it saw them: the registry's tool where it is still the same, and
 * a stand-in built from the recording where it has changed or gone since (an MCP server updated or
 * removed), so a replay does not depend on which tools happen to be registered now.
 */
function toolsOfRecording(source: ReplaySource, runId: string, config: RecordedInput['config']): AnyTool[] {
  const specs = new Map((config.toolSpecs ?? []).map((spec) => [spec.name, spec]));
  // What each call of a tool touched, in order, for the stand-ins (calls refused for their arguments never asked).
  const events = source.eventsOfRun(runId);
  const refused = new Set(events.flatMap((e) => (e.type === 'tool.completed' && e.data.error?.code === 'invalid_args' ? [e.data.callId] : [])));
  const resources = new Map<string, string[]>();
  for (const e of events) {
    if (e.type !== 'tool.started' || refused.has(e.data.callId)) continue;
    resources.set(e.data.tool, [...(resources.get(e.data.tool) ?? []), e.data.resource]);
  }
  const out: AnyTool[] = [];
  for (const name of config.tools) {
    const live = source.tools().find((t) => t.name === name);
    const spec = specs.get(name);
    if (live && (!spec || sameAsRecorded(live, spec))) out.push(live);
    else if (spec) out.push(toolFromRecordedSpec(spec, resources.get(name) ?? []));
  }
  return out;
}

function describe(type: string, data: unknown): string {
  return `${type} ${JSON.stringify(data)}`;
}
