import type { ReactNode } from 'react';
import { useApp } from '../store/context.js';

/** A link that opens Settings at one field (`settings-<field>` there) and focuses it. */
export function SettingsLink({ field, children, testId }: { field: string; children: ReactNode; testId?: string }) {
  const navigate = useApp((s) => s.navigate);
  return (
    <button type="button" className="link" data-testid={testId} data-field={field} onClick={() => navigate('settings', field)}>
      {children}
    </button>
  );
}

/** Where the fix for an error of the timeline is in Settings, and what the link says. */
export interface ErrorFix {
  field: string;
  label: string;
}

/**
 * The Settings field that fixes an error, when there is one: a missing or refused key, a server
 * that cannot be reached, a model the provider does not know, a run over its budget.
 */
export function fixForError(code: string, message: string): ErrorFix | null {
  const openai = /\bOpenAI\b|OPENAI_/.test(message);
  const endpoint = /Settings → Providers/.test(message) && !openai;
  switch (code) {
    case 'provider.no_key':
      if (openai) return { field: 'openai-key', label: 'Add your OpenAI key in Settings' };
      if (endpoint) return { field: 'endpoints', label: 'Add the key in Settings' };
      return { field: 'anthropic-key', label: 'Add your Anthropic API key in Settings' };
    case 'provider.auth':
      return openai ? { field: 'openai-key', label: 'Check the OpenAI key in Settings' } : /ollama/i.test(message) ? null : { field: 'anthropic-key', label: 'Check the API key in Settings' };
    case 'provider.unreachable':
      if (/ollama/i.test(message)) return { field: 'ollama-host', label: "Check Ollama's address in Settings" };
      return { field: 'providers', label: "Check the provider's address in Settings" };
    case 'provider.not_found':
      return { field: 'chat-model', label: 'Choose another model in Settings' };
    case 'budget_exceeded':
      return { field: 'budget-tokens', label: 'Change the budget in Settings' };
    default:
      return null;
  }
}

/** Under an error: the link to its fix, when it has one. */
export function ErrorFixLink({ code, message }: { code: string; message: string }) {
  const fix = fixForError(code, message);
  if (!fix) return null;
  return (
    <span className="error-fix">
      <SettingsLink field={fix.field} testId="error-fix">
        {fix.label}
      </SettingsLink>
    </span>
  );
}
