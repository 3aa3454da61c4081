import { createCsr, exportPrivateKeyPem, generateKeyPair } from '@podid/x509';
import { gateway, readInPod, type HttpAnswer } from './podid';
import { kubectl, until } from './tier';

/** The Conjur client's split of a host id: the last 3 parts are the CSR CN, the rest the Host-Id-Prefix header. */
function splitHostId(hostId: string): { prefix: string; cn: string } {
  const parts = ['host', ...hostId.split('/')];
  const n = parts.length < 4 ? 1 : 3;
  return { prefix: parts.slice(0, -n).join('.'), cn: parts.slice(-n).join('.') };
}

export const CLIENT_PEM = '/etc/conjur/ssl/client.pem';

/**
 * A CSR for a pod, sent from outside it, exactly as a sidecar would send it.
 * The certificate goes into the pod (never into the answer); the tier, as
 * cluster admin, can read it from there. An attacker could not.
 */
export async function injectFromOutside(opts: { hostId: string; namespace: string; pod: string }): Promise<{ answer: HttpAnswer; keyPem: string; csrPem: string }> {
  const { prefix, cn } = splitHostId(opts.hostId);
  const keys = await generateKeyPair('ec-p256');
  const csrPem = await createCsr({ keys, algorithm: 'ec-p256', commonName: cn, sans: [{ type: 'url', value: `spiffe://cluster.local/namespace/${opts.namespace}/podname/${opts.pod}` }] });
  const answer = await gateway('POST', '/authn-k8s/dev-cluster/inject_client_cert', {
    headers: { 'content-type': 'text/plain', 'host-id-prefix': prefix },
    body: csrPem,
  });
  return { answer, keyPem: await exportPrivateKeyPem(keys.privateKey), csrPem };
}

/** The certificate injected into a pod's container, once it is there (and removed, as a sidecar does). */
export async function takeInjectedCert(namespace: string, pod: string, container = 'authenticator'): Promise<string> {
  const pem = await until(`${CLIENT_PEM} in ${namespace}/${pod}`, () => readInPod(namespace, pod, container, CLIENT_PEM), 30_000, 500);
  await kubectl(['-n', namespace, 'exec', pod, '-c', container, '--', 'rm', '-f', CLIENT_PEM]);
  return pem;
}

export function authenticate(hostId: string, cert: string, key: string): Promise<HttpAnswer> {
  return gateway('POST', `/authn-k8s/dev-cluster/default/${encodeURIComponent(`host/${hostId}`)}/authenticate`, {
    headers: { 'content-type': 'text/plain' },
    cert,
    key,
  });
}

/** Conjur's Authorization header for a token body as the gateway returns it. */
export function tokenHeader(tokenBody: string): Record<string, string> {
  return { authorization: `Token token="${Buffer.from(tokenBody).toString('base64')}"` };
}

export async function introspect(opsToken: string, token: string): Promise<Record<string, unknown>> {
  const res = await gateway('POST', '/tokens/introspect', {
    headers: { ...tokenHeader(opsToken), 'content-type': 'application/x-www-form-urlencoded' },
    body: `token=${encodeURIComponent(token)}`,
  });
  if (res.status !== 200) throw new Error(`introspect: ${res.status} ${res.body}`);
  return JSON.parse(res.body) as Record<string, unknown>;
}
