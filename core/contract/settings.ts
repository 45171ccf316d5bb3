import { z } from 'zod';

/**
 * A model reference: `provider:model`, e.g. `anthropic:claude-sonnet-5-5`, `ollama:llama3.2`,
 * `openai:gpt-4.1` or `lmstudio:qwen2.5-7b-instruct` (an endpoint added in Settings).
 */
export const ModelRefSchema = z
  .string()
  .max(300)
  .regex(/^[a-z][a-z0-9_-]{0,31}:[\w.:\-/@+]+$/, 'a model is written provider:model, e.g. anthropic:claude-sonnet-5-5 or openai:gpt-4.1');

/** The name of a provider: `anthropic`, `ollama`, `openai`, or an added OpenAI-compatible endpoint. */
export const ProviderNameSchema = z.string().regex(/^[a-z][a-z0-9_-]{0,31}$/, 'a provider name is lowercase letters, digits, - and _ (at most 32), starting with a letter');

/** A name for a new OpenAI-compatible endpoint; the built-in providers' names are taken. */
export const EndpointNameSchema = ProviderNameSchema.refine((n) => !['anthropic', 'ollama', 'openai'].includes(n), 'anthropic, ollama and openai are built in: choose another name');

/** An OpenAI-compatible endpoint the user added, as clients see it (never its key). */
export const EndpointSchema = z.object({
  name: z.string(),
  /** Up to and including `/v1`, e.g. http://127.0.0.1:1234/v1. */
  baseUrl: z.string(),
  apiKeySource: z.enum(['settings', 'none']),
});
export type Endpoint = z.infer<typeof EndpointSchema>;

/**
 * Why `url` cannot be a model provider's address, or null when it can: http:// or https:// with a
 * host, and no user name or password (a key goes in its own field, stored outside the database,
 * while an address is stored and shown as it is).
 */
export function providerUrlProblem(url: string): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'the address is not a URL; write it like http://127.0.0.1:11434 or https://api.example.com/v1';
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return `the address starts with http:// or https://, not ${parsed.protocol}`;
  if (!parsed.hostname) return 'the address names no host';
  if (parsed.username || parsed.password) return 'the address holds a user name or password; put a key in its own field instead';
  return null;
}

/** A model provider's address: http or https, at most 2,000 characters, no credentials in it. */
export const ProviderUrlSchema = z
  .string()
  .max(2000)
  .superRefine((value, ctx) => {
    const problem = providerUrlProblem(value);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

/** Settings as clients see them. Secrets are never sent back; only whether one is set. */
export const SettingsSchema = z.object({
  providers: z.object({
    anthropic: z.object({
      baseUrl: z.string().nullable(),
      /** Where the key in use comes from. */
      apiKeySource: z.enum(['settings', 'env', 'none']),
    }),
    ollama: z.object({ host: z.string() }),
    /** OpenAI itself (or whatever `baseUrl` points at), used by `openai:` models. */
    openai: z.object({
      baseUrl: z.string().nullable(),
      apiKeySource: z.enum(['settings', 'env', 'none']),
    }),
    /** OpenAI-compatible endpoints added by name (LM Studio, llama.cpp, vLLM, OpenRouter, …), in name order. */
    endpoints: z.array(EndpointSchema),
  }),
  models: z.object({ chat: ModelRefSchema }),
  /** The desktop app's own preferences (the headless host ignores them). */
  desktop: z.object({
    /** Spell checking in the window; off by default (on Windows and Linux it downloads dictionaries from Google). */
    spellcheck: z.boolean(),
    /** Start the app (hidden, in the tray) when the person logs in, so schedules run after a reboot. Off by default. */
    startAtLogin: z.boolean(),
  }),
});
export type Settings = z.infer<typeof SettingsSchema>;

/** A change to settings. `anthropicApiKey: null` (or `openaiApiKey: null`) removes a stored key. */
export const SettingsPatchSchema = z
  .object({
    anthropicBaseUrl: ProviderUrlSchema.nullable(),
    anthropicApiKey: z.string().min(1).max(500).nullable(),
    ollamaHost: ProviderUrlSchema,
    openaiBaseUrl: ProviderUrlSchema.nullable(),
    openaiApiKey: z.string().min(1).max(500).nullable(),
    chatModel: ModelRefSchema,
    spellcheck: z.boolean(),
    startAtLogin: z.boolean(),
  })
  .partial()
  .strict();
export type SettingsPatch = z.infer<typeof SettingsPatchSchema>;
