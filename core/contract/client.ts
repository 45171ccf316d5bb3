import { AppError, isAppError } from './errors.js';
import type { CommandArgs, CommandName, CommandResult } from './commands.js';
import type { AppEvent } from './events.js';
import { isEventFrame, type RequestFrame, type ServerFrame } from './protocol.js';

/** One open connection of some transport (WebSocket, Electron IPC, in-process). */
export interface FrameConnection {
  send(frame: RequestFrame): void;
  close(): void;
}

export interface ConnectionHandlers {
  onOpen(): void;
  onFrame(frame: ServerFrame): void;
  onClose(reason: string): void;
}

/** Opens connections of one transport. Called again for every reconnect. */
export type Connector = (handlers: ConnectionHandlers) => FrameConnection;

export type ConnectionState = 'connecting' | 'open' | 'reconnecting' | 'closed';

export interface Client {
  call<N extends CommandName>(command: N, args: CommandArgs<N>): Promise<CommandResult<N>>;
  /**
   * Receives every event after `fromSeq` exactly once, in order, across reconnects: after a drop the
   * client resubscribes from the last seq it delivered. One subscription per client.
   */
  subscribe(fromSeq: number, onEvent: (event: AppEvent) => void): () => void;
  /** The last seq delivered to the subscriber. */
  lastSeq(): number;
  state(): ConnectionState;
  onState(listener: (state: ConnectionState, detail: string) => void): () => void;
  close(): void;
}

export interface ClientOptions {
  /** Reconnect after a drop (renderer); a CLI call fails instead. */
  reconnect?: boolean;
  /** Backoff bounds for reconnects, in ms. */
  minDelayMs?: number;
  maxDelayMs?: number;
}

type Pending = { resolve: (value: unknown) => void; reject: (err: Error) => void; frame: RequestFrame };

/** A typed client over any frame transport. */
export function createClient(connector: Connector, options: ClientOptions = {}): Client {
  const minDelay = options.minDelayMs ?? 250;
  const maxDelay = options.maxDelayMs ?? 5000;
  let nextId = 1;
  let current: FrameConnection | null = null;
  let state: ConnectionState = 'connecting';
  let closedByUser = false;
  let attempt = 0;
  let retryTimer: ReturnType<typeof setTimeout> | null = null;
  const pending = new Map<number, Pending>();
  const waitingForOpen: Pending[] = [];
  const stateListeners = new Set<(state: ConnectionState, detail: string) => void>();
  let subscription: { lastSeq: number; onEvent: (event: AppEvent) => void } | null = null;
  let deliveredSeq = 0;

  function setState(next: ConnectionState, detail: string): void {
    state = next;
    for (const listener of stateListeners) listener(next, detail);
  }

  function sendSubscribe(): void {
    if (!subscription || !current) return;
    const frame: RequestFrame = { id: nextId++, command: 'events.subscribe', args: { fromSeq: subscription.lastSeq } };
    pending.set(frame.id as number, { resolve: () => {}, reject: () => {}, frame });
    current.send(frame);
  }

  function open(): void {
    let opened = false;
    const connection = connector({
      onOpen() {
        if (connection !== current && current !== null) return;
        opened = true;
        attempt = 0;
        setState('open', 'connected');
        sendSubscribe();
        for (const p of waitingForOpen.splice(0)) {
          pending.set(p.frame.id as number, p);
          connection.send(p.frame);
        }
      },
      onFrame(frame) {
        if (connection !== current) return;
        if (isEventFrame(frame)) {
          const sub = subscription;
          if (!sub || frame.event.seq <= sub.lastSeq) return;
          sub.lastSeq = frame.event.seq;
          deliveredSeq = frame.event.seq;
          sub.onEvent(frame.event);
          return;
        }
        if (typeof frame.id !== 'number') return;
        const p = pending.get(frame.id);
        if (!p) return;
        pending.delete(frame.id);
        if (frame.ok) p.resolve(frame.result);
        else p.reject(new AppError(frame.error.code, frame.error.message));
      },
      onClose(reason) {
        if (connection !== current) return;
        current = null;
        for (const [key, p] of pending) {
          pending.delete(key);
          p.reject(new AppError('unavailable', `connection lost before the reply came (${reason})`));
        }
        if (closedByUser) return;
        if (!options.reconnect) {
          for (const p of waitingForOpen.splice(0)) p.reject(new AppError('unavailable', `cannot connect: ${reason}`));
          setState('closed', reason);
          return;
        }
        const delay = Math.min(maxDelay, minDelay * 2 ** attempt++);
        setState('reconnecting', opened ? `connection lost: ${reason}` : `cannot connect: ${reason}`);
        retryTimer = setTimeout(() => {
          retryTimer = null;
          if (!closedByUser) open();
        }, delay);
      },
    });
    current = connection;
  }

  open();

  return {
    call(command, args) {
      if (closedByUser) return Promise.reject(new AppError('unavailable', 'the client is closed'));
      if (state === 'closed') return Promise.reject(new AppError('unavailable', 'not connected'));
      return new Promise((resolve, reject) => {
        const frame: RequestFrame = { id: nextId++, command, args };
        const p: Pending = { resolve: resolve as (v: unknown) => void, reject, frame };
        if (state === 'open' && current) {
          pending.set(frame.id as number, p);
          try {
            current.send(frame);
          } catch (err) {
            pending.delete(frame.id as number);
            reject(isAppError(err) ? err : new AppError('unavailable', String((err as Error)?.message ?? err)));
          }
        } else {
          waitingForOpen.push(p);
        }
      });
    },
    subscribe(fromSeq, onEvent) {
      subscription = { lastSeq: fromSeq, onEvent };
      deliveredSeq = fromSeq;
      if (state === 'open') sendSubscribe();
      const mine = subscription;
      return () => {
        if (subscription !== mine) return;
        subscription = null;
        if (state === 'open' && current) current.send({ id: nextId++, command: 'events.unsubscribe', args: {} });
      };
    },
    lastSeq: () => deliveredSeq,
    state: () => state,
    onState(listener) {
      stateListeners.add(listener);
      return () => stateListeners.delete(listener);
    },
    close() {
      closedByUser = true;
      if (retryTimer) clearTimeout(retryTimer);
      for (const p of waitingForOpen.splice(0)) p.reject(new AppError('unavailable', 'the client is closed'));
      const connection = current;
      current = null;
      for (const [key, p] of pending) {
        pending.delete(key);
        p.reject(new AppError('unavailable', 'the client is closed'));
      }
      connection?.close();
      setState('closed', 'closed');
    },
  };
}
