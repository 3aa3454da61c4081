import { existsSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Suite } from './e2e-suite';
import { waitFor } from '@podid/testkit';
import { createCsr, exportPrivateKeyPem, generateKeyPair, type KeyAlgorithm } from '@podid/x509';
import { httpsCall, type HttpsAnswer } from '@podid/testkit';

/** Where the injector writes, inside the container root (docs/conjur-compatibility.md section 4). */
export const CLIENT_PEM = 'etc/conjur/ssl/client.pem';

export function clientPemPath(suite: Suite, namespace: string, pod: string, container = 'authenticator'): string {
  return join(suite.sim.podRoot(namespace, pod, container), CLIENT_PEM);
}

/** mtime of the cert file, or 0 when absent: "nothing written" means this did not change. */
export function certFileStamp(suite: Suite, namespace: string, pod: string, container = 'authenticator'): number {
  const p = clientPemPath(suite, namespace, pod, container);
  return existsSync(p) ? statSync(p).mtimeMs : 0;
}

/** A CSR exactly as the Conjur client makes it: CN = the host id suffix, one SPIFFE URI SAN (trust domain default cluster.local). */
export async function podCsr(opts: { cn: string; namespace: string; pod: string; algorithm?: KeyAlgorithm; trustDomain?: string }): Promise<{ csrPem: string; keyPem: string }> {
  const algorithm = opts.algorithm ?? 'ec-p256';
  const keys = await generateKeyPair(algorithm);
  const csrPem = await createCsr({ keys, algorithm, commonName: opts.cn, sans: [{ type: 'url', value: `spiffe://${opts.trustDomain ?? 'cluster.local'}/namespace/${opts.namespace}/podname/${opts.pod}` }] });
  return { csrPem, keyPem: await exportPrivateKeyPem(keys.privateKey) };
}

/** Splits a host id the way the Conjur client does: the last 3 parts are the CSR CN, the rest the Host-Id-Prefix. */
export function splitHostId(hostId: string): { prefix: string; cn: string } {
  const parts = ['host', ...hostId.split('/')];
  const n = parts.length < 4 ? 1 : 3;
  return { prefix: parts.slice(0, -n).join('.'), cn: parts.slice(-n).join('.') };
}

export async function injectCsr(suite: Suite, opts: { serviceId?: string; hostId: string; csrPem: string; url?: string; localAddress?: string }): Promise<HttpsAnswer> {
  const { prefix } = splitHostId(opts.hostId);
  return httpsCall(opts.url ?? suite.gatewayUrl, {
    method: 'POST',
    path: `/authn-k8s/${opts.serviceId ?? 'dev'}/inject_client_cert`,
    caPem: suite.gatewayCaPem,
    headers: { 'content-type': 'text/plain', 'host-id-prefix': prefix },
    body: opts.csrPem,
    localAddress: opts.localAddress,
  });
}

/**
 * The certificate login of a pod: CSR, inject, then read the certificate
 * from the container root as the sidecar would (and delete it, as it does).
 */
export async function certificateLogin(
  suite: Suite,
  opts: { hostId: string; namespace: string; pod: string; serviceId?: string; algorithm?: KeyAlgorithm; trustDomain?: string },
): Promise<{ certPem: string; keyPem: string; answer: HttpsAnswer; msToFile: number }> {
  const { cn } = splitHostId(opts.hostId);
  const { csrPem, keyPem } = await podCsr({ cn, namespace: opts.namespace, pod: opts.pod, algorithm: opts.algorithm, trustDomain: opts.trustDomain });
  const file = clientPemPath(suite, opts.namespace, opts.pod);
  rmSync(file, { force: true });
  const answer = await injectCsr(suite, { serviceId: opts.serviceId, hostId: opts.hostId, csrPem });
  const answeredAt = Date.now();
  if (answer.status !== 202) throw new Error(`inject_client_cert: ${answer.status} ${answer.body}`);
  const certPem = await waitFor((): string | undefined => (existsSync(file) ? readFileSync(file, 'utf8') : undefined), { timeoutMs: 500, intervalMs: 10, message: `${file} within 0.5 s of the 202` });
  const msToFile = Date.now() - answeredAt;
  rmSync(file, { force: true });
  return { certPem, keyPem, answer, msToFile };
}

/** mTLS authenticate as `host/<hostId>`; login URL-encoded as Go's url.QueryEscape does. */
export function authenticate(suite: Suite, opts: { hostId: string; cert?: string; key?: string; headers?: Record<string, string>; url?: string; serviceId?: string }): Promise<HttpsAnswer> {
  const login = encodeURIComponent(`host/${opts.hostId}`);
  return httpsCall(opts.url ?? suite.gatewayUrl, {
    method: 'POST',
    path: `/authn-k8s/${opts.serviceId ?? 'dev'}/default/${login}/authenticate`,
    caPem: suite.gatewayCaPem,
    cert: opts.cert,
    key: opts.key,
    headers: { 'content-type': 'text/plain', ...opts.headers },
  });
}

/** Conjur's Authorization header for a flattened-JSON token body. */
export function tokenAuthorization(tokenJson: string): Record<string, string> {
  return { authorization: `Token token="${Buffer.from(tokenJson).toString('base64')}"` };
}
