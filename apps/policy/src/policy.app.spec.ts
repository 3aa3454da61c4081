import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AuthenticatorType, PolicyService } from '@podid/contracts';
import { NotFoundError, PermissionDeniedError } from '@podid/errors';
import { createServiceClient, type ServiceClient } from '@podid/grpc';
import { freePort, makeTestPki, spawnNode, tmpDir, waitFor, writeTlsEnv, type ChildHandle, eventually } from '@podid/testkit';

const MAIN = join(__dirname, '..', 'dist', 'main.js');
const policyText = (ns: string, extra = '') => `account: default
authenticators:
  - type: authn-k8s
    id: dev-cluster
hosts:
  - id: apps/web
    authenticators: [dev-cluster]
    annotations:
      authn-k8s/namespace: ${ns}
      authn-k8s/deployment: web
${extra}`;
const K8S = AuthenticatorType.AUTHENTICATOR_TYPE_AUTHN_K8S;

describe('policy service over gRPC mTLS (spawned dist/main.js)', () => {
  let child: ChildHandle;
  let client: ServiceClient<typeof PolicyService>;
  let file: string;
  let grpcPort: number;
  let pki: Awaited<ReturnType<typeof makeTestPki>>;

  beforeAll(async () => {
    pki = await makeTestPki('policy-app');
    const dir = tmpDir();
    file = join(dir, 'policy.yaml');
    writeFileSync(file, policyText('demo'));
    grpcPort = await freePort();
    child = spawnNode(MAIN, {
      ...writeTlsEnv(dir, 'policy', await pki.tls('policy')),
      PODID_POLICY: file,
      PODID_POLICY_DEBOUNCE: '50ms',
      PODID_GRPC_HOST: '127.0.0.1',
      PODID_GRPC_PORT: String(grpcPort),
      PODID_OPS_HOST: '127.0.0.1',
      PODID_OPS_PORT: String(await freePort()),
    });
    await child.waitForEvent('SERVICE_READY');
    client = createServiceClient(PolicyService, { address: `127.0.0.1:${grpcPort}`, tls: await pki.tls('gateway'), expectService: 'policy' });
  });

  afterAll(async () => {
    client?.close();
    expect(await child.stop('SIGTERM')).toBe(0);
  });

  const resolveWeb = () => client.resolve({ serviceId: 'dev-cluster', type: K8S, hostId: 'apps/web' });

  it('resolves a host for the gateway', async () => {
    const res = await resolveWeb();
    expect(res).toMatchObject({ hostId: 'apps/web', containerName: 'authenticator', restrictions: { namespace: 'demo', deployment: 'web' } });
    expect(res.authenticator).toMatchObject({ id: 'dev-cluster', type: K8S, enabled: true, certTtlSeconds: 86_400, tokenTtlSeconds: 480 });
  });

  it('answers NOT_FOUND with the stable code for unknown hosts and authenticators', async () => {
    const host = client.resolve({ serviceId: 'dev-cluster', type: K8S, hostId: 'apps/ghost' });
    await expect(host).rejects.toBeInstanceOf(NotFoundError);
    await expect(host).rejects.toMatchObject({ code: 'HOST_NOT_FOUND' });
    await expect(client.resolve({ serviceId: 'nope', type: K8S, hostId: 'apps/web' })).rejects.toMatchObject({ code: 'AUTHENTICATOR_NOT_FOUND' });
  });

  it('refuses callers that are not on the allow-list', async () => {
    const other = createServiceClient(PolicyService, { address: `127.0.0.1:${grpcPort}`, tls: await pki.tls('cert-injector'), expectService: 'policy' });
    try {
      await expect(other.listAuthenticators({})).rejects.toBeInstanceOf(PermissionDeniedError);
    } finally {
      other.close();
    }
  });

  it('lets ca-signer list authenticators, and nothing else', async () => {
    const caSigner = createServiceClient(PolicyService, { address: `127.0.0.1:${grpcPort}`, tls: await pki.tls('ca-signer'), expectService: 'policy' });
    try {
      await expect(caSigner.listAuthenticators({})).resolves.toMatchObject({ authenticators: [expect.objectContaining({ id: 'dev-cluster', type: K8S })] });
      await expect(caSigner.resolve({ serviceId: 'dev-cluster', type: K8S, hostId: 'apps/web' })).rejects.toBeInstanceOf(PermissionDeniedError);
    } finally {
      caSigner.close();
    }
  });

  it('hot-reloads a rewritten file, and keeps the old policy when the new one is invalid', async () => {
    writeFileSync(file, policyText('prod', '  - id: apps/api\n    authenticators: [dev-cluster]\n    annotations: {authn-k8s/namespace: prod}\n'));
    await waitFor(async () => (await resolveWeb()).restrictions?.namespace === 'prod', { timeoutMs: 10_000, message: 'the new namespace after a rewrite' });
    await expect(client.resolve({ serviceId: 'dev-cluster', type: K8S, hostId: 'apps/api' })).resolves.toMatchObject({ hostId: 'apps/api' });
    await eventually(() => expect(child.lines.find((l) => l['event'] === 'POLICY_RELOADED')).toMatchObject({ hosts: 2, authenticators: 1 }));

    writeFileSync(file, policyText('broken') + '      authn-k8s/stateful-set: db\n');
    const failed = await child.waitForEvent('POLICY_RELOAD_FAILED', 10_000);
    expect(failed).toMatchObject({ file, line: 11, problem: expect.stringContaining('(Conjur CONJ00055E)') });
    expect((await resolveWeb()).restrictions?.namespace).toBe('prod');
  });
});

