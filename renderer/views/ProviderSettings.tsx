import { useState } from 'react';
import type { Endpoint, Settings } from '../../core/contract/index.js';
import { useApp } from '../store/context.js';

type Result = { ok: boolean; detail: string } | 'testing';

function TestResult({ provider, result }: { provider: string; result: Result | undefined }) {
  if (!result) return null;
  if (result === 'testing') return <span className="settings-note">testing…</span>;
  return (
    <span className={result.ok ? 'settings-ok' : 'error-text'} data-testid={`provider-test-${provider}`}>
      {result.ok ? '✓ ' : '✗ '}
      {result.detail}
    </span>
  );
}

/** Test connection and List models for one provider, with what each answered. */
function ProviderChecks({ provider }: { provider: string }) {
  const test = useApp((s) => s.testProvider);
  const list = useApp((s) => s.listModels);
  const [result, setResult] = useState<Result>();
  const [models, setModels] = useState<{ models: string[] } | { error: string } | 'loading' | null>(null);
  return (
    <>
      <button
        type="button"
        data-testid={`test-${provider}`}
        onClick={async () => {
          setResult('testing');
          setResult(await test(provider));
        }}
      >
        Test connection
      </button>
      <button
        type="button"
        data-testid={`list-models-${provider}`}
        onClick={async () => {
          setModels('loading');
          setModels(await list(provider));
        }}
      >
        List models
      </button>
      <TestResult provider={provider} result={result} />
      {models === 'loading' ? <span className="settings-note">listing…</span> : null}
      {models && models !== 'loading' ? (
        'error' in models ? (
          <span className="error-text" data-testid={`models-${provider}`}>
            ✗ {models.error}
          </span>
        ) : (
          <ul className="settings-models" data-testid={`models-${provider}`}>
            {models.models.length ? models.models.map((m) => <li key={m}>{m}</li>) : <li>no models listed</li>}
          </ul>
        )
      ) : null}
    </>
  );
}

/** OpenAI itself: its key (secret store or OPENAI_API_KEY) and an optional base URL. */
export function OpenAIProviderSettings({ settings }: { settings: Settings }) {
  const save = useApp((s) => s.saveSettings);
  const [key, setKey] = useState('');
  const [baseUrl, setBaseUrl] = useState(settings.providers.openai.baseUrl ?? '');
  const source = { settings: 'stored in the secret store', env: 'from OPENAI_API_KEY', none: 'not set' }[settings.providers.openai.apiKeySource];
  return (
    <>
      <h3>OpenAI</h3>
      <p className="settings-note" data-testid="openai-key-source">
        API key: {source}. Models are written openai:MODEL, e.g. openai:gpt-4.1.
      </p>
      <form
        className="settings-row"
        onSubmit={async (e) => {
          e.preventDefault();
          if (key.trim() && (await save({ openaiApiKey: key.trim() }))) setKey('');
        }}
      >
        <label>
          New API key
          <input type="password" autoComplete="off" value={key} onChange={(e) => setKey(e.target.value)} data-testid="openai-key" placeholder="sk-…" />
        </label>
        <button type="submit" disabled={!key.trim()} data-testid="save-openai-key">
          Save OpenAI key
        </button>
        {settings.providers.openai.apiKeySource === 'settings' ? (
          <button type="button" onClick={() => void save({ openaiApiKey: null })}>
            Remove stored OpenAI key
          </button>
        ) : null}
      </form>
      <div className="settings-row">
        <label>
          Base URL (empty: OpenAI)
          <input value={baseUrl} onChange={(e) => setBaseUrl(e.target.value)} placeholder="https://api.openai.com/v1" data-testid="openai-base-url" />
        </label>
        <button type="button" onClick={() => void save({ openaiBaseUrl: baseUrl.trim() || null })}>
          Save OpenAI URL
        </button>
        <ProviderChecks provider="openai" />
      </div>
    </>
  );
}

