import { readFileSync } from 'node:fs';
import { AppError, type McpServerInfo, type McpServerInput } from '../../../contract/index.js';
import { oneLine, table } from '../format.js';
import { EXIT, type CliCommand, type CommandContext, type CommandGroup } from '../types.js';

const print = (ctx: CommandContext, json: unknown, text: string) => ctx.io.stdout(ctx.json ? `${JSON.stringify(json)}\n` : text);

function oneName(ctx: CommandContext, command: string): string {
  const [name, ...extra] = ctx.args;
  if (!name || extra.length) throw new AppError('invalid_input', `${command} needs exactly one server name; see agent-blob mcp list`);
  return name;
}

function list(ctx: CommandContext, name: string): string[] {
  const v = ctx.flags[name];
  return Array.isArray(v) ? v : typeof v === 'string' ? [v] : [];
}

/** `K=V` pairs of repeated flags as an object; a pair without `=` is a usage error. */
function pairs(ctx: CommandContext, flag: string, separator: '=' | ':'): Record<string, string> | undefined {
  const out: Record<string, string> = {};
  for (const item of list(ctx, flag)) {
    const at = item.indexOf(separator);
    if (at <= 0) throw new AppError('invalid_input', `--${flag} takes ${separator === '=' ? 'NAME=VALUE' : '"Name: value"'}, not "${item}"`);
    out[item.slice(0, at).trim()] = item.slice(at + 1).trim();
  }
  return Object.keys(out).length ? out : undefined;
}

const state = (s: McpServerInfo) => (s.enabled ? s.state : 'off') + (s.reason ? ` (${oneLine(s.reason, 80)})` : '');

/** A server as lines a person reads: where it is, its state, its tools with their pin. */
function describeServer(s: McpServerInfo): string {
  const lines = [
    `${s.name}: ${state(s)}${s.serverVersion ? `, ${s.serverVersion}` : ''}`,
    `  ${s.transport === 'http' ? `url ${s.url}${s.headers.length ? ` (headers: ${s.headers.join(', ')})` : ''}` : `command ${[s.command, ...s.args].join(' ')}`}`,
  ];
  if (s.env.length) lines.push(`  env: ${s.env.map((e) => (e.secret ? `${e.key} (in the secret store)` : `${e.key}=${e.value}`)).join(', ')}`);
  if (!s.tools.length) lines.push('  no tools listed yet');
  for (const t of s.tools) lines.push(`  ${t.pin === 'approved' ? (t.offered ? 'offered ' : 'approved') : t.pin === 'new' ? 'new     ' : 'CHANGED '} ${t.bridgedName}${t.problem ? ` — ${t.problem}` : ''}`);
  const waiting = s.tools.filter((t) => t.pin !== 'approved');
  if (waiting.length) lines.push(`  approve with: agent-blob mcp approve ${s.name}${waiting.some((t) => t.pin === 'changed') ? ' (see the changes first: agent-blob mcp show ' + s.name + ')' : ''}`);
  return `${lines.join('\n')}\n`;
}

const serverOptions = {
  command: { type: 'string', value: 'CMD', description: 'the program that runs a local (stdio) server' },
  arg: { type: 'string', value: 'A', multiple: true, description: 'an argument of the command (repeat for more; --arg=-y for one that starts with -)' },
  env: { type: 'string', value: 'K=V', multiple: true, description: 'an environment variable of the command (repeat; tokens and keys go to the secret store)' },
  cwd: { type: 'string', value: 'DIR', description: 'the folder the command runs in' },
  url: { type: 'string', value: 'URL', description: 'the address of a streamable HTTP server' },
  header: { type: 'string', value: '"Name: value"', multiple: true, description: 'an HTTP header (repeat; values go to the secret store)' },
  disabled: { type: 'boolean', description: 'add it turned off' },
} as const;

function serverInput(ctx: CommandContext): McpServerInput {
  const str = (name: string) => (typeof ctx.flags[name] === 'string' ? (ctx.flags[name] as string) : undefined);
  const input: McpServerInput = {};
  if (str('command') !== undefined) input.command = str('command');
  if (list(ctx, 'arg').length) input.args = list(ctx, 'arg');
  const env = pairs(ctx, 'env', '=');
  if (env) input.env = env;
  if (str('cwd') !== undefined) input.cwd = str('cwd');
  if (str('url') !== undefined) input.url = str('url');
  const headers = pairs(ctx, 'header', ':');
  if (headers) input.headers = headers;
  if (ctx.flags.disabled) input.enabled = false;
  if (!input.command && !input.url) throw new AppError('invalid_input', 'mcp add needs --command CMD (a local server) or --url URL (streamable HTTP)');
  return input;
}

const add: CliCommand = {
  name: 'mcp add',
  params: 'NAME',
  summary: 'Add a server, start it and list its tools (they are offered once approved)',
  options: serverOptions,
  async run(ctx) {
    const name = oneName(ctx, 'mcp add');
    const server = serverInput(ctx);
    const client = await ctx.connect();
    const info = await client.call('mcp.add', { name, server, wait: true });
    print(ctx, info, describeServer(info));
    return info.enabled && info.state === 'failed' ? EXIT.failed : EXIT.ok;
  },
};

