import { execFile } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { adminKubeconfig, apply, kubectl, kubectlJson, kubectlOk, repoRoot, stateDir, until } from './support/tier';
import { gateway, ns, readInPod, waitAvailable, waitForLog } from './support/podid';
import { demoNs, installTier, prepareDemoNamespace, readyPod, TOKEN_FILE } from './support/demo';
import { injectFromOutside, tokenHeader } from './support/login';
import { authnClientContainer, deployment, idleAuthenticatorContainer, serviceAccount, statefulSet } from './support/workloads';

const run = promisify(execFile);
const opsNs = 'podid-tier-ops';

/** A pod whose projected service-account token carries the audience podid, as an authn-jwt client's does. */
function jwtPod(name: string, serviceAccountName: string): string {
  return `apiVersion: v1
kind: Pod
metadata: { name: ${name}, namespace: ${demoNs} }
spec:
  serviceAccountName: ${serviceAccountName}
  automountServiceAccountToken: false
  securityContext: { runAsNonRoot: true, runAsUser: 10001, runAsGroup: 10001, seccompProfile: { type: RuntimeDefault } }
  terminationGracePeriodSeconds: 1
  containers:
    - name: app
      image: busybox:1.36
      imagePullPolicy: IfNotPresent
      command: ["sh", "-c", "trap 'exit 0' TERM; while :; do sleep 1; done"]
      securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: [ALL] } }
      volumeMounts: [{ name: podid-token, mountPath: /var/run/secrets/podid, readOnly: true }]
  volumes:
    - name: podid-token
      projected:
        sources:
          - serviceAccountToken: { audience: podid, expirationSeconds: 600, path: token }
`;
}

async function jwtLogin(token: string): Promise<{ status: number; body: string }> {
  return gateway('POST', '/authn-jwt/tier-jwt/default/authenticate', {
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: `jwt=${encodeURIComponent(token)}`,
  });
}