/** OpenAI-compatible endpoints added by name: LM Studio, llama.cpp, vLLM, LocalAI, OpenRouter, … */
export function EndpointSettings({ settings }: { settings: Settings }) {
  const saveEndpoint = useApp((s) => s.saveEndpoint);
  const [name, setName] = useState('');
  const [baseUrl, setBaseUrl] = useState('');
  const [key, setKey] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  return (
    <>
      <h3>OpenAI-compatible endpoints</h3>
      <p className="settings-note">
        A local server (LM Studio, llama.cpp, vLLM, LocalAI) or a gateway (OpenRouter) that speaks the OpenAI API. Its models are written NAME:model, e.g.
        lmstudio:qwen2.5-7b-instruct. A key is optional; it is kept in the secret store.
      </p>
      {settings.providers.endpoints.length ? (
        <ul className="settings-endpoints" data-testid="endpoints">
          {settings.providers.endpoints.map((e) => (
            <EndpointRow key={e.name} endpoint={e} />
          ))}
        </ul>
      ) : null}
      <form
        className="settings-row"
        data-testid="add-endpoint"
        onSubmit={async (e) => {
          e.preventDefault();
          const error = await saveEndpoint({ name: name.trim(), baseUrl: baseUrl.trim(), ...(key.trim() ? { apiKey: key.trim() } : {}) });
          setProblem(error);
          if (!error) {
            setName('');
            setBaseUrl('');
            setKey('');
          }
        }}
      >
        <label>
          Name
          <input value={name} onChange={(e) => setName(e.target.value)} placeholder="lmstudio" data-testid="endpoint-name" />
        </label>
        <label>
          Base URL
          <input value={baseUrl} onChange={(e) => setBaseUrl(e.target.value)} placeholder="http://127.0.0.1:1234/v1" data-testid="endpoint-url" />
        </label>
        <label>
          API key (optional)
          <input type="password" autoComplete="off" value={key} onChange={(e) => setKey(e.target.value)} data-testid="endpoint-key" />
        </label>
        <button type="submit" disabled={!name.trim() || !baseUrl.trim()} data-testid="endpoint-add">
          Add endpoint
        </button>
      </form>
      {problem ? (
        <p className="error-text" role="alert" data-testid="endpoint-error">
          {problem}
        </p>
      ) : null}
    </>
  );
}

function EndpointRow({ endpoint }: { endpoint: Endpoint }) {
  const remove = useApp((s) => s.removeEndpoint);
  const save = useApp((s) => s.saveEndpoint);
  const [key, setKey] = useState('');
  return (
    <li className="settings-row" data-testid={`endpoint-${endpoint.name}`}>
      <strong>{endpoint.name}</strong> <span className="settings-note">{endpoint.baseUrl}</span>{' '}
      <span className="settings-note">key: {endpoint.apiKeySource === 'settings' ? 'stored' : 'none'}</span>
      <ProviderChecks provider={endpoint.name} />
      <input type="password" autoComplete="off" value={key} onChange={(e) => setKey(e.target.value)} aria-label={`New key for ${endpoint.name}`} placeholder="new key" />
      <button
        type="button"
        disabled={!key.trim()}
        onClick={async () => {
          if (!(await save({ name: endpoint.name, baseUrl: endpoint.baseUrl, apiKey: key.trim() }))) setKey('');
        }}
      >
        Save {endpoint.name} key
      </button>
      {endpoint.apiKeySource === 'settings' ? (
        <button type="button" onClick={() => void save({ name: endpoint.name, baseUrl: endpoint.baseUrl, apiKey: null })}>
          Remove {endpoint.name} key
        </button>
      ) : null}
      <button type="button" onClick={() => void remove(endpoint.name)} data-testid={`remove-endpoint-${endpoint.name}`}>
        Remove {endpoint.name}
      </button>
    </li>
  );
}
