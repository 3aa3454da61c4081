import { kubectlOk, until } from './support/tier';
import { gateway, waitForLog } from './support/podid';
import { demoNs, exampleManifest, installTier, prepareDemoNamespace, readyPod, tokenInApp, waitForToken } from './support/demo';

const HOST = 'host/conjur/authn-k8s/dev-cluster/apps/demo-app';

// Issue 13 items 4 and 5: the example app gets its certificate injected by exec
// through the real API server and kubelet, and a token that renews; then the
// same with CyberArk's own sidecar, unchanged.
describe('deploy/examples/app-with-sidecar.yaml on a real cluster', () => {
  beforeAll(async () => {
    await installTier();
    await prepareDemoNamespace();
  });

  it("podid's authn-client: certificate injected into the pod, token in the app's volume, renewed before expiry", async () => {
    await kubectlOk(['apply', '-f', '-'], { input: exampleManifest() });
    await kubectlOk(['-n', demoNs, 'rollout', 'status', 'deployment/demo-app', '--timeout=240s'], { timeoutMs: 250_000 });
    const pod = await readyPod('app=demo-app');
    const first = await waitForToken(pod.name);
    expect(first.claims).toMatchObject({ sub: HOST, k8s: { namespace: demoNs, pod: pod.name, pod_uid: pod.uid, service_account: 'demo-sa' } });
    // Injected by exec, not returned over HTTP: the gateway's audit line of that pod's inject.
    const audit = await waitForLog('gateway', { event: 'AUDIT_INJECT_CLIENT_CERT', pod: pod.name, result: 'success' });
    expect(audit).toMatchObject({ namespace: demoNs, container: 'authenticator', pod_uid: pod.uid });
    // The token is active at the gateway.
    const status = await gateway('GET', '/authn-k8s/dev-cluster/default/status', { headers: { authorization: `Token token="${Buffer.from(first.raw).toString('base64')}"` } });
    expect(status.status).toBe(403); // a valid token of an app host: authenticated, but no status grant
    // tokenTtl is 1m in the tier policy: a fresh token replaces it before it expires.
    const renewed = await until(
      'a renewed token',
      async () => {
        const now = await tokenInApp(pod.name);
        return now && now.claims['jti'] !== first.claims['jti'] ? now : undefined;
      },
      120_000,
      3000,
    );
    expect(renewed.claims['exp']).toBeGreaterThan(first.claims['exp']);
    expect(first.claims['exp'] * 1000).toBeGreaterThan(Date.now() - 5_000); // renewed before the old one expired (within a little skew)
  });

  it("CyberArk's conjur-authn-k8s-client v0.26.1, unchanged, in the same pod spec: injected, logged in, token written and refreshed", async () => {
    // Only the container's image changes; podid's own probes and args are not the Conjur client's.
    await kubectlOk([
      '-n', demoNs, 'patch', 'deployment', 'demo-app', '--type', 'json', '-p',
      JSON.stringify([
        { op: 'replace', path: '/spec/template/spec/containers/1/image', value: 'cyberark/conjur-authn-k8s-client:0.26.1' },
        { op: 'remove', path: '/spec/template/spec/containers/1/args' },
        { op: 'remove', path: '/spec/template/spec/containers/1/readinessProbe' },
        { op: 'remove', path: '/spec/template/spec/containers/1/livenessProbe' },
        // Re-authenticate every 20 s instead of 6 m, so a refresh is seen.
        { op: 'add', path: '/spec/template/spec/containers/1/env/-', value: { name: 'CONJUR_TOKEN_TIMEOUT', value: '20s' } },
      ]),
    ]);
    await kubectlOk(['-n', demoNs, 'rollout', 'status', 'deployment/demo-app', '--timeout=240s'], { timeoutMs: 250_000 });
    const pod = await readyPod('app=demo-app');
    const logs = () => kubectlOk(['-n', demoNs, 'logs', pod.name, '-c', 'authenticator']);
    await until('CAKC035 in the Conjur client log', async () => ((await logs()).includes('CAKC035') ? true : undefined), 120_000, 2000);
    const first = await waitForToken(pod.name);
    expect(first.claims).toMatchObject({ sub: HOST, k8s: { pod: pod.name, pod_uid: pod.uid } });
    const refreshed = await until(
      'a refreshed token from the Conjur client',
      async () => {
        const now = await tokenInApp(pod.name);
        return now && now.claims['jti'] !== first.claims['jti'] ? now : undefined;
      },
      90_000,
      3000,
    );
    expect(refreshed.claims['sub']).toBe(HOST);
    expect(await logs()).not.toMatch(/CAKC0(15|16|29)E|ERROR/);
    // The next spec starts from the example as shipped, not from this patch.
    await kubectlOk(['-n', demoNs, 'delete', 'deployment', 'demo-app', '--wait=false']);
  });
});
