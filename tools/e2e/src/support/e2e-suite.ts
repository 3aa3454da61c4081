import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { startSuite, type ServiceName, type Suite, type SuiteOptions } from '@podid/local';
import { tmpDir } from '@podid/testkit';

export type { ServiceName, Suite };
export { SERVICES } from '@podid/local';

export const FIXTURES = resolve(__dirname, '../../fixtures');

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
    ...opts,
  });
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
