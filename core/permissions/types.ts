/**
 * The seam between tools and the permission policy. Every tool call becomes a `PermissionRequest`
 * and passes the gate before it runs; the gate's answer is recorded as an event either way.
 */

/** Capability classes a tool can declare. MCP tools use `mcp.<server>`. */
export const CAPABILITY_CLASSES = [
  'fs.read',
  'fs.write',
  'net.http',
  'shell.exec',
  'memory.write',
  'schedule.manage',
  'worker.spawn',
  'notify',
] as const;
export type Capability = (typeof CAPABILITY_CLASSES)[number] | `mcp.${string}`;

export interface PermissionRequest {
  capability: Capability;
  /** What the call touches: an absolute path, a URL, a command line, a server/tool name. */
  resource: string;
  runId: string;
  /** The tool's name as the model called it. */
  tool: string;
  /** A short, readable account of the arguments (never secrets). */
  argsSummary: string;
  /** Where the run comes from, for scoped rules. */
  scope?: { scheduleId?: string; workerRole?: string };
  /**
   * The working folder of a shell command (default: the first allowed root). The gate checks it lies
   * inside an allowed folder and judges relative redirection targets there.
   */
  cwd?: string;
  /**
   * The skills the run follows (it loaded them with `load_skill`), each with its `allowed-tools`
   * (null: it declares none). A listed tool the policy would ask about by default is allowed; while
   * every one of them declares its tools, a tool none lists is denied (see `skillVerdict`).
   */
  skills?: readonly { name: string; allowedTools: readonly string[] | null }[];
  /**
   * For a write: the whole text it would write. Kept in memory while the call waits, for the approval
   * dialog (`permissions.details`); never written to the log.
   */
  content?: string;
}

/**
 * The gate's answer. `by` names who decided: `rule:<id>`, `default`, `mode`, `safety`, `user`,
 * `expiry`, `cancelled`. An allow carries the resolved resource (a real path with symlinks followed,
 * a normalised URL): the tool must act on that, not on what the model wrote, so the call checked is
 * the call made. For `net.http` it is the URL, a line break, then `addresses=<a,b,…>;private=<yes|no>`
 * (see `formatNetApproval`): the addresses the gate vetted for the host, which the tool must connect
 * to instead of looking the name up again. For `shell.exec` it also carries `cwd`: the real working
 * folder the gate checked (symlinks followed), where the command must run. `requestId` is the audit
 * entry of this decision.
 */
export type PermissionDecision =
  | { decision: 'allow'; by: string; requestId?: string; resolved?: string; cwd?: string; ruleId?: string | null }
  | { decision: 'deny'; by: string; reason: string; requestId?: string; ruleId?: string | null };

/** What the gate may do to the run that asks: wait for a person, and notice a cancel. */
export interface GateRunHandle {
  readonly signal: AbortSignal;
  /** Moves the run to `waiting_permission` and back to `running`. */
  setStatus(to: 'running' | 'waiting_permission', reason?: string | null): void;
  /**
   * Registers a step run inside the transaction that ends the run (the `RunContext` has it). The gate
   * closes a pending request there, so nothing of a cancelled run is logged after `cancelled`.
   */
  onEnd?(step: (status: string) => void): void;
}

export interface PermissionGate {
  /** Decides one call. Resolves `deny` (never throws) for anything it cannot allow, including a cancel. */
  check(request: PermissionRequest, run: GateRunHandle): Promise<PermissionDecision>;
  /**
   * For a tool that walks a folder the gate approved: whether one file or folder inside may be read
   * (the rules a direct read of it would meet, without asking again). Synchronous, no audit entry.
   */
  readableInside(path: string, scope?: PermissionRequest['scope']): { ok: true } | { ok: false; reason: string };
}
