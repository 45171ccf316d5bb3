import { z } from 'zod';
import {
  AppError,
  COMMANDS,
  RequestFrameSchema,
  describeZodError,
  isAppError,
  isCommandName,
  type CommandName,
  type CommandResult,
  type ErrorInfo,
  type ParsedArgs,
  type ServerFrame,
} from '../contract/index.js';
import type { EventLog } from '../events/index.js';
import { storageError, type Logger } from '../util/index.js';

/** What a handler knows about who is asking. */
export interface CallContext {
  /** `inprocess`, `websocket`, `ipc`. */
  transport: string;
}

/** The subscription and hello commands belong to a session, not to core; every other command has a handler. */
type SessionCommand = 'events.subscribe' | 'events.unsubscribe' | 'client.hello';
const SESSION_COMMANDS: readonly string[] = ['events.subscribe', 'events.unsubscribe', 'client.hello'] satisfies SessionCommand[];

/** What a window announced it can do with `client.hello`. */
export type ClientCapability = ParsedArgs<'client.hello'>['capabilities'][number];
export type Handlers = {
  [N in Exclude<CommandName, SessionCommand>]: (args: ParsedArgs<N>, ctx: CallContext) => CommandResult<N> | Promise<CommandResult<N>>;
};

/** One connected client: frames in, frames out, at most one event subscription. */
export interface Session {
  /** Handles one incoming frame: a JSON string or an already parsed value. Never throws. */
  receive(raw: unknown): Promise<void>;
  close(): void;
}

/**
 * Validates every request against the contract, calls its handler, and answers `{ok, result}` or
 * `{ok: false, error: {code, message}}`. No stack trace ever leaves; unknown failures are logged.
 */
export class Gateway {
  /** Per session: what it announced, and whether it follows the log right now. */
  private readonly sessions = new Map<object, { capabilities: ReadonlySet<ClientCapability>; subscribed: boolean }>();

  private readonly handlers: Partial<Handlers> = {};
  private readonly owners = new Map<string, string>();

  constructor(
    private readonly log: EventLog,
    private readonly logger: Logger,
  ) {}

  /** Adds a capability's command handlers. A command answered twice is a wiring bug and throws. */
  register(owner: string, handlers: Partial<Handlers>): void {
    for (const [name, handler] of Object.entries(handlers)) {
      if (!handler) continue;
      const taken = this.owners.get(name);
      if (taken) throw new Error(`${owner} and ${taken} both answer ${name}`);
      this.owners.set(name, owner);
      (this.handlers as Record<string, unknown>)[name] = handler;
    }
  }

  /** Whether some capability answers `command`. */
  handles(command: CommandName): boolean {
    return this.owners.has(command);
  }

  /** Calls a command directly (in-process clients), with the same validation as any transport. */
  async call<N extends CommandName>(command: N, args: unknown, ctx: CallContext = { transport: 'inprocess' }): Promise<CommandResult<N>> {
    if (SESSION_COMMANDS.includes(command)) {
      throw new AppError('invalid_input', `${command} needs a session`);
    }
    const parsed = COMMANDS[command].args.safeParse(args ?? {});
    if (!parsed.success) throw new AppError('invalid_input', `${command}: ${describeZodError(parsed.error)}`);
    const handler = this.handlers[command as Exclude<CommandName, SessionCommand>] as ((a: unknown, c: CallContext) => unknown) | undefined;
    if (!handler) throw new AppError('unavailable', `${command} is not available in this app`);
    return (await handler(parsed.data, ctx)) as CommandResult<N>;
  }

  /**
   * Sessions that announced `capability` and follow the event log now: a window that would show a
   * `notification.requested` appended at this moment. The CLI never announces anything.
   */
  clientsThatCan(capability: ClientCapability): number {
    let count = 0;
    for (const s of this.sessions.values()) if (s.subscribed && s.capabilities.has(capability)) count++;
    return count;
  }

