import { createPrivateKey, randomBytes, type KeyObject } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { caFromPem, createCa, newEcKey, type Ca } from './pki';

/** Everything the simulator must keep across restarts so that issued credentials stay valid. */
export interface SimKeys {
  ca: Ca;
  /** ES256 key that signs service-account tokens. */
  saKey: KeyObject;
  /** HMAC key of static kubeconfig bearer tokens. */
  tokenSecret: Buffer;
}

export const KEY_FILES = { caCert: 'ca.crt', caKey: 'ca.key', saKey: 'sa.key', tokenSecret: 'token-secret' } as const;

function writeAtomic(file: string, data: string): void {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, data, { mode: 0o600 });
  renameSync(tmp, file);
}

function readOrThrow<T>(file: string, parse: (text: string) => T): T {
  try {
    return parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new Error(`k8s-sim: corrupt or unreadable file ${file}: ${(e as Error).message}`);
  }
}

function loadEcKey(file: string): KeyObject {
  return readOrThrow(file, (t) => {
    const k = createPrivateKey(t);
    if (k.asymmetricKeyType !== 'ec') throw new Error(`expected an EC private key, got ${k.asymmetricKeyType}`);
    return k;
  });
}

/**
 * Loads the CA, the service-account signing key and the token secret from `<stateDir>/k8s-sim/`,
 * creating whichever is missing. A file that exists but does not parse makes this throw, naming the file.
 */
export function loadOrCreateKeys(stateDir: string): SimKeys {
  const dir = join(stateDir, 'k8s-sim');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const f = (n: keyof typeof KEY_FILES) => join(dir, KEY_FILES[n]);

  let ca: Ca;
  const haveCert = existsSync(f('caCert'));
  const haveKey = existsSync(f('caKey'));
  if (haveCert !== haveKey) throw new Error(`k8s-sim: ${haveCert ? f('caKey') : f('caCert')} is missing but ${haveCert ? f('caCert') : f('caKey')} exists; restore it or delete both`);
  if (haveCert) {
    const key = loadEcKey(f('caKey'));
    ca = readOrThrow(f('caCert'), (pem) => caFromPem(pem, key));
  } else {
    const created = createCa('podid-k8s-sim-ca');
    writeAtomic(f('caKey'), created.keyPem);
    writeAtomic(f('caCert'), created.certPem);
    ca = created;
  }

  let saKey: KeyObject;
  if (existsSync(f('saKey'))) saKey = loadEcKey(f('saKey'));
  else {
    const k = newEcKey();
    writeAtomic(f('saKey'), k.keyPem);
    saKey = k.key;
  }

  let tokenSecret: Buffer;
  if (existsSync(f('tokenSecret')))
    tokenSecret = readOrThrow(f('tokenSecret'), (t) => {
      if (!/^[0-9a-f]{64}$/.test(t.trim())) throw new Error('expected 64 hex characters');
      return Buffer.from(t.trim(), 'hex');
    });
  else {
    tokenSecret = randomBytes(32);
    writeAtomic(f('tokenSecret'), `${tokenSecret.toString('hex')}\n`);
  }
  return { ca, saKey, tokenSecret };
}
