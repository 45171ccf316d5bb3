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
 * Calls `stop` on each SIGINT (Ctrl-C), SIGTERM and, when hangupStops(), SIGHUP. Otherwise a SIGHUP
 * only calls `onHangupIgnored`: a listener is kept either way, as without one SIGHUP ends the process
 * at once. Returns the function that stops listening.
 */
export function onStopSignals(stop: (signal: NodeJS.Signals) => void, onHangupIgnored: () => void): () => void {
  const hangup = hangupStops() ? stop : () => onHangupIgnored();
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  process.on('SIGHUP', hangup);
  return () => {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    process.off('SIGHUP', hangup);
  };
}

/**
 * Closes `target` on the first signal that stops the app (onStopSignals) and then exits 0 (1 if
 * closing failed). A second Ctrl-C or SIGTERM while closing exits at once: a person pressing Ctrl-C
 * twice means it. A second hangup does not: a closing terminal may send it twice (the shell passes it on
 * to its jobs, the terminal to the processes in front).
 */
export function closeOnSignals(target: { close(): Promise<void> }, options: { onClosing?: (signal: NodeJS.Signals) => void; onHangupIgnored?: () => void } = {}): () => void {
  let closing = false;
  return onStopSignals(
    (signal) => {
      if (closing) {
        if (signal !== 'SIGHUP') process.exit(130);
        return;
      }
      closing = true;
      options.onClosing?.(signal);
      target.close().then(
        () => process.exit(0),
        () => process.exit(1),
      );
    },
    () => options.onHangupIgnored?.(),
  );
}
