import { X509Certificate, createPrivateKey } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createCa, issueServiceCert, type CertAndKey } from '@podid/x509';

const YEAR_MS = 365 * 86_400_000;

/** Raised when a state file exists but cannot be used; names the file. */
export class CorruptStateError extends Error {
  constructor(readonly file: string, reason: string) {
    super(`${file}: ${reason}. Fix or delete this file (or the whole state dir) to start fresh.`);
    this.name = 'CorruptStateError';
  }
}

/** Writes a file atomically (temp, then rename), so a crash never leaves half a key. */
export function writeAtomic(path: string, text: string, mode = 0o644): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, text, { mode });
  renameSync(tmp, path);
}

/**
 * Loads the CA stored as <dir>/<name>.pem + <name>-key.pem, or creates it on
 * first start. A second start with the same state dir reuses the keys.
 */
export async function loadOrCreateCa(dir: string, name: string, commonName: string): Promise<CertAndKey> {
  mkdirSync(dir, { recursive: true });
  const certFile = join(dir, `${name}.pem`);
  const keyFile = join(dir, `${name}-key.pem`);
  if (existsSync(certFile) || existsSync(keyFile)) {
    const certPem = readOrThrow(certFile);
    const keyPem = readOrThrow(keyFile);
    let cert: X509Certificate;
    try {
      cert = new X509Certificate(certPem);
    } catch {
      throw new CorruptStateError(certFile, 'not a PEM certificate');
    }
    try {
      if (!cert.checkPrivateKey(createPrivateKey(keyPem))) throw new CorruptStateError(keyFile, `key does not match ${certFile}`);
    } catch (e) {
      if (e instanceof CorruptStateError) throw e;
      throw new CorruptStateError(keyFile, 'not a PEM private key');
    }
    if (!cert.ca) throw new CorruptStateError(certFile, 'not a CA certificate');
    if (new Date(cert.validTo).getTime() < Date.now()) throw new CorruptStateError(certFile, `expired on ${cert.validTo}`);
    return { certPem, keyPem };
  }
  const ca = await createCa({ commonName, now: new Date(), ttlMs: 5 * YEAR_MS });
  writeAtomic(keyFile, ca.keyPem, 0o600);
  writeAtomic(certFile, ca.certPem);
  return ca;
}

function readOrThrow(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    throw new CorruptStateError(file, `cannot read (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
}

/** Issues a fresh short-lived certificate for a service and writes it beside its key. */
export async function writeServiceCert(ca: CertAndKey, dir: string, service: string): Promise<{ certFile: string; keyFile: string }> {
  mkdirSync(dir, { recursive: true });
  const c = await issueServiceCert({ ca, service, now: new Date(), ttlMs: 30 * 86_400_000 });
  const certFile = join(dir, `${service}.pem`);
  const keyFile = join(dir, `${service}-key.pem`);
  writeAtomic(keyFile, c.keyPem, 0o600);
  writeAtomic(certFile, c.certPem);
  return { certFile, keyFile };
}
