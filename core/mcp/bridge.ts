import { createHash } from 'node:crypto';
import type { McpToolDefinition } from '../contract/index.js';
import { ToolError, argsSchemaFor, compileInputSchema, type AnyTool } from '../tools/index.js';
import type { McpConnection } from './connection.js';
import { normalizeToolResult } from './results.js';
import { isPackageLoadError } from '../util/index.js';

// Model APIs take tool names of letters, digits, _ and -, at most 64 characters.
const MAX_TOOL_NAME = 64;
const MAX_DESCRIPTION = 4000;

/** `mcp__<server>__<tool>`, made to fit model APIs: other characters become `_`, a long name is cut and keeps a short hash. */
export function bridgedToolName(server: string, tool: string): string {
  const name = `mcp__${server}__${tool.replace(/[^A-Za-z0-9_-]/g, '_')}`;
  if (name.length <= MAX_TOOL_NAME && name === `mcp__${server}__${tool}`) return name;
  const hash = createHash('sha256').update(tool).digest('hex').slice(0, 6);
  return `${name.slice(0, MAX_TOOL_NAME - 7)}_${hash}`;
}

/** A bridged tool, or why the tool cannot be offered. */
export type Bridged = { ok: true; tool: AnyTool } | { ok: false; problem: string };

/**
 * Makes one MCP tool a tool of the app: capability `mcp.<server>`, resource `<server>/<tool>` (what
 * permission rules match), arguments checked against the server's input schema by the agent loop
 * before the permission gate and before anything reaches the server, the result normalised.
 */
export function bridgeTool(connection: McpConnection, tool: string, definition: McpToolDefinition): Bridged {
  let compiled;
  try {
    compiled = compileInputSchema(definition.inputSchema);
  } catch (err) {
    // ajv did not load: no tool can be checked, which is the installation's problem, said as such.
    if (isPackageLoadError(err)) return { ok: false, problem: err.message };
    throw err;
  }
  if (!compiled.ok) return { ok: false, problem: compiled.problem };
  const server = connection.name;
  const { $schema: _dialect, ...schema } = definition.inputSchema;
  const description = definition.description.length > MAX_DESCRIPTION ? `${definition.description.slice(0, MAX_DESCRIPTION)}…` : definition.description;
  return {
    ok: true,
    tool: {
      name: bridgedToolName(server, tool),
      description: `${description || `The ${tool} tool`} (MCP server ${server})`,
      args: argsSchemaFor(compiled.validate),
      jsonSchema: { type: 'object', ...schema },
      capability: `mcp.${server}`,
      resource: () => `${server}/${tool}`,
      summarize: (args: Record<string, unknown>) => `${server}/${tool} ${JSON.stringify(args).slice(0, 280)}`,
      async run(args: Record<string, unknown>, ctx) {
        const result = normalizeToolResult(await connection.callTool(tool, args, ctx.signal));
        if (result.isError) throw new ToolError('failed', result.text || `${server}/${tool} reported an error`);
        return { text: result.text, data: { server, tool, parts: result.parts, truncated: result.truncated } };
      },
    },
  };
}
