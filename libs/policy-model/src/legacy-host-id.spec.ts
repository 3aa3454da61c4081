import { restrictionsFromHostId } from './legacy-host-id';
import { policyOf, problemsOf, withHosts } from './testing/policy-fixtures';

describe('legacy <namespace>/<type>/<name> host ids', () => {
  it.each([
    ['apps/demo/*/*', { namespace: 'demo' }],
    ['apps/demo/service_account/demo-sa', { namespace: 'demo', serviceAccount: 'demo-sa' }],
    ['apps/demo/service-account/demo-sa', { namespace: 'demo', serviceAccount: 'demo-sa' }],
    ['apps/demo/deployment/web', { namespace: 'demo', deployment: 'web' }],
    ['demo/stateful_set/db', { namespace: 'demo', statefulSet: 'db' }],
    ['x/demo/pod/web-0', { namespace: 'demo', pod: 'web-0' }],
    ['x/demo/daemon_set/agent', { namespace: 'demo', daemonSet: 'agent' }],
    ['x/demo/job/migrate', { namespace: 'demo', job: 'migrate' }],
    ['x/demo/cron_job/nightly', { namespace: 'demo', cronJob: 'nightly' }],
  ])('%s', (id, restrictions) => {
    expect(restrictionsFromHostId(id)).toEqual({ ok: true, restrictions });
  });

  it.each([
    ['demo/web', 'does not end in the legacy form <namespace>/<type>/<name> (Conjur CONJ00048E)'],
    ['apps/demo/node/n1', 'the type "node" is not one of *, service_account, deployment, stateful_set, pod, daemon_set, job, cron_job (Conjur CONJ00050E)'],
    ['apps/demo/deployment_config/web', 'deployment_config (OpenShift) is not supported'],
    ['apps/demo/*/web', 'the namespace-wide form is <namespace>/*/*'],
    ['apps/Demo/pod/web', 'namespace "Demo" is not a DNS label'],
    ['apps/demo/pod/Web', 'pod name "Web" is not a DNS subdomain'],
  ])('rejects %s', (id, reason) => {
    const r = restrictionsFromHostId(id);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.reason).toContain(reason);
  });

  it('applies only when no annotation restrictions remain, and keeps the container-name annotation (conjur#1535)', () => {
    const p = policyOf(withHosts('  - id: apps/demo/service_account/demo-sa\n    authenticators: [prod]\n    annotations:\n      authn-k8s/authentication-container-name: sidecar\n'));
    expect(p.hosts.get('apps/demo/service_account/demo-sa')?.bindings.get('prod')).toEqual({
      restrictions: { namespace: 'demo', serviceAccount: 'demo-sa' },
      containerName: 'sidecar',
      restrictionsFrom: 'host-id',
    });
    const annotated = policyOf(withHosts('  - id: apps/demo/service_account/demo-sa\n    authenticators: [prod]\n    annotations:\n      authn-k8s/namespace: other\n'));
    expect(annotated.hosts.get('apps/demo/service_account/demo-sa')?.bindings.get('prod')?.restrictions).toEqual({ namespace: 'other' });
  });

  it('is an error at load time, located at the host, for an authn-k8s host with neither', () => {
    expect(problemsOf(withHosts('  - id: conjur/authn-k8s/prod/apps/web\n    authenticators: [prod]\n'))).toEqual([
      'policy.yaml:10: host "conjur/authn-k8s/prod/apps/web": on prod: has no authn-k8s restriction annotations, and in its legacy form <namespace>/<type>/<name> the type "apps" is not one of *, service_account, deployment, stateful_set, pod, daemon_set, job, cron_job (Conjur CONJ00050E)',
    ]);
  });
});
