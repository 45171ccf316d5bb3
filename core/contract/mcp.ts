import { z } from 'zod';

/**
 * A server's name: letters, digits, `-` and single `_` between them, at most 32. It becomes part of
 * every tool name, `mcp__<server>__<tool>` (so no `__` in it), and of the capability `mcp.<server>`.
 */
export const McpServerNameSchema = z
  .string()
  .max(32, 'a server name is at most 32 characters (it becomes part of the tool names)')
  .regex(/^[A-Za-z0-9-]+(?:_[A-Za-z0-9-]+)*$/, 'a server name is letters, digits, - and single _ between them (it becomes part of the tool names)');

const envKey = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,127}$/, 'an environment variable name is letters, digits and _, not starting with a digit');
const headerName = z.string().regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,128}$/, 'a header name is a token such as Authorization or X-Api-Key');

/**
 * How to reach one server, as a person writes it: Claude Desktop's `mcpServers` entry (`command`,
 * `args`, `env`) for a local process, or `url` (with optional `headers`) for streamable HTTP.
 * In `mcp.update`, an `env` or `headers` value of null keeps the value stored now.
 */
export const McpServerInputSchema = z
  .object({
    command: z.string().trim().min(1).max(4096).optional(),
    args: z.array(z.string().max(8192)).max(200).optional(),
    env: z.record(envKey, z.string().max(32_768).nullable()).optional(),
    cwd: z.string().min(1).max(4096).optional(),
    url: z
      .string()
      .url()
      .max(4096)
      .refine((u) => /^https?:\/\//i.test(u), 'the URL starts with http:// or https://')
      .optional(),
    headers: z.record(headerName, z.string().max(8192).nullable()).optional(),
    /** Off: kept in the list but not started, its tools not offered. */
    enabled: z.boolean().optional(),
  })
  .strict()
  .superRefine((v, ctx) => {
    if (!v.command === !v.url) ctx.addIssue({ code: 'custom', message: 'a server has either a command (a local process) or a url (streamable HTTP), not both or neither', path: [] });
    if (v.url && (v.args?.length || v.cwd || (v.env && Object.keys(v.env).length))) ctx.addIssue({ code: 'custom', message: 'args, env and cwd are for a command; an HTTP server takes url and headers', path: [] });
    if (v.command && v.headers && Object.keys(v.headers).length) ctx.addIssue({ code: 'custom', message: 'headers are for an HTTP server (url)', path: [] });
  });
export type McpServerInput = z.input<typeof McpServerInputSchema>;

/** Where a server stands in this process: started and listing tools, or why not. */
export const McpServerStateSchema = z.enum(['stopped', 'starting', 'ready', 'failed']);
export type McpServerState = z.infer<typeof McpServerStateSchema>;

/**
 * A tool's definition against the one the user approved: `approved` (offered to the assistant),
 * `new` (never approved), `changed` (differs from the approved one: not offered until approved again).
 */
export const McpPinStateSchema = z.enum(['approved', 'new', 'changed']);
export type McpPinState = z.infer<typeof McpPinStateSchema>;

/** A tool a server lists. */
export const McpToolInfoSchema = z.object({
  /** The server's own name for it. */
  name: z.string(),
  /** The name the assistant calls it by: `mcp__<server>__<tool>`. */
  bridgedName: z.string(),
  description: z.string(),
  pin: McpPinStateSchema,
  /** Offered to runs starting now: the server is ready, the definition approved and its schema usable. */
  offered: z.boolean(),
  /** Why it cannot be offered even when approved (an input schema that cannot be checked). */
  problem: z.string().nullable(),
});
export type McpToolInfo = z.infer<typeof McpToolInfoSchema>;

/** One configured server, with its state in this process and the tools it listed last. */
export const McpServerInfoSchema = z.object({
  name: z.string(),
  transport: z.enum(['stdio', 'http']),
  command: z.string().nullable(),
  args: z.array(z.string()),
  cwd: z.string().nullable(),
  /** Its environment: a value kept in the secret store shows as null with `secret: true`. */
  env: z.array(z.object({ key: z.string(), value: z.string().nullable(), secret: z.boolean() })),
  url: z.string().nullable(),
  /** Header names; their values are in the secret store and never shown. */
  headers: z.array(z.string()),
  enabled: z.boolean(),
  state: McpServerStateSchema,
  /** Why it failed; while it starts again after a failure, why the last start failed. */
  reason: z.string().nullable(),
  /** When the next start is due after a failure (epoch ms), or null. */
  retryAt: z.number().nullable(),
  /** Failed starts in a row. */
  attempts: z.number().int(),
  /** The name and version the server gave when it started. */
  serverVersion: z.string().nullable(),
  tools: z.array(McpToolInfoSchema),
});
export type McpServerInfo = z.infer<typeof McpServerInfoSchema>;

/** A tool's description and input schema, as listed or as approved. */
export const McpToolDefinitionSchema = z.object({ description: z.string(), inputSchema: z.record(z.string(), z.unknown()) });
export type McpToolDefinition = z.infer<typeof McpToolDefinitionSchema>;

/** One line of a definition's diff: kept (` `), removed (`-`) or added (`+`). */
export const DiffLineSchema = z.object({ op: z.enum([' ', '-', '+']), text: z.string() });
export type DiffLine = z.infer<typeof DiffLineSchema>;

/** A server with, for each tool, the current and the approved definition and the difference between them. */
export const McpServerDetailSchema = McpServerInfoSchema.extend({
  tools: z.array(
    McpToolInfoSchema.extend({
      current: McpToolDefinitionSchema,
      approved: McpToolDefinitionSchema.nullable(),
      /** What changed since the approval, line by line; empty when nothing did or nothing was approved. */
      diff: z.array(DiffLineSchema),
    }),
  ),
});
export type McpServerDetail = z.infer<typeof McpServerDetailSchema>;

const ToolListingSchema = z.object({ name: z.string(), description: z.string(), inputSchema: z.record(z.string(), z.unknown()), hash: z.string() });

/** Stored configuration of a server (secret values are in the secret store, only their names here). */
export const McpStoredConfigSchema = z.object({
  transport: z.enum(['stdio', 'http']),
  command: z.string().nullable(),
  args: z.array(z.string()),
  cwd: z.string().nullable(),
  /** Values that are not secret. */
  env: z.record(z.string(), z.string()),
  /** Names of variables whose values are in the secret store. */
  secretEnv: z.array(z.string()),
  url: z.string().nullable(),
  /** Names of headers whose values are in the secret store. */
  headers: z.array(z.string()),
  enabled: z.boolean(),
});
export type McpStoredConfig = z.infer<typeof McpStoredConfigSchema>;

/** MCP events: builders merged into `EVENT_DATA`, each built on first use. */
export const MCP_EVENT_DATA = {
  /** A server was added or its configuration changed (secret values are never in it). */
  'mcp.server.saved': () => z.object({ name: z.string(), config: McpStoredConfigSchema, created: z.boolean() }),
  /** A server was removed with its tools, approvals and stored secrets. */
  'mcp.server.removed': () => z.object({ name: z.string() }),
  /** A server's state changed in this process. */
  'mcp.server.state': () => z.object({ name: z.string(), state: McpServerStateSchema, reason: z.string().nullable(), retryAt: z.number().nullable(), attempts: z.number().int() }),
  /** A server listed tools different from the ones it listed before. */
  'mcp.tools.listed': () => z.object({ server: z.string(), tools: z.array(ToolListingSchema) }),
  /** The user approved these tool definitions: each is offered while its hash stays the same. */
  'mcp.tools.approved': () => z.object({ server: z.string(), tools: z.array(ToolListingSchema) }),
} as const;

const importResult = z.object({
  added: z.array(z.string()),
  replaced: z.array(z.string()),
  /** Entries not added and why (a name taken, an SSE-only server, an entry that is not valid). */
  skipped: z.array(z.object({ name: z.string(), reason: z.string() })),
  /** Names that had to change to be valid server names. */
  renamed: z.array(z.object({ from: z.string(), to: z.string() })),
});

/** MCP commands: builders merged into `COMMANDS`, each built on first use. */
export const MCP_COMMANDS = {
  /** Every configured server with its state and tools. */
  'mcp.list': () => ({ args: z.object({}).strict(), result: z.object({ servers: z.array(McpServerInfoSchema) }) }),
  /** One server with each tool's current and approved definition and their diff. */
  'mcp.show': () => ({ args: z.object({ name: McpServerNameSchema }).strict(), result: McpServerDetailSchema }),
  /**
   * Adds a server and starts it. Its tools are offered only once approved (`mcp.approve`). Secret-looking
   * environment values and every header value go to the secret store. `wait`: answer once it is ready or failed.
   */
  'mcp.add': () => ({
    args: z.object({ name: McpServerNameSchema, server: McpServerInputSchema, wait: z.boolean().default(false) }).strict(),
    result: McpServerInfoSchema,
  }),
  /** Changes a server's configuration (whole, as in `mcp.add`) and restarts it. */
  'mcp.update': () => ({
    args: z.object({ name: McpServerNameSchema, server: McpServerInputSchema, wait: z.boolean().default(false) }).strict(),
    result: McpServerInfoSchema,
  }),
  /** Turns a server on or off without changing the rest of its configuration. */
  'mcp.setEnabled': () => ({ args: z.object({ name: McpServerNameSchema, enabled: z.boolean() }).strict(), result: McpServerInfoSchema }),
  /**
   * Adds the servers of a Claude Desktop configuration (`{"mcpServers": {...}}`, or the bare map), pasted
   * or read from a file. A name already configured is skipped unless `replace`.
   */
  'mcp.import': () => ({
    args: z.object({ json: z.string().min(1).max(1_000_000), replace: z.boolean().default(false) }).strict(),
    result: importResult,
  }),
  /** Stops and removes a server, its tools, approvals and stored secrets. */
  'mcp.remove': () => ({ args: z.object({ name: McpServerNameSchema }).strict(), result: z.object({ name: z.string() }) }),
  /** Approves the tool definitions a server lists now (all, or the named ones): they are offered while they stay the same. */
  'mcp.approve': () => ({
    args: z.object({ name: McpServerNameSchema, tools: z.array(z.string().min(1).max(200)).max(500).optional() }).strict(),
    result: McpServerInfoSchema,
  }),
  /** Starts a server again now and answers once it is ready or failed. */
  'mcp.test': () => ({
    args: z.object({ name: McpServerNameSchema }).strict(),
    result: z.object({ ok: z.boolean(), server: McpServerInfoSchema }),
  }),
} as const;
