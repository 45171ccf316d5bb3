/** Key shapes redacted wherever text leaves core (logs, errors, exports), whether configured or not. */
const KEY_PATTERNS: RegExp[] = [
  /sk-ant-[A-Za-z0-9_-]{8,}/g,
  /\bsk-[A-Za-z0-9_-]{20,}/g,
  /\b(?:ghp|gho|ghu|ghs|github_pat)_[A-Za-z0-9_]{20,}/g,
  /\bxox[abpr]-[A-Za-z0-9-]{10,}/g,
  /\bAKIA[0-9A-Z]{16}\b/g,
];

/** Replaces known key shapes and every configured secret with `[redacted]`. */
export function createRedactor(secrets: () => string[]): (text: string) => string {
  return (text) => {
    let out = text;
    for (const secret of secrets()) {
      if (secret && secret.length >= 6) out = out.split(secret).join('[redacted]');
    }
    for (const pattern of KEY_PATTERNS) out = out.replace(pattern, '[redacted]');
    return out;
  };
}
