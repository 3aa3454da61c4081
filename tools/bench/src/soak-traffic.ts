import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { startSuite, type Suite } from '@podid/local';
import { httpsCall, waitFor, type HttpsAnswer } from '@podid/testkit';
import { createCsr, exportPrivateKeyPem, generateKeyPair } from '@podid/x509';
import { STORM_HOST, STORM_NAMESPACE, type StormPod } from './storm-pods';

// The traffic of the soak and the chaos runs: what a pod's sidecar sends, from the pod's own address.
const CLIENT_PEM = 'etc/conjur/ssl/client.pem';
/** These runs measure capacity and failure, not policy: the gateway's limits are lifted so that they refuse nothing. */
export const NO_LIMITS = { PODID_RATE_LIMIT_IP: '1000000/1m', PODID_RATE_LIMIT_HOST: '1000000/1m', PODID_RATE_LIMIT_POD: '1000000/1m' };

const FIXTURES = resolve(__dirname, '../../e2e/fixtures');

/** The whole suite on the e2e fixtures, quiet, with the gateway's limits lifted: what the soak and chaos runs load. */
export function startLoadSuite(stateDir: string, redisUrl?: string): Promise<Suite> {
  const cluster = join(FIXTURES, 'cluster');
  return startSuite({
    ...(redisUrl ? { redisUrl } : {}),
    stateDir,
    policyPath: join(FIXTURES, 'policy.yaml'),
    manifests: readdirSync(cluster).sort().map((f) => join(cluster, f)),
    gatewayPort: 0,
    logLevel: 'warn',
    images: false,
    env: { gateway: NO_LIMITS },
  });
}

export interface Login {
  readonly pod: StormPod;
  certPem: string;
  keyPem: string;
}

export function expectOk(r: HttpsAnswer, what: string): void {
  if (r.status !== 200) throw new Error(`${what} answered ${r.status} ${r.body.slice(0, 80)}`);
}

/** A failed certificate login, with the gateway's answer. */
export class LoginRefused extends Error {
  constructor(readonly answer: HttpsAnswer) {
    super(`inject_client_cert answered ${answer.status} ${answer.body.slice(0, 80)}`);
  }
}

/** The Conjur client's split of a host id: the last 3 parts are the CSR CN, the rest the Host-Id-Prefix header. */
function splitHostId(hostId: string): { prefix: string; cn: string } {
  const parts = ['host', ...hostId.split('/')];
  const n = parts.length < 4 ? 1 : 3;
  return { prefix: parts.slice(0, -n).join('.'), cn: parts.slice(-n).join('.') };
}

export async function certificateLogin(suite: Suite, pod: StormPod, hostId = STORM_HOST): Promise<Login> {
  const { prefix, cn } = splitHostId(hostId);
  const keys = await generateKeyPair('ec-p256');
  const csrPem = await createCsr({ keys, algorithm: 'ec-p256', commonName: cn, sans: [{ type: 'url', value: `spiffe://cluster.local/namespace/${STORM_NAMESPACE}/podname/${pod.name}` }] });
  const file = join(suite.sim.podRoot(STORM_NAMESPACE, pod.name, 'authenticator'), CLIENT_PEM);
  rmSync(file, { force: true });
  const r = await httpsCall(suite.gatewayUrl, {
    method: 'POST',
    path: '/authn-k8s/dev/inject_client_cert',
    caPem: suite.gatewayCaPem,
    headers: { 'content-type': 'text/plain', 'host-id-prefix': prefix },
    body: csrPem,
    localAddress: pod.address,
  });
  if (r.status !== 202) throw new LoginRefused(r);
  const certPem = await waitFor(() => (existsSync(file) ? readFileSync(file, 'utf8') : undefined), { timeoutMs: 5000, intervalMs: 10, message: `certificate of ${pod.name}` });
  rmSync(file, { force: true });
  return { pod, certPem, keyPem: await exportPrivateKeyPem(keys.privateKey) };
}

export function authenticate(suite: Suite, login: Login, hostId = STORM_HOST): Promise<HttpsAnswer> {
  return httpsCall(suite.gatewayUrl, {
    method: 'POST',
    path: `/authn-k8s/dev/default/${encodeURIComponent(`host/${hostId}`)}/authenticate`,
    caPem: suite.gatewayCaPem,
    cert: login.certPem,
    key: login.keyPem,
    headers: { 'content-type': 'text/plain' },
    localAddress: login.pod.address,
  });
}

/** Operations per second with 4 in flight, closed loop. */
export async function measureCapacity(op: (i: number) => Promise<void>, seconds: number): Promise<number> {
  let i = 0;
  const end = Date.now() + seconds * 1000;
  const worker = async () => {
    while (Date.now() < end) await op(i++);
  };
  const start = Date.now();
  await Promise.all([worker(), worker(), worker(), worker()]);
  return Math.round(i / ((Date.now() - start) / 1000));
}

/** Starts `rate` operations per second whatever their latency, as independent clients do, for `ms`. */
export async function openLoop(op: (i: number) => Promise<void>, rate: number, ms: number): Promise<void> {
  const inFlight = new Set<Promise<void>>();
  const start = Date.now();
  for (let i = 0; Date.now() - start < ms; i++) {
    const due = start + (i * 1000) / rate;
    const wait = due - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const p = op(i).finally(() => inFlight.delete(p));
    inFlight.add(p);
  }
  await Promise.all(inFlight);
}


/** Conjur's Authorization header for a flattened-JSON token body. */
export function tokenHeader(tokenJson: string): Record<string, string> {
  return { authorization: `Token token="${Buffer.from(tokenJson).toString('base64')}"` };
}

/** A host revokes its own token (docs/api.md, "introspect and revoke"). */
export function revokeOwnToken(suite: Suite, token: string): Promise<HttpsAnswer> {
  return httpsCall(suite.gatewayUrl, {
    method: 'POST',
    path: '/tokens/revoke',
    caPem: suite.gatewayCaPem,
    headers: { ...tokenHeader(token), 'content-type': 'application/x-www-form-urlencoded' },
    body: `token=${encodeURIComponent(token)}`,
  });
}

/** Whether `token` is active, asked with a token that holds the introspect grant. */
export async function isActive(suite: Suite, adminToken: string, token: string): Promise<boolean> {
  const r = await httpsCall(suite.gatewayUrl, {
    method: 'POST',
    path: '/tokens/introspect',
    caPem: suite.gatewayCaPem,
    headers: { ...tokenHeader(adminToken), 'content-type': 'application/x-www-form-urlencoded' },
    body: `token=${encodeURIComponent(token)}`,
  });
  expectOk(r, 'introspect');
  return (JSON.parse(r.body) as { active: boolean }).active;
}
