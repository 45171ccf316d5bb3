import { z } from 'zod';
import { EndpointNameSchema, ProviderNameSchema, ProviderUrlSchema, SettingsSchema } from './settings.js';

/** Commands for model providers and OpenAI-compatible endpoints: builders merged into `COMMANDS`, each built on first use. */
export const PROVIDER_COMMANDS = {
  /**
   * Adds an OpenAI-compatible endpoint, or changes one: its base URL and key. `apiKey` left out keeps
   * the stored key, null removes it. The key goes to the secret store, never the database.
   */
  'providers.endpoint.save': () => ({
    args: z
      .object({
        name: EndpointNameSchema,
        baseUrl: ProviderUrlSchema,
        apiKey: z.string().min(1).max(500).nullable().optional(),
      })
      .strict(),
    result: SettingsSchema,
  }),
  /** Removes an added endpoint and its stored key. Models that name it stop answering until it is added again. */
  'providers.endpoint.remove': () => ({ args: z.object({ name: EndpointNameSchema }).strict(), result: SettingsSchema }),
  /** The models a provider offers (`/v1/models`, Ollama's tags, Anthropic's list), as `provider:model` references. */
  'providers.models': () => ({
    args: z.object({ provider: ProviderNameSchema }).strict(),
    result: z.object({ provider: z.string(), models: z.array(z.string()) }),
  }),
} as const;
