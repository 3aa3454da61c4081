import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { authorizeHost } from './authorize-host';
import type { ClusterDeclaration } from './clusters';
import { parsePolicy } from './parse-policy';
import { sharedPrivilegedHosts } from './privileged-host-sharing';
import { resolveHost } from './resolve-host';

const FILE = join(__dirname, '..', '..', '..', 'deploy', 'local', 'policy.yaml');

/** Local mode's two simulated clusters (tools/local/src/cli.ts). */
const LOCAL_CLUSTERS: ClusterDeclaration[] = ['dev', 'qa'].map((name) => ({ name, trustDomain: 'cluster.local', credentials: { kind: 'kubeconfig', kubeconfig: `/state/${name}` } }));

describe('deploy/local/policy.yaml (the local-mode demo policy)', () => {
  const policy = parsePolicy([{ name: 'deploy/local/policy.yaml', text: readFileSync(FILE, 'utf8') }], LOCAL_CLUSTERS);

  it('has the demo authenticators', () => {
    expect(policy.account).toBe('default');
    expect(policy.authenticators.get('dev-cluster')).toMatchObject({ type: 'authn-k8s', enabled: true, certTtlMs: 86_400_000, tokenTtlMs: 480_000 });
    expect(policy.authenticators.get('dev-jwt')?.jwt).toMatchObject({ audience: 'podid', namespaces: ['demo'] });
    expect([...policy.authenticators.values()].map((a) => [a.id, a.cluster])).toEqual([
      ['dev-cluster', 'dev'],
      ['dev-jwt', 'dev'],
      ['qa', 'qa'],
    ]);
  });

  it.each([
    ['conjur/authn-k8s/dev-cluster/apps/demo-app', { namespace: 'demo', serviceAccount: 'demo-sa', deployment: 'demo-app' }],
    ['conjur/authn-k8s/dev-cluster/apps/demo-db', { namespace: 'demo', serviceAccount: 'demo-sa', statefulSet: 'demo-db' }],
    ['ops/admin', { namespace: 'demo', serviceAccount: 'ops-admin-sa', pod: 'ops-admin' }],
  ])('resolves %s on dev-cluster', (hostId, restrictions) => {
    expect(resolveHost(policy, 'dev-cluster', 'authn-k8s', hostId)).toMatchObject({ hostId, restrictions, containerName: 'authenticator' });
  });

  it('resolves demo-pod only on qa, the second cluster\'s authenticator', () => {
    expect(resolveHost(policy, 'qa', 'authn-k8s', 'conjur/authn-k8s/qa/apps/demo-pod')).toMatchObject({ restrictions: { namespace: 'demo', pod: 'demo-pod' }, authenticator: { cluster: 'qa' } });
    expect(() => resolveHost(policy, 'dev-cluster', 'authn-k8s', 'conjur/authn-k8s/qa/apps/demo-pod')).toThrow();
  });

  it('grants ops/admin status, introspect and revoke', () => {
    for (const p of ['status', 'introspect', 'revoke'] as const) expect(() => authorizeHost(policy, 'ops/admin', p)).not.toThrow();
  });

  it('shares ops/admin with no demo app pod', () => {
    expect(sharedPrivilegedHosts(policy)).toEqual([]);
  });
});