const importConfig: CliCommand = {
  name: 'mcp import',
  params: 'FILE',
  summary: 'Add the servers of a Claude Desktop configuration (claude_desktop_config.json); - reads standard input',
  options: { replace: { type: 'boolean', description: 'replace servers of the same name' } },
  async run(ctx) {
    const [file, ...extra] = ctx.args;
    if (!file || extra.length) throw new AppError('invalid_input', 'mcp import needs one file (or - for standard input)');
    let json: string;
    if (file === '-') {
      if (!ctx.io.readStdin) throw new AppError('invalid_input', 'standard input cannot be read here');
      json = await ctx.io.readStdin();
    } else {
      try {
        json = readFileSync(file, 'utf8');
      } catch (err) {
        throw new AppError('invalid_input', `${file} cannot be read: ${(err as Error).message}`);
      }
    }
    const client = await ctx.connect();
    const result = await client.call('mcp.import', { json, replace: ctx.flags.replace === true });
    const lines = [
      ...result.added.map((n) => `added ${n}`),
      ...result.replaced.map((n) => `replaced ${n}`),
      ...result.renamed.map((r) => `named ${r.to} (was "${r.from}")`),
      ...result.skipped.map((s) => `skipped ${s.name}: ${s.reason}`),
    ];
    if (result.added.length || result.replaced.length) lines.push('their tools are offered once approved: agent-blob mcp list, then agent-blob mcp approve NAME');
    print(ctx, result, `${lines.join('\n') || 'the file lists no servers'}\n`);
    return EXIT.ok;
  },
};

const listServers: CliCommand = {
  name: 'mcp list',
  summary: 'List servers: name, state and reason, tools with their pin state',
  async run(ctx) {
    const client = await ctx.connect();
    const { servers } = await client.call('mcp.list', {});
    if (ctx.json) ctx.io.stdout(`${JSON.stringify({ servers })}\n`);
    else if (!servers.length) ctx.io.stdout('no MCP servers; add one with agent-blob mcp add NAME --command CMD or --url URL, or mcp import FILE\n');
    else {
      // A command-line core does not start servers: a state of `stopped` there says nothing about the app.
      const note = ctx.connection()?.kind === 'inprocess' ? '(the app is not running: servers are not started; mcp test NAME starts one)\n' : '';
      ctx.io.stdout(
        note +
          table([
            ['NAME', 'STATE', 'TRANSPORT', 'TOOLS'],
            ...servers.map((s) => [s.name, state(s), s.transport, s.tools.map((t) => `${t.name}${t.pin === 'approved' ? '' : ` (${t.pin})`}`).join(', ') || '-']),
          ]),
      );
    }
    return EXIT.ok;
  },
};

const show: CliCommand = {
  name: 'mcp show',
  params: 'NAME',
  summary: 'Show a server with its tools and, for a changed tool, what changed since its approval',
  async run(ctx) {
    const name = oneName(ctx, 'mcp show');
    const client = await ctx.connect();
    const detail = await client.call('mcp.show', { name });
    if (ctx.json) {
      ctx.io.stdout(`${JSON.stringify(detail)}\n`);
      return EXIT.ok;
    }
    let text = describeServer(detail);
    for (const t of detail.tools) {
      if (!t.diff.length) continue;
      text += `\n${t.bridgedName} changed since its approval:\n${t.diff.map((l) => `${l.op} ${l.text}`).join('\n')}\n`;
    }
    ctx.io.stdout(text);
    return EXIT.ok;
  },
};

const approve: CliCommand = {
  name: 'mcp approve',
  params: 'NAME',
  summary: 'Approve the tool definitions a server lists now; they are offered while they stay the same',
  options: { tool: { type: 'string', value: 'TOOL', multiple: true, description: 'only this tool (repeat for more)' } },
  async run(ctx) {
    const name = oneName(ctx, 'mcp approve');
    const tools = list(ctx, 'tool');
    const client = await ctx.connect();
    const info = await client.call('mcp.approve', { name, tools: tools.length ? tools : undefined });
    print(ctx, info, describeServer(info));
    return EXIT.ok;
  },
};

const test: CliCommand = {
  name: 'mcp test',
  params: 'NAME',
  summary: 'Start a server now and say whether it is ready, with its tools',
  async run(ctx) {
    const name = oneName(ctx, 'mcp test');
    const client = await ctx.connect();
    const result = await client.call('mcp.test', { name });
    print(ctx, result, describeServer(result.server));
    return result.ok ? EXIT.ok : EXIT.failed;
  },
};

const remove: CliCommand = {
  name: 'mcp remove',
  params: 'NAME',
  summary: 'Stop and remove a server with its approvals and stored secrets',
  async run(ctx) {
    const name = oneName(ctx, 'mcp remove');
    const client = await ctx.connect();
    const result = await client.call('mcp.remove', { name });
    print(ctx, result, `removed ${result.name}\n`);
    return EXIT.ok;
  },
};

const toggle = (enabled: boolean): CliCommand => ({
  name: `mcp ${enabled ? 'enable' : 'disable'}`,
  params: 'NAME',
  summary: enabled ? 'Turn a server on (it starts)' : 'Turn a server off (it stops; its tools are not offered)',
  async run(ctx) {
    const name = oneName(ctx, `mcp ${enabled ? 'enable' : 'disable'}`);
    const client = await ctx.connect();
    const info = await client.call('mcp.setEnabled', { name, enabled });
    print(ctx, info, describeServer(info));
    return EXIT.ok;
  },
});

export const mcpGroup: CommandGroup = {
  name: 'mcp',
  summary: 'MCP servers: add, import a Claude Desktop config, list, approve tools, test, remove.',
  commands: [listServers, add, importConfig, show, approve, test, toggle(true), toggle(false), remove],
};
