import { stringify } from 'yaml';
import { issueCert, newEcKey, type Ca } from './pki';
import { makeStaticToken } from './tokens';

/** Lifetime of client certificates in generated kubeconfigs. */
const CLIENT_CERT_TTL_MS = 365 * 86400_000;

export interface KubeconfigUser {
  user: string;
  groups?: string[];
  auth?: 'cert' | 'token';
}

const b64 = (s: string) => Buffer.from(s).toString('base64');

/** A kubeconfig for `url`, trusting the sim CA, authenticating as `u` with a fresh client certificate or a static token. */
export function buildKubeconfig(url: string, ca: Ca, tokenSecret: Buffer, u: KubeconfigUser): string {
  const groups = u.groups ?? [];
  let user: Record<string, string>;
  if (u.auth === 'token') user = { token: makeStaticToken(tokenSecret, u.user, groups) };
  else {
    const k = newEcKey();
    const cert = issueCert(ca, { spkiDer: k.spkiDer, commonName: u.user, organizations: groups, usages: ['client'], notAfter: new Date(Date.now() + CLIENT_CERT_TTL_MS) });
    user = { 'client-certificate-data': b64(cert), 'client-key-data': b64(k.keyPem) };
  }
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'k8s-sim', cluster: { server: url, 'certificate-authority-data': b64(ca.certPem) } }],
    users: [{ name: u.user, user }],
    contexts: [{ name: 'k8s-sim', context: { cluster: 'k8s-sim', user: u.user, namespace: 'default' } }],
    'current-context': 'k8s-sim',
    preferences: {},
  });
}
