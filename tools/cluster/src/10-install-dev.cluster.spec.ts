import { adminKubeconfig, repoRoot } from './support/tier';
import { applyOverlay, bootstrapSecrets, gateway, gatewayOps, ns, services, waitAvailable } from './support/podid';
import { kubectlJson, until } from './support/tier';
import path from 'node:path';

// Issue 13 item 3: podid installed as docs/operator-guide.md says, on a real API server.
describe('deploy/overlays/dev on a real cluster', () => {
  it('podid secrets bootstrap creates the Secrets the overlay mounts', async () => {
    const out = await bootstrapSecrets(adminKubeconfig);
    expect(out).toMatch(/Secret\(s\) created/);
    const secrets = await kubectlJson<{ items: Array<{ metadata: { name: string } }> }>(['-n', ns, 'get', 'secrets']);
    const names = secrets.items.map((s) => s.metadata.name);
    for (const svc of services) expect(names).toContain(`podid-internal-tls-${svc}`);
    expect(names).toEqual(expect.arrayContaining(['podid-gateway-tls', 'podid-gateway-ca', 'podid-ca-dev-cluster', 'podid-token-keys']));
  });

  it('kubectl apply -k deploy/overlays/dev: every Deployment becomes Available, Redis ready', async () => {
    await applyOverlay(path.join(repoRoot, 'deploy/overlays/dev'));
    await waitAvailable();
    const deployments = await kubectlJson<{ items: Array<{ metadata: { name: string }; status: { availableReplicas?: number } }> }>(['-n', ns, 'get', 'deployments']);
    expect(deployments.items.map((d) => d.metadata.name).sort()).toEqual([...services].sort());
    for (const d of deployments.items) expect(d.status.availableReplicas).toBeGreaterThanOrEqual(1);
    // Nothing of podid's landed in default.
    const inDefault = await kubectlJson<{ items: unknown[] }>(['-n', 'default', 'get', 'deployments,statefulsets,services,configmaps', '-l', 'app.kubernetes.io/part-of=podid']);
    expect(inDefault.items).toEqual([]);
  });

  it('the gateway answers /readyz on its Service, over TLS for gateway.podid.svc, and on the ops Service', async () => {
    // kube-proxy programs a new Service's rules a moment after its endpoints are ready: retry until it routes.
    const pub = await until('the gateway Service routing', async () => gateway('GET', '/readyz').catch(() => undefined), 60_000);
    expect(pub.status).toBe(200);
    expect(JSON.parse(pub.body)).toEqual({ status: 'ready' });
    const ops = await until('the gateway-ops Service routing', async () => gatewayOps('/readyz').catch(() => undefined), 60_000);
    expect(ops.status).toBe(200);
    // The public port does not serve metrics (ops port only).
    expect((await gateway('GET', '/metrics')).status).toBe(404);
    expect((await gatewayOps('/metrics')).body).toMatch(/^# HELP /m);
  });
});
