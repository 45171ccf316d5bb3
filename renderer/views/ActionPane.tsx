import './ActionPane.css';
import { useCallback, useState, type ReactNode } from 'react';
import { describeError } from '../store/errors.js';

/** Runs one of a pane's actions: its result, or null with the failure shown under the pane's title. */
export type Runner = <T>(what: string, fn: () => Promise<T>) => Promise<T | null>;

/**
 * A pane of sections that call the core themselves (Tools, Permissions): its title, one alert for the
 * last action that failed (cleared by the next that succeeds), and the sections, given the runner.
 */
export function ActionPane({ name, title, children }: { name: string; title: string; children: (run: Runner) => ReactNode }) {
  const [error, setError] = useState<string | null>(null);
  const run: Runner = useCallback(async (what, fn) => {
    try {
      const result = await fn();
      setError(null);
      return result;
    } catch (err) {
      setError(`${what}: ${describeError(err)}`);
      return null;
    }
  }, []);
  return (
    <div className={`action-pane ${name}-pane`} data-testid={`${name}-pane`}>
      <h1>{title}</h1>
      {error ? (
        <p className="error-text" role="alert" data-testid={`${name}-error`}>
          {error}
        </p>
      ) : null}
      {children(run)}
    </div>
  );
}
