import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TlsMaterial } from '@podid/config';

export function tmpDir(prefix = 'podid-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Writes TLS material to files and returns the env vars services read. */
export function writeTlsEnv(dir: string, service: string, tls: TlsMaterial): Record<string, string> {
  const f = (name: string, text: string) => {
    const p = join(dir, `${service}-${name}.pem`);
    writeFileSync(p, text, { mode: 0o600 });
    return p;
  };
  return { PODID_TLS_CA_FILE: f('ca', tls.caPem), PODID_TLS_CERT_FILE: f('cert', tls.certPem), PODID_TLS_KEY_FILE: f('key', tls.keyPem) };
}
