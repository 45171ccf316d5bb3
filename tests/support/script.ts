/** What a loopback provider server does for one request, scripted by a test. */
export type ScriptedReply =
  | {
      kind: 'stream';
      /** Text chunks, one delta each. */
      chunks?: string[];
      /** Tool calls after the text; `arguments` is sent as-is (a string may be broken JSON). */
      toolCalls?: { id?: string; name: string; arguments: unknown }[];
      /** Pause before each chunk, ms. */
      delayMs?: number;
      /** Pause before the first byte, ms. */
      firstByteDelayMs?: number;
      /**
       * The last text chunk waits until this settles: a test that must see the reply while it is
       * being written opens the gate once it has, instead of hoping the stream lasts long enough.
       */
      holdLastChunk?: Promise<unknown>;
      usage?: { input: number; output: number; cacheRead?: number; cacheWrite?: number };
      stopReason?: string;
      model?: string;
      /** OpenAI-compatible: send no usage, even when the client asks for it (as some local servers do). */
      usageOmitted?: boolean;
    }
  | {
      kind: 'error';
      status: number;
      /** Anthropic error type (`overloaded_error`, `rate_limit_error`, ...), or Ollama's error text. */
      type?: string;
      message?: string;
      headers?: Record<string, string>;
    }
  /** Accepts the request and never answers (until the client gives up or the server closes). */
  | { kind: 'hang' }
  /** Cuts the connection after `afterChunks` chunks. */
  | { kind: 'drop'; chunks: string[]; afterChunks: number; delayMs?: number };

export interface RecordedRequest {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
  /** True when the client went away before the reply ended. */
  aborted: boolean;
}

/** Splits a text into chunks of about `size` characters. */
export function chunk(text: string, size = 4): string[] {
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A gate a scripted reply can wait on (`holdLastChunk`): closed until `open()`. */
export function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { promise, open };
}
