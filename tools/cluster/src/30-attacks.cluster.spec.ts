import { spawn } from 'node:child_process';
import { adminKubeconfig, apply, kubectl, kubectlOk, kubectlPath, until } from './support/tier';
import { gatewayCa, podsOf, readInPod, waitForLog } from './support/podid';
import { demoNs, installTier, prepareDemoNamespace, readyPod, TOKEN_FILE } from './support/demo';
import { authenticate, injectFromOutside, introspect, takeInjectedCert } from './support/login';
import { authnClientContainer, deployment, idleAuthenticatorContainer, serviceAccount, statefulSet } from './support/workloads';

const opsNs = 'podid-tier-ops';
const HOSTS = {
  demo: 'conjur/authn-k8s/dev-cluster/apps/demo-app',
  bySa: 'conjur/authn-k8s/dev-cluster/apps/by-sa',
  sts: 'conjur/authn-k8s/dev-cluster/apps/demo-sts',
  ops: 'conjur/authn-k8s/dev-cluster/ops/tier-ops',
};

/** The refusal the gateway audited for a pod's inject (the sidecar only sees 401). */
async function injectRefusal(pod: string): Promise<string> {
  const line = await waitForLog('gateway', { event: 'AUDIT_INJECT_CLIENT_CERT', pod, result: 'failure' }, 120_000);
  return String(line['code']);
}

async function tokenOf(namespace: string, pod: string, container: string): Promise<string> {
  return until(`a token in ${namespace}/${pod}`, () => readInPod(namespace, pod, container, TOKEN_FILE), 180_000, 2000);
}

