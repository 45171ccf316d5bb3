import { AppError, isTerminalRunStatus, type AppEvent, type Client, type Run } from '../../../contract/index.js';
import { PermissionPrompter } from '../permission-prompt.js';
import { EXIT, type CommandContext, type CommandGroup } from '../types.js';

interface Outcome {
  status: Run['status'];
  reason: string | null;
  error: string | null;
}

/**
 * Follows one run's events: prints the assistant's text as it streams and resolves when the run
 * ends. Events that arrive before the run id is known are held, then replayed.
 */
class RunFollower {
  private runId: string | null = null;
  private held: AppEvent[] = [];
  private printed = new Map<string, string>();
  private order: string[] = [];
  readonly errors: string[] = [];
  model: string | null = null;
  private lastWritten = '';
  private finish!: (outcome: Outcome) => void;
  readonly ended = new Promise<Outcome>((resolve) => (this.finish = resolve));

  constructor(
    private readonly write: ((text: string) => void) | null,
    private readonly permissions: PermissionPrompter,
    private readonly onNotice?: (text: string) => void,
  ) {}

  follow(runId: string): void {
    this.runId = runId;
    for (const event of this.held.splice(0)) this.onEvent(event);
  }

  text(): string {
    return this.order.map((id) => this.printed.get(id) ?? '').join('\n');
  }

  onEvent = (event: AppEvent): void => {
    if (this.runId === null) {
      this.held.push(event);
      return;
    }
    if (event.runId !== this.runId) return;
    switch (event.type) {
      case 'message.created':
        if (event.data.role !== 'assistant') return;
        // A turn with tool calls answers in several messages; each starts on its own line.
        if (this.lastWritten && !this.lastWritten.endsWith('\n')) this.write?.('\n');
        this.order.push(event.data.messageId);
        this.printed.set(event.data.messageId, '');
        this.emit(event.data.messageId, event.data.text);
        return;
      case 'message.delta':
        this.emit(event.data.messageId, event.data.text);
        return;
      case 'message.completed': {
        const sofar = this.printed.get(event.data.messageId);
        if (sofar === undefined) return;
        if (event.data.model) this.model = event.data.model;
        // The stored text is the truth; print whatever the deltas did not cover.
        if (event.data.text.startsWith(sofar)) this.emit(event.data.messageId, event.data.text.slice(sofar.length));
        return;
      }
      case 'provider.retry':
        // The run is waiting, not stuck: say on what and for how long.
        this.notice(`${event.data.message}; retrying ${event.data.model} in ${formatDelay(event.data.delayMs)} (attempt ${event.data.attempt + 1})`);
        return;
      case 'timeline.error':
        this.errors.push(event.data.message);
        return;
      case 'permission.requested':
        this.permissions.requested(event);
        return;
      case 'permission.decided':
        this.permissions.settled(event.data.requestId, event.data.decision, event.data.decidedBy);
        return;
      case 'run.status':
        if (!isTerminalRunStatus(event.data.to)) return;
        this.permissions.stop();
        this.finish({ status: event.data.to, reason: event.data.reason, error: event.data.error });
        return;
      default:
    }
  };

  private notice(text: string): void {
    this.onNotice?.(text);
  }

  private emit(messageId: string, text: string): void {
    if (!text) return;
    this.printed.set(messageId, (this.printed.get(messageId) ?? '') + text);
    this.lastWritten = text;
    this.write?.(text);
  }
}

async function chat(ctx: CommandContext): Promise<number> {
  const fromStdin = ctx.args.length === 1 && ctx.args[0] === '-';
  if (fromStdin && !ctx.io.readStdin) throw new AppError('invalid_input', 'chat -: standard input cannot be read here');
  const text = (fromStdin ? await ctx.io.readStdin!() : ctx.args.join(' ')).trim();
  if (!text) throw new AppError('invalid_input', fromStdin ? 'chat -: standard input was empty' : 'chat needs a message: agent-blob chat "hello" (or chat - to read it from standard input)');
  const model = typeof ctx.flags.model === 'string' ? ctx.flags.model : undefined;
  const client: Client = await ctx.connect();
  const follower = new RunFollower(ctx.json ? null : (t) => ctx.io.stdout(t), new PermissionPrompter(ctx.io, client, !ctx.json), (t) => ctx.io.stderr(`\nwaiting: ${t}\n`));
  const { head } = await client.call('system.info', {});
  client.subscribe(head, follower.onEvent);
  const lost = new Promise<never>((_, reject) => {
    client.onState((state, detail) => {
      if (state === 'closed' && !ctx.io.signal.aborted) reject(new AppError('unavailable', `lost the app while the reply was streaming: ${detail}`));
    });
  });
  lost.catch(() => undefined);
  const replyTo = typeof ctx.flags['reply-to'] === 'string' ? ctx.flags['reply-to'] : undefined;
  const { runId, notice } = await client.call('chat.send', { text, model, ...(replyTo ? { replyTo } : {}) });
  if (notice) ctx.io.stderr(`note: ${notice}\n`);
  follower.follow(runId);
  let interrupted = false;
  const cancel = () => {
    interrupted = true;
    client.call('runs.cancel', { runId }).catch(() => undefined);
  };
  if (ctx.io.signal.aborted) cancel();
  else ctx.io.signal.addEventListener('abort', cancel, { once: true });
  let outcome: Outcome;
  try {
    outcome = await Promise.race([follower.ended, lost]);
  } finally {
    ctx.io.signal.removeEventListener('abort', cancel);
  }
  const reply = follower.text();
  if (ctx.json) {
    ctx.io.stdout(`${JSON.stringify({ runId, ...outcome, model: follower.model, text: reply, errors: follower.errors })}\n`);
  } else {
    if (reply && !reply.endsWith('\n')) ctx.io.stdout('\n');
    if (outcome.status === 'failed') ctx.io.stderr(`agent-blob: the run failed: ${outcome.error ?? follower.errors.at(-1) ?? outcome.reason ?? 'unknown error'}\n`);
    if (outcome.status === 'cancelled') ctx.io.stderr(`agent-blob: the run was cancelled${outcome.reason ? ` (${outcome.reason})` : ''}\n`);
  }
  if (outcome.status === 'done') return EXIT.ok;
  return interrupted && outcome.status === 'cancelled' ? EXIT.interrupted : EXIT.failed;
}

function formatDelay(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${Math.round(ms / 100) / 10} s`;
}

export const chatGroup: CommandGroup = {
  name: 'chat',
  summary: 'Talk to the assistant.',
  commands: [
    {
      name: 'chat',
      params: '"text" | -',
      summary: 'Send a message (- reads it from stdin) and stream the reply to stdout; asks before tools that need permission; Ctrl-C cancels the run',
      options: {
        model: { type: 'string', value: 'MODEL', description: 'the model for this turn, e.g. anthropic:claude-sonnet-4-5 or ollama:llama3.2' },
        'reply-to': { type: 'string', value: 'ITEM', description: 'reply to a schedule\'s or a worker\'s result (its id from agent-blob timeline, result-…): the result goes into the conversation with this message' },
      },
      run: chat,
    },
  ],
};
