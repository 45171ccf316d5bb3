import { z } from 'zod';

/** A model reference: `provider:model`, e.g. `anthropic:claude-sonnet-5-5` or `ollama:llama3.2`. */
export const ModelRefSchema = z
  .string()
  .regex(/^(anthropic|ollama):[\w.:\-/]+$/, 'a model is written provider:model, e.g. anthropic:claude-sonnet-5-5');

/** Settings as clients see them. Secrets are never sent back; only whether one is set. */
export const SettingsSchema = z.object({
  providers: z.object({
    anthropic: z.object({
      baseUrl: z.string().nullable(),
      /** Where the key in use comes from. */
      apiKeySource: z.enum(['settings', 'env', 'none']),
    }),
    ollama: z.object({ host: z.string() }),
  }),
  models: z.object({ chat: ModelRefSchema }),
  /** The desktop app's own preferences (the headless host ignores them). */
  desktop: z.object({
    /** Spell checking in the window; off by default (on Windows and Linux it downloads dictionaries from Google). */
    spellcheck: z.boolean(),
  }),
});
export type Settings = z.infer<typeof SettingsSchema>;

/** A change to settings. `anthropicApiKey: null` removes a stored key. */
export const SettingsPatchSchema = z
  .object({
    anthropicBaseUrl: z.string().url().nullable(),
    anthropicApiKey: z.string().min(1).max(500).nullable(),
    ollamaHost: z.string().url(),
    chatModel: ModelRefSchema,
    spellcheck: z.boolean(),
  })
  .partial()
  .strict();
export type SettingsPatch = z.infer<typeof SettingsPatchSchema>;
