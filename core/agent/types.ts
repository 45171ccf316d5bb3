import type { EventData, EventType, Price, Purpose } from '../contract/index.js';
import type { PermissionDecision, PermissionRequest } from '../permissions/index.js';
import type { ModelRequest, RoutedEvent } from '../providers/index.js';
import type { RunOutcome } from '../runs/index.js';
import type { AnyTool, ToolContext, ToolErrorInfo, ToolGrant, ToolOutput } from '../tools/index.js';
import type { Clock } from '../util/index.js';
import type { Conversation } from './compaction.js';

/** A contract event the loop wants appended for its run. */
export type AgentEmit = { [T in EventType]: { type: T; data: EventData<T> } }[EventType];

/** What `runAgent` yields: streamed text (coalesced by whoever appends), events, and compactions with their archive. */
export type AgentEvent =
  | { kind: 'delta'; messageId: string; text: string }
  | { kind: 'emit'; event: AgentEmit }
  | { kind: 'compacted'; data: EventData<'conversation.compacted'>; archive: { role: string; text: string }[] };

/** The loop's `cancelled` carries no reason: the executor knows whether the run was cancelled or the provider stopped on its own. */
export type AgentOutcome = Exclude<RunOutcome, { status: 'cancelled' }> | { status: 'cancelled' };

/** Streams one model turn for a purpose along a fallback chain (the router, or a replay of recordings). */
export type ModelCaller = (purpose: Purpose, chain: readonly string[], request: Omit<ModelRequest, 'model'>) => AsyncIterable<RoutedEvent>;

export type ToolCallResult = { ok: true; output: ToolOutput } | { ok: false; error: ToolErrorInfo };

/** The two side-effecting steps of a tool call; live they reach the gate and the tool, in replay the recordings. */
export interface ToolSeams {
  authorize(request: PermissionRequest, callId: string): Promise<PermissionDecision>;
  /** `grant` is what the gate allowed (a real path for file tools, a real folder for commands): the tool acts on it. */
  execute(tool: AnyTool, args: unknown, callId: string, grant?: ToolGrant): Promise<ToolCallResult>;
}

/** Everything the loop needs, passed in; it reaches nothing else. */
export interface AgentDeps {
  model: ModelCaller;
  seams: ToolSeams;
  tools: readonly AnyTool[];
  /** Used for `resource()` of calls; tools themselves run through `seams.execute`. */
  toolContext: ToolContext;
  clock: Clock;
  signal: AbortSignal;
  redact: (text: string) => string;
  prices: Record<string, Price>;
  contextTokens: Record<string, number>;
  compactAt: number;
  maxTurns: number;
  maxTokens: number;
  budget: { tokens: number | null; costUsd: number | null };
  timeZone: string;
  /** Sections other capabilities add to the system prompt (skills index, permission summary). */
  systemSections: { title: string; body: string }[];
  /** What memory recalled for this input, already fetched (it is recorded with the run). */
  memory: string | null;
}

export interface AgentInput {
  runId: string;
  purpose: Purpose;
  /** Fallback chain for the main model, first choice first. */
  chain: string[];
  compactionChain: string[];
  conversation: Conversation;
  /** Start time as the prompt states it (replays use the recorded one). */
  startedAt: number;
}