// Issue 13 item 6: authn-jwt with a real projected token and a real TokenReview;
// `podid k8s-credentials create` through the real CSR API and the
// controller-manager's signer, then podid running on that credential.
describe('authn-jwt and podid k8s-credentials on a real cluster', () => {
  beforeAll(async () => {
    await installTier();
    await prepareDemoNamespace();
    await apply(serviceAccount('demo-sa', demoNs));
    await apply(serviceAccount('other-sa', demoNs));
  });

  it("a pod's projected token (audience podid) logs in as its bound host, checked by a real TokenReview", async () => {
    await apply(jwtPod('jwt-demo', 'demo-sa'));
    await kubectlOk(['-n', demoNs, 'wait', '--for=condition=Ready', 'pod/jwt-demo', '--timeout=120s'], { timeoutMs: 130_000 });
    const sa = await until('the projected token', () => readInPod(demoNs, 'jwt-demo', 'app', '/var/run/secrets/podid/token'), 60_000);
    const login = await jwtLogin(sa);
    expect(login.status).toBe(200);
    const token = JSON.parse(login.body) as { payload: string };
    const claims = JSON.parse(Buffer.from(token.payload, 'base64url').toString('utf8'));
    expect(claims).toMatchObject({ sub: 'host/authn-jwt/tier-jwt/demo-sa', k8s: { namespace: demoNs, pod: 'jwt-demo', service_account: 'demo-sa' } });
  });

  it('another service account cannot be that host; a token for the API server audience is refused', async () => {
    await apply(jwtPod('jwt-other', 'other-sa'));
    await kubectlOk(['-n', demoNs, 'wait', '--for=condition=Ready', 'pod/jwt-other', '--timeout=120s'], { timeoutMs: 130_000 });
    const other = await until('the projected token', () => readInPod(demoNs, 'jwt-other', 'app', '/var/run/secrets/podid/token'), 60_000);
    const named = await gateway('POST', `/authn-jwt/tier-jwt/default/${encodeURIComponent('host/authn-jwt/tier-jwt/demo-sa')}/authenticate`, {
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `jwt=${encodeURIComponent(other)}`,
    });
    expect(named.status).toBe(401);
    expect((await waitForLog('gateway', { event: 'AUDIT_AUTHENTICATE_JWT', pod: 'jwt-other', result: 'failure' }))['code']).toBe('AUTHN_JWT_HOST_UNBOUND');
    // A TokenRequest for the API server's own audience: real, but not for podid.
    const apiAudience = (await kubectlOk(['-n', demoNs, 'create', 'token', 'demo-sa', '--duration=10m'])).trim();
    expect((await jwtLogin(apiAudience)).status).toBe(401);
    await kubectl(['-n', demoNs, 'delete', 'pod', 'jwt-demo', 'jwt-other', '--wait=false']);
  });

  it('podid k8s-credentials create: a client certificate from the CSR API and the controller-manager signer; pod-verifier and cert-injector run on it', async () => {
    const out = path.join(stateDir, 'tier-credential.kubeconfig');
    rmSync(out, { force: true });
    const { stdout } = await run(
      'npx',
      ['tsx', 'tools/cli/src/main.ts', 'k8s-credentials', 'create', '--user', 'podid-tier', '--ttl', '24h', '--approve', '--kubeconfig', adminKubeconfig, '--out', out],
      { cwd: repoRoot, timeout: 180_000 },
    );
    // The signed certificate came from the controller-manager (signer kubernetes.io/kube-apiserver-client).
    const csrs = await kubectlJson<{ items: Array<{ spec: { username: string; signerName: string }; status: { certificate?: string; conditions?: Array<{ type: string }> } }> }>(['get', 'csr']);
    const ours = csrs.items.filter((c) => c.spec.signerName === 'kubernetes.io/kube-apiserver-client' && c.status.certificate);
    expect(ours.length).toBeGreaterThanOrEqual(1);
    expect(ours.some((c) => c.status.conditions?.some((k) => k.type === 'Approved'))).toBe(true);
    await kubectlOk(['apply', '-f', '-'], { input: stdout });

    const kubeconfig = readFileSync(out, 'utf8');
    await kubectlOk(['-n', ns, 'create', 'secret', 'generic', 'podid-tier-credential', `--from-literal=kubeconfig=${kubeconfig}`, '--dry-run=client', '-o', 'yaml']).then(apply);
    const patch = JSON.stringify({
      spec: {
        template: {
          spec: {
            volumes: [{ name: 'k8s-credential', secret: { secretName: 'podid-tier-credential' } }],
            containers: [{ name: '', env: [{ name: 'KUBECONFIG', value: '/etc/podid/k8s/kubeconfig' }], volumeMounts: [{ name: 'k8s-credential', mountPath: '/etc/podid/k8s', readOnly: true }] }],
          },
        },
      },
    });
    try {
      for (const svc of ['pod-verifier', 'cert-injector']) {
        await kubectlOk(['-n', ns, 'patch', 'deployment', svc, '--type', 'strategic', '-p', patch.replace('"name":""', `"name":"${svc}"`)]);
      }
      await waitAvailable();
      for (const svc of ['pod-verifier', 'cert-injector']) {
        await kubectlOk(['-n', ns, 'rollout', 'status', `deployment/${svc}`, '--timeout=180s'], { timeoutMs: 190_000 });
        const started = await waitForLog(svc, { event: 'SERVICE_READY', kube_credentials: 'kubeconfig-client-cert' }, 120_000);
        expect(started).toBeDefined();
      }
      // A login through the credential: pod-verifier reads the pod, cert-injector execs into it.
      await apply(statefulSet({ name: 'cred-sts', namespace: demoNs, serviceAccount: 'demo-sa', containers: idleAuthenticatorContainer() }));
      const target = await readyPod('app=cred-sts');
      // Right after the rollout, a request can still meet an upstream on its way out (503); a sidecar retries that, and so
      // does this test. Each 503's body is printed, so a lasting one shows its cause.
      const { answer } = await until(
        'a 202 through the credential',
        async () => {
          const r = await injectFromOutside({ hostId: 'conjur/authn-k8s/dev-cluster/apps/by-sa', namespace: demoNs, pod: target.name });
          if (r.answer.status !== 503) return r;
          console.log(`inject answered 503 after the rollout: ${r.answer.body}`);
          return undefined;
        },
        60_000,
        3000,
      );
      expect(answer.status).toBe(202);
      // Status reports the credential and its expiry.
      await apply(serviceAccount('tier-ops', opsNs));
      await apply(deployment({ name: 'tier-ops', namespace: opsNs, serviceAccount: 'tier-ops', containers: authnClientContainer('conjur/authn-k8s/dev-cluster/ops/tier-ops') }));
      const ops = await readyPod('app=tier-ops', opsNs);
      const opsToken = await until('the ops token', () => readInPod(opsNs, ops.name, 'authenticator', TOKEN_FILE), 120_000);
      const status = await gateway('GET', '/authn-k8s/dev-cluster/default/status', { headers: tokenHeader(opsToken) });
      expect(status.status).toBe(200);
      await kubectl(['-n', demoNs, 'delete', 'statefulset', 'cred-sts', '--wait=false']);
    } finally {
      for (const svc of ['pod-verifier', 'cert-injector']) await kubectl(['-n', ns, 'rollout', 'undo', `deployment/${svc}`]);
      await waitAvailable();
    }
  });
});
