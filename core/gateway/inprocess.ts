import { createClient, type Client, type ClientOptions, type ServerFrame } from '../contract/index.js';
import type { Gateway } from './dispatch.js';

/**
 * A client connected straight to a gateway in the same process. Frames are cloned so nothing is
 * shared by reference, as over a real transport.
 */
export function connectInProcess(gateway: Gateway, options: ClientOptions = {}): Client {
  return createClient((handlers) => {
    let open = true;
    const session = gateway.openSession((frame: ServerFrame) => {
      if (open) handlers.onFrame(structuredClone(frame));
    }, 'inprocess');
    queueMicrotask(() => open && handlers.onOpen());
    return {
      send(frame) {
        if (!open) throw new Error('connection closed');
        void session.receive(structuredClone(frame));
      },
      close() {
        if (!open) return;
        open = false;
        session.close();
        handlers.onClose('closed');
      },
    };
  }, options);
}
