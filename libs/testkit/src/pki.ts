import type { TlsMaterial } from '@podid/config';
import { createCa, issueServiceCert, type CertAndKey } from '@podid/x509';

export interface TestPki {
  readonly ca: CertAndKey;
  /** mTLS material for a service, trusting this PKI's CA. */
  tls(service: string): Promise<TlsMaterial>;
}

/** A throwaway CA for internal mTLS, made fresh for each suite. */
export async function makeTestPki(name = 'test'): Promise<TestPki> {
  const now = new Date();
  const ca = await createCa({ commonName: `podid ${name} CA`, now, ttlMs: 86_400_000 });
  const cache = new Map<string, Promise<TlsMaterial>>();
  return {
    ca,
    tls(service) {
      let p = cache.get(service);
      if (!p) {
        p = issueServiceCert({ ca, service, now, ttlMs: 86_400_000 }).then((c) => ({ caPem: ca.certPem, certPem: c.certPem, keyPem: c.keyPem }));
        cache.set(service, p);
      }
      return p;
    },
  };
}
