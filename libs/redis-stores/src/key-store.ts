import type { KeyRing } from '@podid/tokens';

/** The token signing keys as persisted: the ring plus each key's PKCS#8 PEM, by kid. */
export interface StoredKeys {
  readonly version: 1;
  readonly ring: KeyRing;
  readonly privateKeys: Readonly<Record<string, string>>;
}

/** Where signing keys survive restarts. Implementations never log key material. */
export interface KeyStore {
  /** Names the store for logs (a path or namespace/name), never its content. */
  readonly description: string;
  load(): Promise<StoredKeys | undefined>;
  save(keys: StoredKeys): Promise<void>;
}

/** Checks the shape of stored keys read back from disk or a Secret. */
export function parseStoredKeys(text: string, source: string): StoredKeys {
  let v: Partial<StoredKeys>;
  try {
    v = JSON.parse(text) as Partial<StoredKeys>;
  } catch {
    throw new Error(`${source}: signing keys are not JSON`);
  }
  if (v.version !== 1 || !v.ring || !Array.isArray(v.ring.keys) || !v.privateKeys || typeof v.privateKeys !== 'object') {
    throw new Error(`${source}: expected {version:1, ring:{keys:[]}, privateKeys:{}}`);
  }
  for (const k of v.ring.keys) {
    if (typeof v.privateKeys[k.kid] !== 'string') throw new Error(`${source}: no private key for kid ${k.kid}`);
  }
  return v as StoredKeys;
}
