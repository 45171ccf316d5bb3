/**
 * The tool interface every capability codes against (built-in tools here, memory tools, MCP bridges).
 * A tool names its capability class and the resource a call touches so the permission gate can decide
 * before it runs; it never decides that itself.
 */
import { z } from 'zod';
import type { Capability } from '../permissions/index.js';
import type { Clock } from '../util/index.js';

/** Normalised tool failure codes: what the model (and the tool card) sees. */
export type ToolErrorCode =
  | 'invalid_args'
  | 'not_found'
  | 'denied'
  | 'timeout'
  | 'too_large'
  | 'cancelled'
  | 'unavailable'
  | 'failed';

/** The error half of a tool result. */
export interface ToolErrorInfo {
  code: ToolErrorCode;
  message: string;
}

/** Thrown by a tool for an expected failure; the runner turns it into `{code, message}`. */
export class ToolError extends Error {
  constructor(
    readonly code: ToolErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ToolError';
  }
}

/** Sends a native notification through whichever client shows them (desktop shell, host). */
export interface Notifier {
  notify(input: { title: string; body: string; runId: string }): Promise<void> | void;
}

/** What a tool may use while it runs. */
export interface ToolContext {
  runId: string;
  /** Aborted when the run is cancelled: stop at once, kill children, close sockets. */
  signal: AbortSignal;
  clock: Clock;
  /** Folders file and shell tools may touch (absolute). The first is the default working folder. */
  roots: readonly string[];
  /** The environment commands start with, already scrubbed of keys. */
  env: Readonly<Record<string, string>>;
  notifier: Notifier | null;
  timeZone: string;
  /**
   * For one call: the resource the permission gate approved (for file tools the real path, symlinks
   * followed). A file tool acts on this rather than on the path as written, so a link swapped between
   * the check and the use cannot redirect it. Absent when the call was not gated.
   */
  approved?: string;
  /**
   * For one shell call: the working folder the permission gate checked, as a real path. The command
   * runs there, not in the folder as written, so a link swapped after the check cannot move it.
   */
  approvedCwd?: string;
  /**
   * For tools that walk a folder: why one file or folder inside may not be read (the app's data
   * folder, a file with other hard links, a deny or ask rule), or null when it may. The walk skips
   * what this refuses, so approving a folder never opens what a direct read would be refused.
   */
  unreadable?: (path: string) => string | null;
}

/** What the gate allowed for one call, handed to the tool with its context. */
export type ToolGrant = Pick<ToolContext, 'approved' | 'approvedCwd'>;

/** What a successful call returns: text for the model, optional structured data for the card. */
export interface ToolOutput {
  text: string;
  data?: unknown;
}

/** One tool. `A` is the parsed argument type of its zod schema. */
export interface Tool<A = unknown> {
  /** `snake_case`, unique; MCP tools are `mcp__<server>__<tool>`. */
  name: string;
  /** One or two sentences the model reads to decide when to call it. */
  description: string;
  /** Validates arguments; exported to JSON Schema for the model with `z.toJSONSchema`. */
  args: z.ZodType<A>;
  /** Overrides the exported schema (MCP tools bring their own; they validate in `run`). */
  jsonSchema?: Record<string, unknown>;
  /**
   * The capability class the gate decides on. `null` only for a tool that touches nothing outside
   * the process (`current_time`): such calls are not gated.
   */
  capability: Capability | null;
  /** The resource a call touches, for the gate: an absolute path, a URL, a command line. */
  resource(args: A, ctx: ToolContext): string;
  /** The folder a shell command runs in, so the gate places its relative redirections there. */
  workingDir?(args: A, ctx: ToolContext): string;
  /** A short readable account of the arguments for the permission dialog (no secrets). */
  summarize?(args: A): string;
  /** For a write: the whole text it would write, shown (with a diff) to the person asked to approve it. */
  content?(args: A): string;
  run(args: A, ctx: ToolContext): Promise<ToolOutput>;
}

/** Any tool, whatever its argument type. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyTool = Tool<any>;

/** Declares a tool with its argument type inferred from the schema. */
export function defineTool<S extends z.ZodType>(tool: Tool<z.output<S>> & { args: S }): Tool<z.output<S>> {
  return tool;
}

/** The JSON Schema a model sees for a tool's arguments (always an object schema). */
export function toolJsonSchema(tool: AnyTool): Record<string, unknown> {
  if (tool.jsonSchema) return tool.jsonSchema;
  let schema = schemaCache.get(tool.args);
  if (!schema) {
    schema = z.toJSONSchema(tool.args, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
    delete schema.$schema;
    schemaCache.set(tool.args, schema);
  }
  return schema;
}

// Exporting a schema costs more than a whole loop turn; a tool's schema never changes.
const schemaCache = new WeakMap<z.ZodType, Record<string, unknown>>();

/** Turns anything a tool threw into `{code, message}`. */
export function normalizeToolError(err: unknown, signal?: AbortSignal): ToolErrorInfo {
  if (err instanceof ToolError) return { code: err.code, message: err.message };
  if (signal?.aborted) return { code: 'cancelled', message: 'the run was cancelled' };
  const e = err as NodeJS.ErrnoException;
  if (e?.code === 'ENOENT') return { code: 'not_found', message: e.message };
  if (e?.code === 'EACCES' || e?.code === 'EPERM') return { code: 'denied', message: e.message };
  if (e?.name === 'AbortError') return { code: 'cancelled', message: 'the run was cancelled' };
  return { code: 'failed', message: (e?.message ?? String(err)).slice(0, 2000) };
}
