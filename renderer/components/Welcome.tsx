import { useEffect, useState } from 'react';
import type { Settings } from '../../core/contract/index.js';
import { useApp, useClient } from '../store/context.js';
import { SettingsLink } from './SettingsLink.js';

/** What the default model still needs before a message can be answered, or null when nothing. */
export function missingSetup(settings: Settings): 'anthropic-key' | 'openai-key' | 'endpoint' | null {
  const provider = settings.models.chat.split(':')[0];
  if (provider === 'anthropic') return settings.providers.anthropic.apiKeySource === 'none' ? 'anthropic-key' : null;
  if (provider === 'openai') return settings.providers.openai.apiKeySource === 'none' ? 'openai-key' : null;
  if (provider === 'ollama') return null;
  return settings.providers.endpoints.some((e) => e.name === provider) ? null : 'endpoint';
}

/**
 * The empty conversation. On a first run it says what to set up — an Anthropic key, or a local model
 * through Ollama — with links that open the Settings field; once a model can answer, it says which.
 */
export function Welcome() {
  const client = useClient();
  const version = useApp((s) => s.settingsVersion);
  const [settings, setSettings] = useState<Settings | null>(null);
  useEffect(() => {
    let current = true;
    client.call('settings.get', {}).then(
      (s) => current && setSettings(s),
      () => undefined,
    );
    return () => {
      current = false;
    };
  }, [client, version]);
  const missing = settings ? missingSetup(settings) : null;
  if (settings && missing) {
    return (
      <div className="timeline-state welcome" data-testid="empty-state" data-setup="needed">
        <h2 className="empty-title">Welcome to Agent Blob</h2>
        <p className="empty-hint">Before it can answer, it needs a model. Choose one way:</p>
        <ol className="welcome-steps">
          {missing === 'openai-key' ? (
            <li>
              <SettingsLink field="openai-key" testId="welcome-openai-key">
                Add your OpenAI API key
              </SettingsLink>{' '}
              — the default model is {settings.models.chat}.
            </li>
          ) : missing === 'endpoint' ? (
            <li>
              <SettingsLink field="endpoints" testId="welcome-endpoint">
                Add the endpoint {settings.models.chat.split(':')[0]}
              </SettingsLink>{' '}
              — the default model {settings.models.chat} names it.
            </li>
          ) : (
            <li>
              <SettingsLink field="anthropic-key" testId="welcome-anthropic-key">
                Add your Anthropic API key
              </SettingsLink>{' '}
              to talk to Claude. You get one at console.anthropic.com; it stays on this computer.
            </li>
          )}
          <li>
            Or use a model on this computer with Ollama:{' '}
            <SettingsLink field="ollama-host" testId="welcome-ollama">
              check its address
            </SettingsLink>
            , then{' '}
            <SettingsLink field="chat-model" testId="welcome-chat-model">
              make one of its models the default
            </SettingsLink>{' '}
            (for example ollama:llama3.2).
          </li>
        </ol>
      </div>
    );
  }
  return (
    <div className="timeline-state welcome" data-testid="empty-state" data-setup={settings ? 'done' : 'unknown'}>
      <p className="empty-title">Say hello…</p>
      <p className="empty-hint">
        Your conversation with Agent Blob appears here. Replies stream in as they are written
        {settings ? (
          <>
            , from <span data-testid="welcome-model">{settings.models.chat}</span> unless you pick another model below
          </>
        ) : null}
        .
      </p>
    </div>
  );
}
