import { useEffect } from 'react';
import { useApp } from '../store/context.js';

/**
 * Which model answers the next message: the default chat model, or any model a configured provider
 * lists (Anthropic, Ollama, OpenAI, added OpenAI-compatible endpoints). The choice stays for later
 * messages until changed.
 */
export function ModelPicker({ disabled }: { disabled?: boolean }) {
  const groups = useApp((s) => s.modelGroups);
  const defaultModel = useApp((s) => s.defaultModel);
  const chosen = useApp((s) => s.composerModel);
  const version = useApp((s) => s.modelsVersion);
  const load = useApp((s) => s.loadModelGroups);
  const choose = useApp((s) => s.setComposerModel);
  // Listing asks every configured provider over the network: not while the window starts and its
  // first turn runs, but a moment later, or at once when the picker is used.
  useEffect(() => {
    const timer = setTimeout(() => void load(), 1500);
    return () => clearTimeout(timer);
  }, [load, version]);
  const listed = new Set(groups.flatMap((g) => g.models));
  return (
    <>
      <label htmlFor="composer-model" className="visually-hidden">
        Model for this message
      </label>
      <select
        id="composer-model"
        className="composer-model"
        data-testid="composer-model"
        value={chosen ?? ''}
        disabled={disabled}
        title={chosen ?? `Default: ${defaultModel ?? '…'}`}
        onFocus={() => void load()}
        onPointerDown={() => void load()}
        onChange={(e) => choose(e.target.value || null)}
      >
        <option value="">Default{defaultModel ? ` (${defaultModel})` : ''}</option>
        {chosen && !listed.has(chosen) ? <option value={chosen}>{chosen}</option> : null}
        {groups.map((g) => (
          <optgroup key={g.provider} label={g.error ? `${g.provider} — not reachable` : g.provider}>
            {g.models.map((m) => (
              <option key={m} value={m}>
                {m}
              </option>
            ))}
            {g.error ? (
              <option disabled value={`${g.provider}:`} title={g.error}>
                {g.error.slice(0, 80)}
              </option>
            ) : null}
          </optgroup>
        ))}
      </select>
    </>
  );
}
