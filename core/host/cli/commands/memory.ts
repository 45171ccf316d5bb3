import { statSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { AppError, isAppError, MemoryAreaSchema, pathProblem, type MemoryArea } from '../../../contract/index.js';
import { intFlag } from '../args.js';
import { CHUNK_BYTES, jsonlChunks, MAX_LINE_BYTES } from '../jsonl-chunks.js';
import { EXIT, type CommandContext, type CommandGroup } from '../types.js';
import { area, memoryJson, rows, SEARCH_OPTIONS, searchOutput } from './memory-output.js';

function areaFlag(ctx: CommandContext): MemoryArea | undefined {
  if (ctx.flags.area === undefined) return undefined;
  const area = MemoryAreaSchema.safeParse(ctx.flags.area);
  if (!area.success) throw new AppError('invalid_input', `--area must be one of ${MemoryAreaSchema.options.join(', ')}`);
  return area.data;
}

function oneArg(ctx: CommandContext, what: string, usage: string): string {
  const [value, ...extra] = ctx.args;
  if (!value || extra.length) throw new AppError('invalid_input', `${usage} needs exactly one ${what}`);
  return value;
}

/** A file named on the command line, as an absolute path; one with a NUL or a control character is refused. */
function fileArg(ctx: CommandContext, usage: string): string {
  const raw = oneArg(ctx, 'file', usage);
  const problem = pathProblem(raw);
  if (problem) throw new AppError('invalid_input', `${usage}: ${problem}`);
  return resolve(raw);
}

function formatBytes(n: number): string {
  return n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(1)} MiB` : `${Math.ceil(n / 1024)} KiB`;
}

function onOff(ctx: CommandContext, flag: string): boolean | undefined {
  const value = ctx.flags[flag];
  if (value === undefined) return undefined;
  if (value === 'on' || value === 'off') return value === 'on';
  throw new AppError('invalid_input', `--${flag} must be on or off`);
}

function pinCommand(pinned: boolean): CommandGroup['commands'][number] {
  const name = pinned ? 'memory pin' : 'memory unpin';
  return {
    name,
    params: 'ID',
    summary: pinned ? 'Pin a memory so it ranks higher' : 'Unpin a memory',
    async run(ctx) {
      const id = oneArg(ctx, 'memory id', name);
      const memory = await (await ctx.connect()).call('memory.pin', { id, pinned });
      ctx.io.stdout(ctx.json ? `${JSON.stringify(memoryJson(memory))}\n` : `${memory.id} ${pinned ? 'pinned' : 'unpinned'}\n`);
      return EXIT.ok;
    },
  };
}

export const memoryGroup: CommandGroup = {
  name: 'memory',
  summary: 'Memory: what the assistant remembers; search, add, pin, forget, import and export.',
  commands: [
    {
      name: 'memory import',
      params: 'FILE.jsonl',
      summary: 'Import memories, one JSON object a line: {"text", "area", "created_at", "pinned"?}',
      async run(ctx) {
        const file = fileArg(ctx, 'memory import');
        let size: number;
        try {
          const stat = statSync(file);
          // A device or a pipe (/dev/zero) would be read without end.
          if (!stat.isFile()) throw new AppError('invalid_input', `memory import: ${file} is not a regular file`);
          size = stat.size;
        } catch (err) {
          if (isAppError(err)) throw err;
          throw new AppError('invalid_input', `cannot read ${file}: ${(err as Error).message}`);
        }
        const client = await ctx.connect();
        const total = { imported: 0, deduped: 0 };
        let pieces = 0;
        try {
          // In pieces of whole lines: a request to the running app is at most one frame (1 MiB).
          for await (const chunk of jsonlChunks(file)) {
            for (const line of chunk.oversized) ctx.io.stderr(`${file}:${line}: skipped: longer than ${MAX_LINE_BYTES / 1024} KiB\n`);
            if (!chunk.jsonl) continue;
            const result = await client.call('memory.import', { jsonl: chunk.jsonl, firstLine: chunk.firstLine });
            for (const e of result.errors) ctx.io.stderr(`${file}:${e.line}: skipped: ${e.message}\n`);
            total.imported += result.imported;
            total.deduped += result.deduped;
            pieces++;
            if (!ctx.json && size > CHUNK_BYTES) ctx.io.stderr(`memory import: ${formatBytes(Math.min(chunk.read, size))} of ${formatBytes(size)} read, ${total.imported} imported\n`);
          }
        } catch (err) {
          if (pieces > 0) ctx.io.stderr(`memory import: stopped after ${total.imported} imported (${total.deduped} already known)\n`);
          throw isAppError(err) ? err : new AppError('invalid_input', `cannot read ${file}: ${(err as Error).message}`);
        }
        ctx.io.stdout(`${JSON.stringify(total)}\n`);
        return EXIT.ok;
      },
    },
    {
      name: 'memory search',
      params: '"QUERY"',
      summary: 'Search memories (full text and meaning), best first',
      options: SEARCH_OPTIONS,
      async run(ctx) {
        const query = ctx.args.join(' ').trim();
        if (!query) throw new AppError('invalid_input', 'memory search needs a query');
        const { hits } = await (await ctx.connect()).call('memory.search', { query, limit: intFlag(ctx.flags, 'limit', 10), area: areaFlag(ctx) });
        ctx.io.stdout(searchOutput(hits, ctx.json));
        return EXIT.ok;
      },
    },
    {
      name: 'memory list',
      summary: 'List memories, newest first',
      options: { limit: { type: 'string', value: 'N', description: 'at most N memories (default 200)' }, area, pinned: { type: 'boolean', description: 'only pinned memories' } },
      async run(ctx) {
        const { memories, total } = await (await ctx.connect()).call('memory.list', {
          limit: intFlag(ctx.flags, 'limit', 200),
          area: areaFlag(ctx),
          pinned: ctx.flags.pinned ? true : undefined,
        });
        if (ctx.json) ctx.io.stdout(`${JSON.stringify(memories.map((m) => memoryJson(m)))}\n`);
        else ctx.io.stdout(memories.length ? `${rows(memories.map((memory) => ({ memory })))}${total > memories.length ? `(${memories.length} of ${total})\n` : ''}` : 'no memories\n');
        return EXIT.ok;
      },
    },
    {
      name: 'memory add',
      params: '"TEXT"',
      summary: 'Remember a piece of text (an exact or near duplicate is not added twice)',
      options: { area, pinned: { type: 'boolean', description: 'pin it' } },
      async run(ctx) {
        const text = ctx.args.join(' ').trim();
        if (!text) throw new AppError('invalid_input', 'memory add needs the text to remember');
        const r = await (await ctx.connect()).call('memory.add', { text, area: areaFlag(ctx) ?? 'main', pinned: ctx.flags.pinned === true });
        if (ctx.json) ctx.io.stdout(`${JSON.stringify({ ...memoryJson(r.memory), outcome: r.outcome, conflicts_with: r.conflictsWith, ...(r.notice ? { notice: r.notice } : {}) })}\n`);
        else {
          const verb = r.outcome === 'added' ? 'added' : r.outcome === 'merged' ? 'merged into' : 'already remembered as';
          ctx.io.stdout(`${verb} ${r.memory.id}\n`);
          if (r.notice) ctx.io.stderr(`note: ${r.notice}\n`);
          if (r.conflictsWith) ctx.io.stdout(`this may contradict ${r.conflictsWith}; the newer one ranks first. Edit or forget one of them.\n`);
        }
        return EXIT.ok;
      },
    },
    pinCommand(true),
    pinCommand(false),
    {
      name: 'memory forget',
      params: 'ID...',
      summary: 'Forget memories: gone from the store and from every index',
      async run(ctx) {
        if (!ctx.args.length) throw new AppError('invalid_input', 'memory forget needs at least one memory id');
        const r = await (await ctx.connect()).call('memory.forget', { ids: ctx.args });
        ctx.io.stdout(ctx.json ? `${JSON.stringify(r)}\n` : `forgot ${r.forgotten} ${r.forgotten === 1 ? 'memory' : 'memories'}\n`);
        return EXIT.ok;
      },
    },
    {
      name: 'memory config',
      summary: 'Show or change memory settings: proposals after conversations, auto-accept, the embedder in use',
      options: {
        propose: { type: 'string', value: 'on|off', description: 'after each conversation, propose what to remember (a model call per turn)' },
        'auto-accept': { type: 'string', value: 'on|off', description: 'store proposals without asking' },
      },
      async run(ctx) {
        if (ctx.args.length) throw new AppError('invalid_input', 'memory config takes no arguments, only --propose and --auto-accept');
        const extractAfterRuns = onOff(ctx, 'propose');
        const autoAcceptProposals = onOff(ctx, 'auto-accept');
        const client = await ctx.connect();
        const changed = extractAfterRuns !== undefined || autoAcceptProposals !== undefined;
        const s = changed ? await client.call('memory.configure', { extractAfterRuns, autoAcceptProposals }) : await client.call('memory.status', {});
        const word = (b: boolean) => (b ? 'on' : 'off');
        if (ctx.json) ctx.io.stdout(`${JSON.stringify({ propose: s.extractAfterRuns, auto_accept: s.autoAcceptProposals, embedder: s.embedder, total: s.total })}\n`);
        else ctx.io.stdout(`propose after conversations: ${word(s.extractAfterRuns)}\nauto-accept proposals: ${word(s.autoAcceptProposals)}\nembedder: ${s.embedder}\nmemories: ${s.total}\n`);
        return EXIT.ok;
      },
    },
    {
      name: 'memory export',
      params: 'FILE.jsonl',
      summary: 'Write every memory to a JSONL file that memory import reads back',
      async run(ctx) {
        const file = fileArg(ctx, 'memory export');
        const { jsonl, count } = await (await ctx.connect()).call('memory.export', {});
        // Memories are private: the file is readable by this user only, like the database.
        writeFileSync(file, jsonl, { mode: 0o600 });
        ctx.io.stdout(ctx.json ? `${JSON.stringify({ exported: count, file })}\n` : `exported ${count} memories to ${file}\n`);
        return EXIT.ok;
      },
    },
  ],
};
