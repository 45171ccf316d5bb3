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
    anthropicBaseUrl: z.string().url().nullable(),
    anthropicApiKey: z.string().min(1).max(500).nullable(),
    ollamaHost: z.string().url(),
    openaiBaseUrl: z.string().url().nullable(),
    openaiApiKey: z.string().min(1).max(500).nullable(),
    chatModel: ModelRefSchema,
    spellcheck: z.boolean(),
    startAtLogin: z.boolean(),
  })
  .partial()
  .strict();
export type SettingsPatch = z.infer<typeof SettingsPatchSchema>;
