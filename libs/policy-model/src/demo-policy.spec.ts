import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { authorizeHost } from './authorize-host';
import { parsePolicy } from './parse-policy';
import { sharedPrivilegedHosts } from './privileged-host-sharing';
import { resolveHost } from './resolve-host';

const FILE = join(__dirname, '..', '..', '..', 'deploy', 'local', 'policy.yaml');

describe('deploy/local/policy.yaml (the local-mode demo policy)', () => {
  const policy = parsePolicy([{ name: 'deploy/local/policy.yaml', text: readFileSync(FILE, 'utf8') }]);

  it('has the demo authenticators', () => {
    expect(policy.account).toBe('default');
    expect(policy.authenticators.get('dev-cluster')).toMatchObject({ type: 'authn-k8s', enabled: true, certTtlMs: 86_400_000, tokenTtlMs: 480_000 });
    expect(policy.authenticators.get('dev-jwt')?.jwt).toMatchObject({ audience: 'podid', namespaces: ['demo'] });
  });

  it.each([
    ['conjur/authn-k8s/dev-cluster/apps/demo-app', { namespace: 'demo', serviceAccount: 'demo-sa', deployment: 'demo-app' }],
    ['conjur/authn-k8s/dev-cluster/apps/demo-db', { namespace: 'demo', serviceAccount: 'demo-sa', statefulSet: 'demo-db' }],
    ['conjur/authn-k8s/dev-cluster/apps/demo-pod', { namespace: 'demo', pod: 'demo-pod' }],
    ['ops/admin', { namespace: 'demo', serviceAccount: 'ops-admin-sa', pod: 'ops-admin' }],
  ])('resolves %s on dev-cluster', (hostId, restrictions) => {
    expect(resolveHost(policy, 'dev-cluster', 'authn-k8s', hostId)).toMatchObject({ hostId, restrictions, containerName: 'authenticator' });
  });

  it('grants ops/admin status, introspect and revoke', () => {
    for (const p of ['status', 'introspect', 'revoke'] as const) expect(() => authorizeHost(policy, 'ops/admin', p)).not.toThrow();
  });

  it('shares ops/admin with no demo app pod', () => {
    expect(sharedPrivilegedHosts(policy)).toEqual([]);
  });
});
