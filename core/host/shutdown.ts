/**
 * Closes `target` on the first SIGINT or SIGTERM and then exits 0 (1 if closing failed). A second
 * signal while closing exits at once: a person pressing Ctrl-C twice means it.
 */
export function closeOnSignals(target: { close(): Promise<void> }, onClosing?: (signal: NodeJS.Signals) => void): () => void {
  let closing = false;
  const handler = (signal: NodeJS.Signals) => {
    if (closing) process.exit(130);
    closing = true;
    onClosing?.(signal);
    target.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return () => {
    process.off('SIGINT', handler);
    process.off('SIGTERM', handler);
  };
}
