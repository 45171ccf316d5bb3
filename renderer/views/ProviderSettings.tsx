import { useState, type ReactNode } from 'react';
import { SettingsPatchSchema, type Endpoint, type Settings, type SettingsPatch } from '../../core/contract/index.js';
import { useApp } from '../store/context.js';
import { Field, SaveForm, useSectionSave } from './settingsFields.js';

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
  const list = useApp((s) => s.listModels);
  const [models, setModels] = useState<{ models: string[] } | { error: string } | 'loading' | null>(null);
  return (
    <>
      <ProviderTest provider={provider} />
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

const KEY_SOURCE = { settings: 'stored in the secret store', none: 'not set' } as const;

type KeyPatch = 'anthropicApiKey' | 'openaiApiKey';
type UrlPatch = 'anthropicBaseUrl' | 'openaiBaseUrl';

/** A hosted provider's two forms: a new API key (kept in the secret store) and an optional base URL. */
function KeyAndUrlForms(props: {
  provider: 'anthropic' | 'openai';
  keyPatch: KeyPatch;
  urlPatch: UrlPatch;
  storedKey: boolean;
  initialBaseUrl: string | null;
  keyPlaceholder: string;
  keyHint?: string;
  saveKeyLabel: string;
  removeKeyLabel: string;
  urlLabel: string;
  urlPlaceholder: string;
  saveUrlLabel: string;
  /** The connection test shown beside the URL. */
  checks: ReactNode;
}) {
  const save = useApp((s) => s.saveSettings);
  const keyForm = useSectionSave<SettingsPatch>(SettingsPatchSchema, save);
  const urlForm = useSectionSave<SettingsPatch>(SettingsPatchSchema, save);
  const [key, setKey] = useState('');
  const [baseUrl, setBaseUrl] = useState(props.initialBaseUrl ?? '');
  const { provider } = props;
  return (
    <>
      <SaveForm
        form={keyForm}
        onSave={async () => {
          if (key.trim() && (await keyForm.submit({ [props.keyPatch]: key.trim() }))) setKey('');
        }}
        saveLabel={props.saveKeyLabel}
        saveTestId={`save-${provider}-key`}
        saveDisabled={!key.trim()}
        statusTestId={`${provider}-key-status`}
        beside={
          props.storedKey ? (
            <button type="button" onClick={() => void keyForm.submit({ [props.keyPatch]: null })}>
              {props.removeKeyLabel}
            </button>
          ) : null
        }
      >
        <Field
          field={`${provider}-key`}
          label="New API key"
          type="password"
          autoComplete="off"
          value={key}
          onChange={(e) => setKey(e.target.value)}
          placeholder={props.keyPlaceholder}
          hint={props.keyHint}
          problem={keyForm.problem(props.keyPatch)}
        />
      </SaveForm>
      <SaveForm form={urlForm} onSave={() => urlForm.submit({ [props.urlPatch]: baseUrl.trim() || null })} saveLabel={props.saveUrlLabel} beside={props.checks}>
        <Field
          field={`${provider}-base-url`}
          label={props.urlLabel}
          value={baseUrl}
          onChange={(e) => setBaseUrl(e.target.value)}
          placeholder={props.urlPlaceholder}
          problem={urlForm.problem(props.urlPatch)}
        />
      </SaveForm>
    </>
  );
}

/** Anthropic: its key (secret store or ANTHROPIC_API_KEY) and an optional base URL. */
export function AnthropicSettings({ settings }: { settings: Settings }) {
  const { anthropic } = settings.providers;
  const source = anthropic.apiKeySource === 'env' ? 'from ANTHROPIC_API_KEY' : KEY_SOURCE[anthropic.apiKeySource];
  return (
    <>
      <h3>Anthropic</h3>
      <p className="settings-note" data-testid="anthropic-key-source">
        API key: {source}
      </p>
      <KeyAndUrlForms
        provider="anthropic"
        keyPatch="anthropicApiKey"
        urlPatch="anthropicBaseUrl"
        storedKey={anthropic.apiKeySource === 'settings'}
        initialBaseUrl={anthropic.baseUrl}
        keyPlaceholder="sk-ant-…"
        keyHint="From console.anthropic.com → API keys. It is kept in this computer's secret store."
        saveKeyLabel="Save key"
        removeKeyLabel="Remove stored key"
        urlLabel="Base URL (empty: Anthropic)"
        urlPlaceholder="https://api.anthropic.com"
        saveUrlLabel="Save"
        checks={<ProviderTest provider="anthropic" />}
      />
    </>
  );
}

/** Ollama: the address of the local server. */
export function OllamaSettings({ settings }: { settings: Settings }) {
  const save = useApp((s) => s.saveSettings);
  const form = useSectionSave<SettingsPatch>(SettingsPatchSchema, save);
  const [host, setHost] = useState(settings.providers.ollama.host);
  return (
    <>
      <h3>Ollama</h3>
      <p className="settings-note">
        Runs models on this computer, no key needed (ollama.com). Then choose one of its models as the default model below, written ollama:MODEL, e.g.
        ollama:llama3.2.
      </p>
      <SaveForm form={form} onSave={() => form.submit({ ollamaHost: host.trim() })} saveLabel="Save" saveTestId="save-ollama-host" beside={<ProviderChecks provider="ollama" />}>
        <Field field="ollama-host" label="Address" value={host} onChange={(e) => setHost(e.target.value)} problem={form.problem('ollamaHost')} />
      </SaveForm>
    </>
  );
}

/** Test connection alone, for the providers whose models are not listed here. */
function ProviderTest({ provider }: { provider: string }) {
  const test = useApp((s) => s.testProvider);
  const [result, setResult] = useState<Result>();
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
      <TestResult provider={provider} result={result} />
    </>
  );
}

/** OpenAI itself: its key (secret store or OPENAI_API_KEY) and an optional base URL. */
export function OpenAIProviderSettings({ settings }: { settings: Settings }) {
  const { openai } = settings.providers;
  const source = openai.apiKeySource === 'env' ? 'from OPENAI_API_KEY' : KEY_SOURCE[openai.apiKeySource];
  return (
    <>
      <h3>OpenAI</h3>
      <p className="settings-note" data-testid="openai-key-source">
        API key: {source}. Models are written openai:MODEL, e.g. openai:gpt-4.1.
      </p>
      <KeyAndUrlForms
        provider="openai"
        keyPatch="openaiApiKey"
        urlPatch="openaiBaseUrl"
        storedKey={openai.apiKeySource === 'settings'}
        initialBaseUrl={openai.baseUrl}
        keyPlaceholder="sk-…"
        saveKeyLabel="Save OpenAI key"
        removeKeyLabel="Remove stored OpenAI key"
        urlLabel="Base URL (empty: OpenAI)"
        urlPlaceholder="https://api.openai.com/v1"
        saveUrlLabel="Save OpenAI URL"
        checks={<ProviderChecks provider="openai" />}
      />
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
      <h3 id="settings-endpoints" tabIndex={-1}>
        OpenAI-compatible endpoints
      </h3>
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