describe('policy service with a clusters file (spawned dist/main.js)', () => {
  it('gives each authenticator its cluster and trust domain, and follows a rewritten clusters file', async () => {
    const pki = await makeTestPki('policy-app-clusters');
    const dir = tmpDir();
    const file = join(dir, 'policy.yaml');
    // The clusters file lives in a folder of its own, as a second ConfigMap would.
    const clustersDir = tmpDir();
    const clusters = join(clustersDir, 'clusters.yaml');
    writeFileSync(clusters, 'clusters:\n  - {name: eu, kubeconfig: /etc/podid/eu}\n  - {name: us, kubeconfig: /etc/podid/us, trustDomain: us.example}\n');
    writeFileSync(file, policyText('demo').replace('    id: dev-cluster\n', '    id: dev-cluster\n    cluster: us\n'));
    const grpcPort = await freePort();
    const child = spawnNode(MAIN, {
      ...writeTlsEnv(dir, 'policy', await pki.tls('policy')),
      PODID_POLICY: file,
      PODID_CLUSTERS_FILE: clusters,
      PODID_CLUSTERS_POLL_MS: '200',
      PODID_POLICY_DEBOUNCE: '50ms',
      PODID_TRUST_DOMAIN: 'corp.example',
      PODID_GRPC_HOST: '127.0.0.1',
      PODID_GRPC_PORT: String(grpcPort),
      PODID_OPS_HOST: '127.0.0.1',
      PODID_OPS_PORT: String(await freePort()),
    });
    const client = createServiceClient(PolicyService, { address: `127.0.0.1:${grpcPort}`, tls: await pki.tls('gateway'), expectService: 'policy' });
    try {
      await child.waitForEvent('SERVICE_READY');
      const resolve = () => client.resolve({ serviceId: 'dev-cluster', type: K8S, hostId: 'apps/web' });
      expect((await resolve()).authenticator).toMatchObject({ cluster: 'us', trustDomain: 'us.example' });
      expect((await client.listAuthenticators({})).authenticators[0]).toMatchObject({ cluster: 'us', trustDomain: 'us.example' });
      // us loses its trust domain: the default one applies after the reload.
      writeFileSync(clusters, 'clusters:\n  - {name: eu, kubeconfig: /etc/podid/eu}\n  - {name: us, kubeconfig: /etc/podid/us}\n');
      await waitFor(async () => (await resolve()).authenticator?.trustDomain === 'corp.example', { timeoutMs: 10_000, message: 'the new trust domain after a clusters file rewrite' });
      // us removed: the policy names an undeclared cluster, so it stays as it was.
      writeFileSync(clusters, 'clusters:\n  - {name: eu, kubeconfig: /etc/podid/eu}\n');
      const failed = await child.waitForEvent('POLICY_RELOAD_FAILED', 10_000);
      expect(failed).toMatchObject({ file, problem: expect.stringContaining('cluster "us" is not declared in the clusters file (declared: eu)') });
      expect((await resolve()).authenticator).toMatchObject({ cluster: 'us', trustDomain: 'corp.example' });
    } finally {
      client.close();
      expect(await child.stop('SIGTERM')).toBe(0);
    }
  });
});
