import type { Logger } from '../util/index.js';
import type { AnyTool } from './types.js';

/** What changed in the registry: tool names added and removed, by whom. */
export interface ToolsChange {
  added: string[];
  removed: string[];
  owner: string;
}

/**
 * The live tool registry: capabilities add and remove tools while the app runs (an MCP server
 * connects, a skill is turned off). `list()` is a snapshot: the array a run took at its start never
 * changes afterwards, so what the run was offered stays what it was offered.
 */
export class ToolRegistry {
  private readonly entries = new Map<string, { tool: AnyTool; owner: string }>();
  private snapshot: readonly AnyTool[] = Object.freeze([]);
  private readonly listeners = new Set<(change: ToolsChange) => void>();

  constructor(private readonly logger?: Logger) {}

  /** Adds tools under an owner (a module's or a server's name). A name already taken by another owner throws. */
  add(tools: AnyTool | readonly AnyTool[], owner: string): void {
    const list = Array.isArray(tools) ? (tools as readonly AnyTool[]) : [tools as AnyTool];
    for (const tool of list) {
      const taken = this.entries.get(tool.name);
      if (taken && taken.owner !== owner) throw new Error(`the tool name ${tool.name} is taken by ${taken.owner}`);
    }
    const added: string[] = [];
    for (const tool of list) {
      this.entries.set(tool.name, { tool, owner });
      added.push(tool.name);
    }
    if (added.length) this.changed({ added, removed: [], owner });
  }

  /** Removes tools by name; names it does not hold are ignored. Returns the names removed. */
  remove(names: string | readonly string[]): string[] {
    const removed: string[] = [];
    let owner = '';
    for (const name of typeof names === 'string' ? [names] : names) {
      const entry = this.entries.get(name);
      if (!entry) continue;
      this.entries.delete(name);
      removed.push(name);
      owner = entry.owner;
    }
    if (removed.length) this.changed({ added: [], removed, owner });
    return removed;
  }

  /** Removes every tool an owner added (a module stopping, a server disconnecting). */
  removeOwner(owner: string): string[] {
    return this.remove([...this.entries].filter(([, e]) => e.owner === owner).map(([name]) => name));
  }

  /** The tools offered now, in the order they were added; a frozen snapshot that later changes leave alone. */
  list(): readonly AnyTool[] {
    return this.snapshot;
  }

  get(name: string): AnyTool | null {
    return this.entries.get(name)?.tool ?? null;
  }

  ownerOf(name: string): string | null {
    return this.entries.get(name)?.owner ?? null;
  }

  /** Hears every change after it happened; returns the unsubscribe function. */
  onChange(listener: (change: ToolsChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private changed(change: ToolsChange): void {
    this.snapshot = Object.freeze([...this.entries.values()].map((e) => e.tool));
    for (const listener of this.listeners) {
      try {
        listener(change);
      } catch (err) {
        this.logger?.log('error', 'a tool registry listener threw', { error: String(err) });
      }
    }
  }
}
