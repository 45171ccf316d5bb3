/** Key shapes redacted wherever text leaves core (logs, errors, exports), whether configured or not. */
const KEY_PATTERNS: RegExp[] = [
  /sk-ant-[A-Za-z0-9_-]{8,}/g,
  /\bsk-[A-Za-z0-9_-]{20,}/g,
  /\b(?:ghp|gho|ghu|ghs|github_pat)_[A-Za-z0-9_]{20,}/g,
  /\bxox[abpr]-[A-Za-z0-9-]{10,}/g,
  /\bAKIA[0-9A-Z]{16}\b/g,
];

/** Configured secrets shorter than this are not searched for: they would mask ordinary words. */
export const MIN_SECRET_LENGTH = 6;

/** Masks secrets in one text; `batch()` gives one that reads the configured secrets once for many texts. */
export interface Redactor {
  (text: string): string;
  /**
   * The same masking with the configured secrets read once, now: for the strings of one value
   * (an event's fields), so a value of many strings does not list every secret per string. Use it
   * at once and drop it: a key set later is not in it.
   */
  batch(): (text: string) => string;
}

/**
 * Replaces every configured secret (whatever it looks like) and every known key shape with
 * `[redacted]`. Longer secrets are replaced first, so one that contains another is masked whole.
 */
export function createRedactor(secrets: () => readonly (string | null | undefined)[]): Redactor {
  const known = () =>
    secrets()
      .filter((s): s is string => typeof s === 'string' && s.length >= MIN_SECRET_LENGTH)
      .sort((a, b) => b.length - a.length);
  const maskWith = (list: () => readonly string[]) => (text: string) => {
    if (!text) return text;
    let out = text;
    for (const secret of list()) if (out.includes(secret)) out = out.split(secret).join('[redacted]');
    for (const pattern of KEY_PATTERNS) out = out.replace(pattern, '[redacted]');
    return out;
  };
  const redact = maskWith(known) as Redactor;
  redact.batch = () => {
    let list: readonly string[] | null = null;
    return maskWith(() => (list ??= known()));
  };
  return redact;
}

/** Every string inside `value` (objects and arrays walked) passed through `redact`; other values unchanged. */
export function redactDeep<T>(value: T, redact: ((text: string) => string) | Redactor): T {
  return redactEach(value, 'batch' in redact ? redact.batch() : redact);
}

function redactEach<T>(value: T, redact: (text: string) => string): T {
  if (typeof value === 'string') return redact(value) as T;
  if (Array.isArray(value)) {
    let changed = false;
    const out = value.map((item) => {
      const next = redactEach(item, redact);
      changed ||= next !== item;
      return next;
    });
    return (changed ? out : value) as T;
  }
  if (value && typeof value === 'object') {
    let changed = false;
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      const next = redactEach(item, redact);
      changed ||= next !== item;
      out[key] = next;
    }
    return (changed ? out : value) as T;
  }
  return value;
}

/** Environment variables that hold keys for providers (`ANTHROPIC_API_KEY`, `OPENAI_API_KEY`, …). */
export function keysFromEnv(env: NodeJS.ProcessEnv): string[] {
  return Object.entries(env)
    .filter(([name, value]) => /_API_KEY$/i.test(name) && typeof value === 'string' && value.length > 0)
    .map(([, value]) => value as string);
}
