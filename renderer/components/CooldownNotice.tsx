import { useEffect, useState } from 'react';
import type { CommandResult } from '../../core/contract/index.js';
import { describeError } from '../store/errors.js';
import { localFormat } from './dates.js';
import { useApp, useAppStore, useClient } from '../store/context.js';
import { messageToAskAgain } from './ReplyActions.js';

type Models = CommandResult<'providers.status'>['models'];
const timeFormat = localFormat({ hour: '2-digit', minute: '2-digit', second: '2-digit' });

/**
 * Under an error caused by a model resting after repeated failures: which model, until when in local
 * time, and "Try now", which ends the rest and sends the message of that turn again.
 */
export function CooldownNotice({ runId }: { runId: string | null }) {
  const client = useClient();
  const version = useApp((s) => s.settingsVersion);
  const resend = useApp((s) => s.sendChat);
  const store = useAppStore();
  const hasQuestion = useApp((s) => (runId ? s.timelineItems.some((i) => i.kind === 'message' && i.role === 'user' && i.runId === runId) : false));
  const [models, setModels] = useState<Models | null>(null);
  const [state, setState] = useState<'idle' | 'trying' | 'sent' | string>('idle');
  useEffect(() => {
    let current = true;
    client.call('providers.status', {}).then(
      (r) => current && setModels(r.models.filter((m) => m.state === 'cooldown')),
      () => current && setModels([]),
    );
    return () => {
      current = false;
    };
  }, [client, version]);
  if (!models) return null;
  const tryNow = async () => {
    setState('trying');
    try {
      await client.call('providers.tryNow', {});
      // The message of that turn goes again as it was: with the result it replied to and its files.
      const asked = runId ? await messageToAskAgain(client, store.getState().timelineItems, runId) : undefined;
      if (asked) await resend(asked.text, asked.options);
      setState('sent');
    } catch (err) {
      setState(`Not sent: ${describeError(err)}`);
    }
  };
  return (
    <div className="cooldown-notice" data-testid="cooldown-notice">
      {models.length ? (
        <ul>
          {models.map((m) => (
            <li key={m.model} data-testid="cooldown-model">
              {m.model} is resting after {m.failures} failed {m.failures === 1 ? 'try' : 'tries'}, until{' '}
              <time data-testid="cooldown-until" dateTime={m.until ? new Date(m.until).toISOString() : undefined}>
                {m.until ? timeFormat(m.until) : 'soon'}
              </time>
              .
            </li>
          ))}
        </ul>
      ) : (
        <p>The model has rested; it will be tried again.</p>
      )}
      {state === 'sent' ? (
        <span className="muted">Sent again.</span>
      ) : (
        <button type="button" className="primary" disabled={state === 'trying'} onClick={() => void tryNow()} data-testid="cooldown-try-now">
          {hasQuestion ? 'Try now' : 'Try the model now'}
        </button>
      )}
      {state !== 'idle' && state !== 'trying' && state !== 'sent' ? <span className="inline-error">{state}</span> : null}
    </div>
  );
}
