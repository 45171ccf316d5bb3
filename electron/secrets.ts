import { existsSync, readFileSync } from 'node:fs';
import { createFileSecretStore, type SecretStore } from '../core/secrets/index.js';
import type { DesktopApi } from './api.js';

/**
 * API keys encrypted with the OS keychain through safeStorage, in their own file next to the
 * headless host's plain 0600 file: the host cannot decrypt them, and a plain value must never be
 * read as ciphertext. Keys the host stored before are imported once. Without a usable keychain the
 * desktop app uses the plain 0600 file, as the host does, and the health check warns about it.
 */
export function createDesktopSecretStore(safeStorage: DesktopApi['safeStorage'], plainFile: string, platform: NodeJS.Platform = process.platform): SecretStore {
  // On Linux without a keyring Electron "encrypts" with a hard-coded key; that is not protection.
  const backend = safeStorage.getSelectedStorageBackend?.();
  const available = safeStorage.isEncryptionAvailable() && !(platform === 'linux' && backend === 'basic_text');
  if (!available) {
    const reason = platform === 'linux' ? 'no keyring (Secret Service or KWallet) is available' : 'the OS keychain is not available';
    const plain = createFileSecretStore(plainFile);
    const warning = `API keys are stored unencrypted (mode 0600) because ${reason}`;
    return { ...plain, description: `${plain.description}; ${warning}`, warning };
  }
  const encryptedFile = `${plainFile.replace(/\.json$/, '')}.safe.json`;
  const fresh = !existsSync(encryptedFile);
  const store = createFileSecretStore(encryptedFile, {
    encode: (value) => safeStorage.encryptString(value).toString('base64'),
    decode: (value) => safeStorage.decryptString(Buffer.from(value, 'base64')),
  });
  if (fresh) {
    for (const [name, value] of Object.entries(readPlain(plainFile))) store.set(name, value);
  }
  return { ...store, description: `${store.description} with the OS keychain (safeStorage)` };
}

function readPlain(file: string): Record<string, string> {
  if (!existsSync(file)) return {};
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as unknown;
    if (typeof parsed !== 'object' || parsed === null) return {};
    return Object.fromEntries(Object.entries(parsed).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
  } catch {
    return {};
  }
}
