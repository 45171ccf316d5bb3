import { McpStoredConfigSchema, type AppEvent, type McpStoredConfig, type McpToolDefinition } from '../contract/index.js';
import type { ReadableDB, ReadStatement, WritableDB } from '../db/index.js';

/** A tool as a server listed it, with the approved definition when there is one. */
export interface StoredTool {
  name: string;
  definition: McpToolDefinition;
  hash: string;
  approved: { definition: McpToolDefinition; hash: string } | null;
}

/** Keeps `mcp_servers`, `mcp_tools` and `mcp_tool_pins` in step with the log. */
export function createMcpProjector(db: WritableDB): (event: AppEvent) => void {
  const upsertServer = db.prepare(
    `INSERT INTO mcp_servers (name, config, created_at, updated_at) VALUES (?, ?, ?, ?)
     ON CONFLICT(name) DO UPDATE SET config = excluded.config, updated_at = excluded.updated_at`,
  );
  const deleteServer = db.prepare('DELETE FROM mcp_servers WHERE name = ?');
  const deleteTools = db.prepare('DELETE FROM mcp_tools WHERE server = ?');
  const deletePins = db.prepare('DELETE FROM mcp_tool_pins WHERE server = ?');
  const insertTool = db.prepare('INSERT INTO mcp_tools (server, name, position, description, input_schema, hash, listed_at) VALUES (?, ?, ?, ?, ?, ?, ?)');
  const upsertPin = db.prepare(
    `INSERT INTO mcp_tool_pins (server, name, description, input_schema, hash, approved_at) VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT(server, name) DO UPDATE SET description = excluded.description, input_schema = excluded.input_schema, hash = excluded.hash, approved_at = excluded.approved_at`,
  );
  return (event) => {
    switch (event.type) {
      case 'mcp.server.saved':
        upsertServer.run(event.data.name, JSON.stringify(event.data.config), event.ts, event.ts);
        break;
      case 'mcp.server.removed':
        deleteServer.run(event.data.name);
        deleteTools.run(event.data.name);
        deletePins.run(event.data.name);
        break;
      case 'mcp.tools.listed':
        deleteTools.run(event.data.server);
        event.data.tools.forEach((t, i) => insertTool.run(event.data.server, t.name, i, t.description, JSON.stringify(t.inputSchema), t.hash, event.ts));
        break;
      case 'mcp.tools.approved':
        for (const t of event.data.tools) upsertPin.run(event.data.server, t.name, t.description, JSON.stringify(t.inputSchema), t.hash, event.ts);
        break;
      default:
        break;
    }
  };
}

type ToolRow = { name: string; description: string; input_schema: string; hash: string; pin_description: string | null; pin_schema: string | null; pin_hash: string | null };

/** Reads configured servers and their tools. */
export class McpQueries {
  private readonly servers: ReadStatement;
  private readonly server: ReadStatement;
  private readonly tools: ReadStatement;

  constructor(db: ReadableDB) {
    this.servers = db.prepare('SELECT name, config FROM mcp_servers ORDER BY name');
    this.server = db.prepare('SELECT config FROM mcp_servers WHERE name = ?');
    this.tools = db.prepare(
      `SELECT t.name, t.description, t.input_schema, t.hash, p.description AS pin_description, p.input_schema AS pin_schema, p.hash AS pin_hash
       FROM mcp_tools t LEFT JOIN mcp_tool_pins p ON p.server = t.server AND p.name = t.name
       WHERE t.server = ? ORDER BY t.position`,
    );
  }

  /** Every server by name, with its stored configuration. */
  list(): { name: string; config: McpStoredConfig }[] {
    return (this.servers.all() as { name: string; config: string }[]).map((r) => ({ name: r.name, config: McpStoredConfigSchema.parse(JSON.parse(r.config)) }));
  }

  config(name: string): McpStoredConfig | null {
    const row = this.server.get(name) as { config: string } | undefined;
    return row ? McpStoredConfigSchema.parse(JSON.parse(row.config)) : null;
  }

  /** The tools the server listed last, in its order. */
  toolsOf(server: string): StoredTool[] {
    return (this.tools.all(server) as ToolRow[]).map((r) => ({
      name: r.name,
      definition: { description: r.description, inputSchema: JSON.parse(r.input_schema) as Record<string, unknown> },
      hash: r.hash,
      approved: r.pin_hash === null ? null : { definition: { description: r.pin_description ?? '', inputSchema: JSON.parse(r.pin_schema ?? '{}') as Record<string, unknown> }, hash: r.pin_hash },
    }));
  }
}
