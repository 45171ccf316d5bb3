import { WebSocket } from 'ws';
import { createClient, type Client, type ClientOptions, type ServerFrame } from '../contract/index.js';

export interface WebSocketClientOptions extends ClientOptions {
  /** Sent as the Origin header; Node clients normally send none. */
  origin?: string;
  /** Gives up on a connection attempt after this long. */
  handshakeTimeoutMs?: number;
  /** Largest frame accepted from the host (replies such as a long timeline page can be large). */
  maxPayloadBytes?: number;
  /**
   * Pings the host this often and drops a connection whose host missed the previous ping (a host
   * frozen or cut off without closing), so a reconnecting client notices. Default 15 s; 0 turns it off.
   */
  heartbeatMs?: number;
}

/**
 * A typed `Client` over the host's WebSocket (`ws://127.0.0.1:PORT/ws?token=...`), for Node programs:
 * the CLI, tests, benchmarks. With `reconnect`, a dropped connection is reopened and the event
 * subscription resumes from the last seq delivered.
 */
export function connectWebSocket(wsUrl: string, options: WebSocketClientOptions = {}): Client {
  return createClient((handlers) => {
    const ws = new WebSocket(wsUrl, {
      origin: options.origin,
      handshakeTimeout: options.handshakeTimeoutMs ?? 5000,
      maxPayload: options.maxPayloadBytes ?? 256 * 1024 * 1024,
      perMessageDeflate: false,
    });
    let failure = '';
    let ended = false;
    let heartbeat: ReturnType<typeof setInterval> | null = null;
    const end = (reason: string) => {
      if (heartbeat) clearInterval(heartbeat);
      if (ended) return;
      ended = true;
      handlers.onClose(reason);
    };
    ws.on('open', () => {
      const every = options.heartbeatMs ?? 15_000;
      if (every > 0) {
        let answered = true;
        ws.on('pong', () => (answered = true));
        heartbeat = setInterval(() => {
          if (!answered) {
            failure = 'the host stopped answering heartbeats';
            ws.terminate();
            return;
          }
          answered = false;
          ws.ping();
        }, every);
        heartbeat.unref();
      }
      handlers.onOpen();
    });
    ws.on('message', (data, isBinary) => {
      if (isBinary) return;
      let frame: ServerFrame;
      try {
        frame = JSON.parse(data.toString()) as ServerFrame;
      } catch {
        return;
      }
      handlers.onFrame(frame);
    });
    ws.on('error', (err) => {
      failure = describeSocketError(err);
    });
    ws.on('close', (code, reason) => {
      const text = reason.toString() || (code === 1009 ? 'a frame was larger than the size limit' : '');
      end(failure || (text ? `${text} (${code})` : `closed (${code})`));
    });
    return {
      send(frame) {
        if (ws.readyState !== WebSocket.OPEN) throw new Error('the connection is not open');
        ws.send(JSON.stringify(frame));
      },
      close() {
        if (ws.readyState === WebSocket.CONNECTING) ws.terminate();
        else ws.close(1000, 'client closed');
        end('closed');
      },
    };
  }, options);
}

function describeSocketError(err: Error & { code?: string }): string {
  const status = /Unexpected server response: (\d+)/.exec(err.message)?.[1];
  if (status === '401') return 'the host refused the token (401): it may have restarted with a new one';
  if (status === '403') return 'the host refused this origin (403)';
  if (err.code === 'ECONNREFUSED') return 'nothing is listening at that address (connection refused)';
  return err.message;
}
