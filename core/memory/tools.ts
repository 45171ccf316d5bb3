import { z } from 'zod';
import { MemoryAreaSchema } from '../contract/index.js';
import { ToolError, defineTool, type AnyTool } from '../tools/index.js';
import type { MemoryService } from './service.js';

/**
 * The agent's memory tools. Searching reads only local data and is not gated; saving and forgetting
 * change what the assistant remembers, so they go through the gate as `memory.write`.
 */
export function createMemoryTools(memory: MemoryService): AnyTool[] {
  const search = defineTool({
    name: 'memory_search',
    description: 'Search what you remember about the user (facts, preferences, past fixes, tool tips). Returns the best matches, newest facts first when they replace older ones.',
    args: z.object({
      query: z.string().trim().min(1).max(2000),
      area: MemoryAreaSchema.optional().describe('main (facts, preferences), fragments, solutions (problem → fix) or instruments (how to use tools)'),
      limit: z.number().int().min(1).max(20).default(5),
    }),
    capability: null,
    resource: (a) => `memory:${a.area ?? '*'}`,
    summarize: (a) => `search memory for "${a.query.slice(0, 80)}"`,
    async run(a) {
      const { hits } = await memory.search(a.query, { limit: a.limit, area: a.area });
      if (!hits.length) return { text: 'No memories match.', data: { hits: [] } };
      const lines = hits.map((h) => `- [${h.memory.id}] (${h.memory.area}, ${new Date(h.memory.createdAt).toISOString().slice(0, 10)}${h.memory.pinned ? ', pinned' : ''}) ${h.memory.text}`);
      return { text: lines.join('\n'), data: { hits: hits.map((h) => ({ id: h.memory.id, text: h.memory.text, area: h.memory.area, score: h.score })) } };
    },
  });
  const save = defineTool({
    name: 'memory_save',
    description: 'Remember something durable about the user or how to do a task: a fact, a preference, a problem and its fix, or how to use a tool. Duplicates are merged.',
    args: z.object({ text: z.string().trim().min(1).max(2000), area: MemoryAreaSchema.default('main') }),
    capability: 'memory.write',
    resource: (a) => `memory:${a.area}`,
    summarize: (a) => `remember (${a.area}): ${a.text.slice(0, 120)}`,
    async run(a, ctx) {
      const r = await memory.add({ text: a.text, area: a.area, source: { kind: 'run', runId: ctx.runId, messageId: memory.firstMessageOfRun(ctx.runId) } });
      const note = r.outcome === 'added' ? 'Saved' : r.outcome === 'merged' ? 'Merged into an existing memory' : 'Already remembered';
      return { text: `${note} as ${r.memory.id}.${r.conflictsWith ? ` It may contradict ${r.conflictsWith}; the user will be asked.` : ''}`, data: { id: r.memory.id, outcome: r.outcome } };
    },
  });
  const forget = defineTool({
    name: 'memory_forget',
    description: 'Forget a memory by its id (from memory_search), when the user asks or it is wrong.',
    args: z.object({ id: z.string().min(1).max(200) }),
    capability: 'memory.write',
    resource: (a) => `memory:${a.id}`,
    summarize: (a) => `forget memory ${a.id}`,
    async run(a) {
      let text: string;
      try {
        text = memory.get(a.id).text;
      } catch {
        throw new ToolError('not_found', `no memory ${a.id}`);
      }
      memory.forget([a.id]);
      return { text: `Forgot: ${text}`, data: { id: a.id } };
    },
  });
  return [search, save, forget];
}
