import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { startSuite, type ServiceName, type Suite, type SuiteOptions } from '@podid/local';
import { eventually, httpsCall, tmpDir } from '@podid/testkit';
import type { JSONWebKeySet } from 'jose';

export type { ServiceName, Suite };
export { SERVICES } from '@podid/local';

export const FIXTURES = resolve(__dirname, '../../fixtures');

/** Watch settings that make podid's informers relist often (a real API server's window is minutes, its drops rarer). */
export const RELIST_HEAVY_WATCH = { watchHistoryWindowMs: 2000, watchDropAfterMs: 6000 } as const;

/** The whole suite as real processes, with the e2e policy and cluster fixtures. */
export async function startE2eSuite(opts: Partial<SuiteOptions> = {}): Promise<Suite> {
  const clusterDir = join(FIXTURES, 'cluster');
  return startSuite({
    stateDir: tmpDir('podid-e2e-'),
    policyPath: join(FIXTURES, 'policy.yaml'),
    manifests: readdirSync(clusterDir).sort().map((f) => join(clusterDir, f)),
    gatewayPort: 0,
    logLevel: 'info',
    // The fixture pods name podid/authn-client but carry no sidecar env: do not run them (sidecar.spec.ts runs its own).
    images: false,
    // Relists on every run: watches resume from a 2 s window (older: 410 Gone) and are cut every 3-6 s.
    simWatch: RELIST_HEAVY_WATCH,
    ...opts,
  });
}

/**
 * The gateway's JWKS. Its first call to token-issuer can miss its deadline on a loaded machine (503), and a verifier
 * retries that; so does this, for 20 s, and then fails with the last answer.
 */
export async function servedJwks(suite: Suite): Promise<JSONWebKeySet> {
  const body = await eventually(async () => {
    const r = await httpsCall(suite.gatewayUrl, { path: '/.well-known/jwks.json', caPem: suite.gatewayCaPem });
    if (r.status !== 200) throw new Error(`GET /.well-known/jwks.json answered ${r.status}: ${r.body.slice(0, 200)}`);
    return r.body;
  }, 20_000);
  return JSON.parse(body) as JSONWebKeySet;
}

/** Host ids of the fixture policy, by the pod they log in from. */
export const HOST = {
  deployment: 'conjur/authn-k8s/dev/apps/demo-app',
  statefulSet: 'conjur/authn-k8s/dev/apps/demo-db',
  barePod: 'conjur/authn-k8s/dev/apps/demo-pod',
  admin: 'conjur/authn-k8s/dev/apps/admin',
  /** Any demo-sa pod in demo: only the CN or SAN check can refuse it. */
  anyDemoSa: 'conjur/authn-k8s/dev/apps/any-demo-sa',
  /** Pod two-authenticators, container app-authn (not `authenticator`). */
  customContainer: 'conjur/authn-k8s/dev/apps/custom-container',
} as const;

export const POD = {
  deployment: 'demo-app-5c7d9-abcde',
  statefulSet: 'demo-db-0',
  barePod: 'demo-pod',
  admin: 'admin-pod',
  twoAuthenticators: 'two-authenticators',
} as const;
