// Which builds will be signed and notarised, from the environment electron-builder reads
// (docs/desktop.md lists the variables), and the warning an unsigned build ends with.

type Env = Record<string, string | undefined>;

const has = (env: Env, ...names: string[]) => names.every((name) => Boolean(env[name]?.trim()));

/** How macOS builds will be notarised, or null when no credentials are set. */
export function notarisationCredentials(env: Env): string | null {
  if (has(env, 'APPLE_API_KEY', 'APPLE_API_KEY_ID', 'APPLE_API_ISSUER')) return 'App Store Connect API key (APPLE_API_KEY)';
  if (has(env, 'APPLE_ID', 'APPLE_APP_SPECIFIC_PASSWORD', 'APPLE_TEAM_ID')) return 'Apple ID (APPLE_ID)';
  if (has(env, 'APPLE_KEYCHAIN_PROFILE')) return 'notarytool keychain profile (APPLE_KEYCHAIN_PROFILE)';
  return null;
}

/** What signing the requested builds will get: notes printed before the build. */
export function signingPlan(targets: { platform: string }[], env: Env): { notes: string[] } {
  const notes: string[] = [];
  const platforms = new Set(targets.map((t) => t.platform));
  if (platforms.has('darwin')) {
    const identity = has(env, 'CSC_LINK') ? 'the certificate in CSC_LINK' : has(env, 'CSC_NAME') ? `the keychain identity "${env.CSC_NAME}"` : null;
    notes.push(identity ? `macOS: signing with ${identity}.` : 'macOS: no CSC_LINK or CSC_NAME set; a "Developer ID Application" identity in the login keychain is used if there is one, else the app is unsigned.');
    const notary = notarisationCredentials(env);
    notes.push(notary ? `macOS: notarising with the ${notary}.` : 'macOS: NOT notarised (set APPLE_API_KEY, APPLE_API_KEY_ID and APPLE_API_ISSUER): Gatekeeper will refuse to open the app.');
  }
  if (platforms.has('win32')) {
    notes.push(has(env, 'WIN_CSC_LINK') || has(env, 'CSC_LINK') ? 'Windows: signing with the certificate in WIN_CSC_LINK / CSC_LINK.' : 'Windows: no WIN_CSC_LINK or CSC_LINK set: the installer and app will be unsigned.');
  }
  if (platforms.has('linux')) notes.push('Linux: AppImage and .deb are not signed (publish checksums, or sign your apt repository).');
  return { notes };
}

/** The banner an unsigned macOS or Windows build ends with. */
export function unsignedWarning(builds: string[]): string {
  const line = '!'.repeat(78);
  return [
    line,
    `!!  UNSIGNED BUILD: ${builds.join(', ')}`,
    '!!  macOS: Gatekeeper refuses to open it ("cannot be opened because the developer cannot be',
    '!!  verified"); updates cannot be applied. Windows: SmartScreen warns before it runs.',
    '!!  Fine for testing on your own machine; do not publish it. Signing: docs/desktop.md.',
    line,
  ].join('\n');
}
