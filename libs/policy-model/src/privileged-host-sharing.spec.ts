import { sharedPrivilegedHosts } from './privileged-host-sharing';
import { formatProblem } from './policy-problem';
import { policyOf, withHosts } from './testing/policy-fixtures';

/** A host on `prod` (or the given authenticators) with these annotations, and grants when given. */
const host = (id: string, annotations: Record<string, string>, o: { grants?: string; authenticators?: string } = {}) =>
  `  - id: ${id}\n    authenticators: ${o.authenticators ?? '[prod]'}\n${o.grants ? `    grants: ${o.grants}\n` : ''}` +
  (Object.keys(annotations).length ? `    annotations:\n${Object.entries(annotations).map(([k, v]) => `      authn-k8s/${k}: ${JSON.stringify(v)}\n`).join('')}` : '');

const ADMIN = { grants: '[status, introspect, revoke]' };
const warningsOf = (hostsYaml: string) => sharedPrivilegedHosts(policyOf(withHosts(hostsYaml))).map(formatProblem);

describe('sharedPrivilegedHosts', () => {
  it('warns, at the privileged host, when an application host in its namespace meets its restrictions (the old demo ops/admin)', () => {
    const yaml = host('apps/web', { namespace: 'demo', 'service-account': 'demo-sa', deployment: 'web' }) + host('ops/admin', { namespace: 'demo', 'service-account': 'demo-sa' }, ADMIN);
    expect(warningsOf(yaml)).toEqual([
      'policy.yaml:16: host "ops/admin" is granted status, introspect, revoke, but a pod of application host "apps/web" (policy.yaml:10, on prod) may also meet its restrictions and so log in as it; give the privileged host a service account or pod of its own',
    ]);
  });

  it('names every shared application host in one warning per privileged host', () => {
    const apps = ['a', 'b', 'c', 'd', 'e'].map((n) => host(`apps/${n}`, { namespace: 'demo' })).join('');
    const [warning, ...rest] = warningsOf(apps + host('ops/admin', { namespace: 'demo' }, ADMIN));
    expect(rest).toEqual([]);
    expect(warning).toContain('application host "apps/a" (policy.yaml:10, on prod), "apps/b" (policy.yaml:14, on prod), "apps/c" (policy.yaml:18, on prod) and 2 more may also meet');
  });

  it.each([
    ['a namespace alone', { namespace: 'demo' }, { namespace: 'demo', pod: 'web-0' }],
    ['a narrower restriction the application host does not constrain', { namespace: 'demo', 'service-account': 'admin-sa' }, { namespace: 'demo', 'stateful-set': 'db' }],
    ['a Job under the CronJob', { namespace: 'demo', 'cron-job': 'nightly' }, { namespace: 'demo', job: 'nightly-1' }],
    ['selectors that can both hold', { namespace: 'demo', 'pod-label-selector': 'role=admin' }, { namespace: 'demo', 'pod-label-selector': 'app=web' }],
  ])('warns for %s', (_what, admin, app) => {
    expect(warningsOf(host('apps/web', app) + host('ops/admin', admin, ADMIN))).toHaveLength(1);
  });

  it.each([
    ['another namespace', { namespace: 'ops' }, { namespace: 'demo' }],
    ['another service account', { namespace: 'demo', 'service-account': 'admin-sa' }, { namespace: 'demo', 'service-account': 'demo-sa' }],
    ['another pod', { namespace: 'demo', pod: 'admin' }, { namespace: 'demo', pod: 'web' }],
    ['another owner of the same kind', { namespace: 'demo', deployment: 'admin' }, { namespace: 'demo', deployment: 'web' }],
    ['owners of kinds no pod has both of', { namespace: 'demo', deployment: 'admin' }, { namespace: 'demo', 'stateful-set': 'db' }],
    ['another value for a selector key', { namespace: 'demo', 'pod-label-selector': 'role=admin' }, { namespace: 'demo', 'pod-label-selector': 'role=web' }],
  ])('stays quiet for %s', (_what, admin, app) => {
    expect(warningsOf(host('apps/web', app) + host('ops/admin', admin, ADMIN))).toEqual([]);
  });

  it('compares across authenticators, and reads an unrestricted authn-jwt host as restricted to its identity claim', () => {
    const appOnK8s = host('apps/web', { namespace: 'demo', 'service-account': 'web-sa' });
    expect(warningsOf(appOnK8s + host('authn-jwt/jwt/web-sa', {}, { ...ADMIN, authenticators: '[jwt]' }))).toEqual([expect.stringContaining('on jwt / prod)')]);
    expect(warningsOf(appOnK8s + host('authn-jwt/jwt/admin-sa', {}, { ...ADMIN, authenticators: '[jwt]' }))).toEqual([]);
  });

  it('never warns about application hosts among themselves', () => {
    expect(warningsOf(host('apps/a', { namespace: 'demo' }) + host('apps/b', { namespace: 'demo' }))).toEqual([]);
  });
});
