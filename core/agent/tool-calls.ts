import type { ContentBlock } from '../providers/index.js';
import type { AnyTool, ToolErrorInfo, ToolGrant } from '../tools/index.js';
import { parseToolArgs } from './args.js';
import type { AgentDeps, AgentEvent, ToolCallResult } from './types.js';

/** A tool call as the model streamed it. */
export interface PendingCall {
  /** Ours, unique in the log: `<run>-t<turn>-<n>`. */
  callId: string;
  /** The provider's id, echoed back in the tool result. */
  providerId: string;
  name: string;
  input: unknown;
  rawArguments: string;
}

const MAX_RESULT_CHARS = 30_000;

type Prepared = { call: PendingCall; tool: AnyTool | null; args: unknown; result: ToolCallResult | null; grant?: ToolGrant };

/**
 * Runs the tool calls of one model turn: each is validated and passes the permission gate in order
 * (a person may be asked), then the allowed ones run in parallel. Completions are emitted in call
 * order so a run's event sequence does not depend on which tool finished first.
 */
export async function* runToolCalls(
  deps: AgentDeps,
  runId: string,
  calls: readonly PendingCall[],
  tools: readonly AnyTool[],
  invalidStreak: Map<string, number>,
  withdrawn: Set<string>,
): AsyncGenerator<AgentEvent, { blocks: ContentBlock[]; inputs: Map<string, unknown> } | 'cancelled'> {
  const prepared: Prepared[] = [];
  const inputs = new Map<string, unknown>();
  for (const call of calls) {
    const tool = tools.find((t) => t.name === call.name) ?? null;
    const fallbackInput = call.input && typeof call.input === 'object' && !Array.isArray(call.input) ? call.input : {};
    if (!tool) {
      inputs.set(call.callId, fallbackInput);
      yield started(deps, call, null, call.rawArguments, '');
      prepared.push({ call, tool, args: null, result: fail('not_found', `there is no tool named ${call.name}; use one of: ${tools.map((t) => t.name).join(', ')}`) });
      continue;
    }
    const parsed = parseToolArgs(tool, call.input, call.rawArguments);
    if (!parsed.ok) {
      inputs.set(call.callId, fallbackInput);
      const streak = (invalidStreak.get(tool.name) ?? 0) + 1;
      invalidStreak.set(tool.name, streak);
      let message = parsed.message;
      if (streak >= 2) {
        withdrawn.add(tool.name);
        message += `. ${tool.name} is withdrawn for the rest of this run after two invalid calls in a row`;
      }
      yield started(deps, call, tool.capability, call.rawArguments, '');
      prepared.push({ call, tool, args: null, result: fail('invalid_args', message) });
      continue;
    }
    invalidStreak.delete(tool.name);
    inputs.set(call.callId, parsed.args);
    let resource = '';
    let cwd: string | undefined;
    try {
      resource = tool.resource(parsed.args, deps.toolContext);
      cwd = tool.workingDir?.(parsed.args, deps.toolContext);
    } catch (err) {
      yield started(deps, call, tool.capability, JSON.stringify(parsed.args), '');
      prepared.push({ call, tool, args: parsed.args, result: fail('invalid_args', (err as Error).message) });
      continue;
    }
    yield started(deps, call, tool.capability, JSON.stringify(parsed.args), resource);
    let grant: ToolGrant | undefined;
    if (tool.capability !== null) {
      const decision = await deps.seams.authorize(
        {
          capability: tool.capability,
          resource,
          runId,
          tool: tool.name,
          argsSummary: deps.redact(tool.summarize?.(parsed.args) ?? JSON.stringify(parsed.args).slice(0, 300)),
          ...(cwd === undefined ? {} : { cwd }),
          ...(tool.content ? { content: tool.content(parsed.args) } : {}),
        },
        call.callId,
      );
      if (deps.signal.aborted) return 'cancelled';
      if (decision.decision === 'deny') {
        prepared.push({ call, tool, args: parsed.args, result: fail('denied', `permission denied (${decision.by}): ${decision.reason}`) });
        continue;
      }
      grant = {};
      if (decision.resolved !== undefined) grant.approved = decision.resolved;
      if (decision.cwd !== undefined) grant.approvedCwd = decision.cwd;
    }
    prepared.push({ call, tool, args: parsed.args, result: null, grant });
  }

  const running = prepared.map((p) =>
    p.result ? Promise.resolve(p.result) : deps.seams.execute(p.tool!, p.args, p.call.callId, p.grant).catch((err): ToolCallResult => fail('failed', String((err as Error)?.message ?? err))),
  );
  const blocks: ContentBlock[] = [];
  for (let i = 0; i < prepared.length; i++) {
    const result = await running[i];
    if (deps.signal.aborted) return 'cancelled';
    const { call } = prepared[i];
    const output = result.ok ? clip(result.output.text) : `Error (${result.error.code}): ${result.error.message}`;
    yield {
      kind: 'emit',
      event: {
        type: 'tool.completed',
        data: {
          callId: call.callId,
          tool: call.name,
          ok: result.ok,
          output: deps.redact(result.ok ? output : ''),
          error: result.ok ? null : { code: result.error.code, message: deps.redact(result.error.message) },
        },
      },
    };
    // The model is not handed a configured key either, whatever file or page it came from.
    blocks.push({ type: 'tool_result', toolUseId: call.providerId, content: deps.redact(output), isError: !result.ok });
  }
  return { blocks, inputs };
}

function started(deps: AgentDeps, call: PendingCall, capability: string | null, args: string, resource: string): AgentEvent {
  return { kind: 'emit', event: { type: 'tool.started', data: { callId: call.callId, tool: call.name, args: deps.redact(args.slice(0, 4000)), capability, resource: deps.redact(resource) } } };
}

function fail(code: ToolErrorInfo['code'], message: string): ToolCallResult {
  return { ok: false, error: { code, message } };
}

function clip(text: string): string {
  return text.length > MAX_RESULT_CHARS ? `${text.slice(0, MAX_RESULT_CHARS)}\n[output clipped at ${MAX_RESULT_CHARS} characters]` : text;
}