// Issue 13 item 7: the attacks, on a real API server, kubelet and runtime.
describe('attacks on a real cluster', () => {
  let opsPod: string;
  /** The ops host's current token: tokenTtl is 1m in the tier policy, and its sidecar renews it. */
  const opsToken = () => tokenOf(opsNs, opsPod, 'authenticator');

  beforeAll(async () => {
    await installTier();
    await prepareDemoNamespace();
    await apply(serviceAccount('demo-sa', demoNs));
    await apply(serviceAccount('other-sa', demoNs));
    if ((await kubectl(['get', 'namespace', opsNs])).code !== 0) await kubectlOk(['create', 'namespace', opsNs]);
    const ca = await gatewayCa();
    await kubectlOk(['-n', opsNs, 'create', 'configmap', 'podid-gateway-ca', `--from-literal=ca.pem=${ca}`, '--dry-run=client', '-o', 'yaml'])
      .then((yaml) => apply(yaml));
    await apply(serviceAccount('tier-ops', opsNs));
    await apply(deployment({ name: 'tier-ops', namespace: opsNs, serviceAccount: 'tier-ops', containers: authnClientContainer(HOSTS.ops) }));
    opsPod = await readyPodIn(opsNs, 'app=tier-ops');
  });

  async function readyPodIn(namespace: string, selector: string): Promise<string> {
    return (await readyPod(selector, namespace)).name;
  }

  it('a pod of another Deployment (same namespace and service account) is refused: OWNER_MISMATCH, no certificate, no token', async () => {
    await apply(deployment({ name: 'impostor', namespace: demoNs, serviceAccount: 'demo-sa', containers: authnClientContainer(HOSTS.demo) }));
    const [pod] = await until('the impostor pod', async () => {
      const pods = (await podsOf(demoNs, 'app=impostor')).filter((p) => p.status.phase === 'Running');
      return pods.length === 1 ? pods : undefined;
    });
    expect(await injectRefusal(pod!.metadata.name)).toBe('OWNER_MISMATCH');
    expect(await readInPod(demoNs, pod!.metadata.name, 'authenticator', TOKEN_FILE)).toBeUndefined();
    await kubectlOk(['-n', demoNs, 'delete', 'deployment', 'impostor', '--wait=false']);
  });

  it('a pod of another service account is refused: SERVICE_ACCOUNT_MISMATCH, no token', async () => {
    await apply(deployment({ name: 'other-sa-app', namespace: demoNs, serviceAccount: 'other-sa', containers: authnClientContainer(HOSTS.bySa) }));
    const [pod] = await until('the other-sa pod', async () => {
      const pods = (await podsOf(demoNs, 'app=other-sa-app')).filter((p) => p.status.phase === 'Running');
      return pods.length === 1 ? pods : undefined;
    });
    expect(await injectRefusal(pod!.metadata.name)).toBe('SERVICE_ACCOUNT_MISMATCH');
    expect(await readInPod(demoNs, pod!.metadata.name, 'authenticator', TOKEN_FILE)).toBeUndefined();
    await kubectlOk(['-n', demoNs, 'delete', 'deployment', 'other-sa-app', '--wait=false']);
  });

  it("a deleted pod's token stops working; the API server's graceful deletion (MODIFIED with deletionTimestamp) comes first", async () => {
    await apply(deployment({ name: 'short-lived', namespace: demoNs, serviceAccount: 'demo-sa', containers: authnClientContainer(HOSTS.bySa) }));
    const pod = await readyPodIn(demoNs, 'app=short-lived');
    const token = await tokenOf(demoNs, pod, 'authenticator');
    expect(await introspect(await opsToken(), token)).toMatchObject({ active: true, k8s: { pod } });

    // Watch the pod as the API server reports it, then delete it gracefully.
    const events: Array<{ type: string; deleting: boolean }> = [];
    const watch = spawn(kubectlPath, ['--kubeconfig', adminKubeconfig, '-n', demoNs, 'get', 'pod', pod, '--watch-only', '--output-watch-events', '-o', 'json']);
    let buffer = '';
    watch.stdout.on('data', (d: Buffer) => {
      buffer += d.toString('utf8');
      // kubectl prints one JSON object per event and line.
      for (let end = buffer.indexOf('\n'); end >= 0; end = buffer.indexOf('\n')) {
        const line = buffer.slice(0, end).trim();
        buffer = buffer.slice(end + 1);
        if (!line) continue;
        const event = JSON.parse(line) as { type: string; object: { metadata: { deletionTimestamp?: string } } };
        events.push({ type: event.type, deleting: Boolean(event.object.metadata.deletionTimestamp) });
      }
    });
    try {
      await new Promise((r) => setTimeout(r, 1000));
      await kubectlOk(['-n', demoNs, 'delete', 'deployment', 'short-lived', '--wait=false']);
      await until('the pod DELETED event', async () => (events.some((e) => e.type === 'DELETED') ? true : undefined), 120_000, 500);
    } finally {
      watch.kill('SIGTERM');
    }
    const firstDeleting = events.findIndex((e) => e.deleting);
    expect(firstDeleting).toBeGreaterThanOrEqual(0);
    expect(events[firstDeleting]!.type).toBe('MODIFIED');
    expect(firstDeleting).toBeLessThan(events.findIndex((e) => e.type === 'DELETED'));
    const after = await until('the token inactive', async () => {
      const answer = await introspect(await opsToken(), token);
      return answer['active'] === false ? answer : undefined;
    }, 60_000, 1000);
    expect(after).toEqual({ active: false });
  });

  it('a StatefulSet pod recreated under the same name cannot use the certificate of its predecessor', async () => {
    await apply(statefulSet({ name: 'demo-sts', namespace: demoNs, serviceAccount: 'demo-sa', containers: idleAuthenticatorContainer() }));
    const first = await readyPod('app=demo-sts');
    expect(first.name).toBe('demo-sts-0');
    const { answer, keyPem } = await injectFromOutside({ hostId: HOSTS.sts, namespace: demoNs, pod: first.name });
    expect(answer.status).toBe(202);
    expect(answer.body).toBe('');
    const certPem = await takeInjectedCert(demoNs, first.name);
    const login = await authenticate(HOSTS.sts, certPem, keyPem);
    expect(login.status).toBe(200);

    await kubectlOk(['-n', demoNs, 'delete', 'pod', first.name]);
    const second = await until('demo-sts-0 back with a new uid', async () => {
      const p = await readyPod('app=demo-sts').catch(() => undefined);
      return p && p.uid !== first.uid ? p : undefined;
    }, 180_000, 2000);
    expect(second.name).toBe(first.name);

    const replay = await authenticate(HOSTS.sts, certPem, keyPem);
    expect(replay.status).toBe(401);
    const refusal = await waitForLog('gateway', { event: 'AUDIT_AUTHENTICATE', pod: first.name, result: 'failure' }, 60_000);
    expect(refusal['code']).toBe('POD_UID_MISMATCH');
    // The token of the predecessor is no longer active either.
    expect(await introspect(await opsToken(), login.body)).toEqual({ active: false });
    await kubectlOk(['-n', demoNs, 'delete', 'statefulset', 'demo-sts', '--wait=false']);
  });
});