  openSession(send: (frame: ServerFrame) => void, transport: string): Session {
    let unsubscribe: (() => void) | null = null;
    let closed = false;
    const key = {};
    const self = { capabilities: new Set<ClientCapability>() as ReadonlySet<ClientCapability>, subscribed: false };
    this.sessions.set(key, self);
    const sessions = this.sessions;
    const safeSend = (frame: ServerFrame) => {
      if (closed) return;
      try {
        send(frame);
      } catch (err) {
        this.logger.log('warn', 'sending a frame failed', { transport, error: String(err) });
      }
    };
    return {
      receive: async (raw) => {
        let frameValue: unknown = raw;
        if (typeof raw === 'string') {
          try {
            frameValue = JSON.parse(raw);
          } catch {
            safeSend({ id: null, ok: false, error: { code: 'invalid_input', message: 'the frame is not valid JSON' } });
            return;
          }
        }
        // A lone surrogate (from a JSON escape, or a string over IPC) is not text: SQLite would store
        // it as U+FFFD, changing what was sent. Refuse it rather than keep something else.
        if (hasIllFormedText(frameValue)) {
          safeSend({ id: pickId(frameValue), ok: false, error: { code: 'invalid_input', message: 'the frame holds a string that is not valid Unicode text (a lone surrogate)' } });
          return;
        }
        const frame = RequestFrameSchema.safeParse(frameValue);
        if (!frame.success) {
          const id = pickId(frameValue);
          safeSend({ id, ok: false, error: { code: 'invalid_input', message: `bad request frame: ${describeZodError(frame.error)}` } });
          return;
        }
        const { id, command, args } = frame.data;
        if (!isCommandName(command)) {
          safeSend({ id, ok: false, error: { code: 'invalid_input', message: `unknown command "${command.slice(0, 100)}"` } });
          return;
        }
        try {
          let result: unknown;
          if (command === 'events.subscribe') {
            const parsed = COMMANDS['events.subscribe'].args.safeParse(args ?? {});
            if (!parsed.success) throw new AppError('invalid_input', `events.subscribe: ${describeZodError(parsed.error)}`);
            unsubscribe?.();
            // Reply first, then the backlog and live events: the client knows the subscription took.
            safeSend({ id, ok: true, result: { head: this.log.head() } });
            unsubscribe = this.log.subscribe(parsed.data.fromSeq, (event) => safeSend({ event }));
            self.subscribed = true;
            return;
          }
          if (command === 'client.hello') {
            const parsed = COMMANDS['client.hello'].args.safeParse(args ?? {});
            if (!parsed.success) throw new AppError('invalid_input', `client.hello: ${describeZodError(parsed.error)}`);
            self.capabilities = new Set(parsed.data.capabilities);
            safeSend({ id, ok: true, result: {} });
            return;
          }
          if (command === 'events.unsubscribe') {
            const parsed = COMMANDS['events.unsubscribe'].args.safeParse(args ?? {});
            if (!parsed.success) throw new AppError('invalid_input', `events.unsubscribe: ${describeZodError(parsed.error)}`);
            unsubscribe?.();
            unsubscribe = null;
            self.subscribed = false;
            result = {};
          } else {
            result = await this.call(command, args, { transport });
          }
          safeSend({ id, ok: true, result });
        } catch (err) {
          safeSend({ id, ok: false, error: this.toErrorInfo(err, command, { frameId: id, args }) });
        }
      },
      close() {
        closed = true;
        unsubscribe?.();
        unsubscribe = null;
        sessions.delete(key);
      },
    };
  }

  /** `request`: the frame's id and arguments, so the log line names the request and its run. */
  toErrorInfo(err: unknown, command: string, request?: { frameId: unknown; args: unknown }): ErrorInfo {
    if (isAppError(err)) return { code: err.code, message: err.message };
    if (err instanceof z.ZodError) return { code: 'invalid_input', message: describeZodError(err) };
    const runId = (request?.args as { runId?: unknown } | undefined)?.runId;
    const storage = storageError(err);
    if (storage) {
      // A full disk or a damaged database is the person's to fix; say so rather than "internal".
      this.logger.log('error', 'command failed on storage', { command, ...(request ? { frameId: request.frameId } : {}), ...(typeof runId === 'string' ? { runId } : {}), error: storage.message });
      return { code: storage.code, message: storage.message };
    }
    this.logger.log('error', 'command failed', {
      command,
      ...(request ? { frameId: request.frameId } : {}),
      ...(typeof runId === 'string' ? { runId } : {}),
      error: String((err as Error)?.stack ?? err),
    });
    return { code: 'internal', message: `internal error while running ${command}; details are in the log` };
  }
}

const LONE_SURROGATE = /\p{Cs}/u;

/** Whether any string (or key) in a parsed frame is ill-formed UTF-16. Frames are at most 1 MiB, so the walk is bounded. */
function hasIllFormedText(frame: unknown): boolean {
  const stack: unknown[] = [frame];
  while (stack.length) {
    const value = stack.pop();
    if (typeof value === 'string') {
      if (LONE_SURROGATE.test(value)) return true;
    } else if (Array.isArray(value)) {
      for (const v of value) stack.push(v);
    } else if (typeof value === 'object' && value !== null) {
      for (const [k, v] of Object.entries(value)) {
        if (LONE_SURROGATE.test(k)) return true;
        stack.push(v);
      }
    }
  }
  return false;
}

function pickId(value: unknown): number | string | null {
  if (typeof value !== 'object' || value === null) return null;
  const id = (value as { id?: unknown }).id;
  return typeof id === 'number' || (typeof id === 'string' && id.length <= 100) ? id : null;
}
