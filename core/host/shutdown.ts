import { isatty } from 'node:tty';

/**
 * Whether a hangup (SIGHUP: the terminal it runs in was closed) stops the app: only while its output
 * or its errors go to a terminal, as in a terminal window, whose closing it follows. Otherwise they go
 * to a file or a pipe (nohup has sent them to nohup.out, or `> log` has) and the app keeps running.
 * The streams decide, not the signal's disposition: Node sets an ignored SIGHUP (what nohup sets up)
 * back to its default action before any script runs, so a process cannot see that it ran under nohup.
 */
export function hangupStops(): boolean {
  return isatty(1) || isatty(2);
}

/**
 * How long after a Ctrl-C or SIGTERM the same signal again is the same one passed on, not a person's
 * second: npm, npx, pnpm and yarn pass the terminal's Ctrl-C on to the script they run, which has it
 * from the terminal too, a few milliseconds later (github.com/npm/cli/issues/5021); a process manager
 * that signals the whole group passes its SIGTERM on the same way.
 */
export const SAME_SIGNAL_MS = 1000;

/**
 * Listens for the signals that stop the app: SIGINT (Ctrl-C), SIGTERM and, when hangupStops(),
 * SIGHUP; otherwise a SIGHUP only calls `onHangupIgnored` (a listener is kept either way, as without
 * one SIGHUP ends the process at once). The first calls `stop`. A later one calls `now`, a person's
 * "stop at once" (Ctrl-C pressed twice), unless it is a hangup (a closing terminal may send it twice:
 * the shell passes it on to its jobs, the terminal to the processes in front) or the first one's kind
 * again within SAME_SIGNAL_MS. Returns the function that stops listening.
 */
export function onStopSignals(handlers: { stop(signal: NodeJS.Signals): void; now(signal: NodeJS.Signals): void; onHangupIgnored(): void }): () => void {
  let first: { signal: NodeJS.Signals; at: number } | null = null;
  const onSignal = (signal: NodeJS.Signals) => {
    if (!first) {
      first = { signal, at: performance.now() };
      handlers.stop(signal);
    } else if (signal !== 'SIGHUP' && !(signal === first.signal && performance.now() - first.at < SAME_SIGNAL_MS)) {
      handlers.now(signal);
    }
  };
  const hangup = hangupStops() ? onSignal : () => handlers.onHangupIgnored();
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('SIGHUP', hangup);
  return () => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    process.off('SIGHUP', hangup);
  };
}

/**
 * Closes `target` on the first signal that stops the app and then exits 0 (1 if closing failed); a
 * signal that means "stop at once" while it closes (see onStopSignals) exits 130.
 */
export function closeOnSignals(target: { close(): Promise<void> }, options: { onClosing?: (signal: NodeJS.Signals) => void; onHangupIgnored?: () => void } = {}): () => void {
  return onStopSignals({
    stop(signal) {
      options.onClosing?.(signal);
      target.close().then(
        () => process.exit(0),
        () => process.exit(1),
      );
    },
    now: () => process.exit(130),
    onHangupIgnored: () => options.onHangupIgnored?.(),
  });
}
