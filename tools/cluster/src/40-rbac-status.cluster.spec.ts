import { kubectlJson, kubectlOk, until } from './support/tier';
import { gateway, readInPod, waitForLog } from './support/podid';
import { demoNs, installTier, prepareDemoNamespace, readyPod, TOKEN_FILE } from './support/demo';
import { injectFromOutside, tokenHeader } from './support/login';
import { apply } from './support/tier';
import { authnClientContainer, deployment, idleAuthenticatorContainer, serviceAccount, statefulSet } from './support/workloads';

const opsNs = 'podid-tier-ops';

interface Rule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
}

async function rulesOf(kind: 'clusterrole' | 'role', name: string, namespace?: string): Promise<Rule[]> {
  return (await kubectlJson<{ rules: Rule[] }>([...(namespace ? ['-n', namespace] : []), 'get', kind, name])).rules;
}

async function setRules(kind: 'clusterrole' | 'role', name: string, rules: Rule[], namespace?: string): Promise<void> {
  await kubectlOk([...(namespace ? ['-n', namespace] : []), 'patch', kind, name, '--type', 'merge', '-p', JSON.stringify({ rules })]);
}

// Issue 13 items 6 and 7: the status endpoint's SelfSubjectAccessReviews against
// real RBAC, and deploy/base/rbac.yaml exactly enough: drop each rule in turn
// and the check that needs it fails.
describe("deploy/base/rbac.yaml on a real API server's RBAC", () => {
  let opsPod: string;
  const opsToken = async () => (await until('the ops token', () => readInPod(opsNs, opsPod, 'authenticator', TOKEN_FILE), 120_000, 2000));
  const status = async () => {
    const res = await gateway('GET', '/authn-k8s/dev-cluster/default/status', { headers: tokenHeader(await opsToken()) });
    return { http: res.status, body: JSON.parse(res.body) as { status: string; checks?: Array<{ name: string; ok: boolean; code?: string; hint?: string }> } };
  };

  beforeAll(async () => {
    await installTier();
    await prepareDemoNamespace();
    await apply(serviceAccount('demo-sa', demoNs));
    await apply(serviceAccount('tier-ops', opsNs));
    await apply(deployment({ name: 'tier-ops', namespace: opsNs, serviceAccount: 'tier-ops', containers: authnClientContainer('conjur/authn-k8s/dev-cluster/ops/tier-ops') }));
    opsPod = (await readyPod('app=tier-ops', opsNs)).name;
  });

  it('status is healthy with the RBAC as shipped: every SelfSubjectAccessReview allowed', async () => {
    const { http, body } = await status();
    expect(http).toBe(200);
    expect(['ok', 'warning']).toContain(body.status);
    expect((body.checks ?? []).filter((c) => !c.ok)).toEqual([]);
  });

  it("each of pod-verifier's ClusterRole rules, dropped in turn, shows up as exactly its missing permissions", async () => {
    const shipped = await rulesOf('clusterrole', 'podid-pod-verifier');
    expect(shipped.length).toBeGreaterThanOrEqual(4);
    try {
      for (const [i, rule] of shipped.entries()) {
        await setRules('clusterrole', 'podid-pod-verifier', shipped.filter((_, j) => j !== i));
        const wanted = rule.apiGroups.flatMap((g) => rule.resources.flatMap((r) => rule.verbs.map((v) => `${v} ${g ? `${g}/` : ''}${r}`)));
        // Reviews are cached for 30 s: wait for a status that reflects this rule set.
        const failed = await until(
          `status naming ${wanted.join(', ')}`,
          async () => {
            const { http, body } = await status();
            const check = body.checks?.find((c) => c.name === 'kubernetes-permissions');
            return http === 503 && check && !check.ok && wanted.every((w) => check.hint?.includes(w)) ? check : undefined;
          },
          90_000,
          3000,
        );
        expect(failed.code).toBe('KUBERNETES_PERMISSION_MISSING');
        // Only this rule's permissions are named.
        const named = failed.hint!.replace(/^Grant pod-verifier: /, '').replace(/ \(deploy\/base\/rbac\.yaml\)\.$/, '').split(', ');
        expect(named.sort()).toEqual([...wanted].sort());
      }
    } finally {
      await setRules('clusterrole', 'podid-pod-verifier', shipped);
    }
    await until('status healthy again', async () => ((await status()).http === 200 ? true : undefined), 90_000, 3000);
  });

  it("cert-injector's pods/exec rule: without it the certificate cannot be written and the login fails; restored, it works", async () => {
    await apply(statefulSet({ name: 'rbac-sts', namespace: demoNs, serviceAccount: 'demo-sa', containers: idleAuthenticatorContainer() }));
    const target = await readyPod('app=rbac-sts');
    const shipped = await rulesOf('clusterrole', 'podid-cert-injector');
    try {
      await setRules('clusterrole', 'podid-cert-injector', []);
      // The host is demo-sts's; the StatefulSet owner check would refuse rbac-sts before exec, so use a host without an owner.
      const refused = await until(
        'an inject refused for lack of pods/exec',
        async () => {
          const { answer } = await injectFromOutside({ hostId: 'conjur/authn-k8s/dev-cluster/apps/by-sa', namespace: demoNs, pod: target.name });
          return answer.status !== 202 ? answer : undefined;
        },
        60_000,
        3000,
      );
      expect(refused.status).toBeGreaterThanOrEqual(500);
      const audit = await waitForLog('gateway', { event: 'AUDIT_INJECT_CLIENT_CERT', pod: target.name, result: 'failure' });
      expect(String(audit['code'])).toMatch(/EXEC|FORBIDDEN|K8S/);
    } finally {
      await setRules('clusterrole', 'podid-cert-injector', shipped);
    }
    const ok = await until('an inject accepted again', async () => {
      const { answer } = await injectFromOutside({ hostId: 'conjur/authn-k8s/dev-cluster/apps/by-sa', namespace: demoNs, pod: target.name });
      return answer.status === 202 ? answer : undefined;
    }, 60_000, 3000);
    expect(ok.status).toBe(202);
    await kubectlOk(['-n', demoNs, 'delete', 'statefulset', 'rbac-sts', '--wait=false']);
  });
});
