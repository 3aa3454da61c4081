import { credentials, makeGenericClientConstructor, Metadata, type Client } from '@grpc/grpc-js';
import { service as healthService } from 'grpc-health-check';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, makeTestPki, spawnNode, tmpDir, writeTlsEnv, type ChildHandle, eventually } from '@podid/testkit';

const MAIN = join(__dirname, '..', 'dist', 'main.js');
const DEMO_POLICY = join(__dirname, '..', '..', '..', 'deploy', 'local', 'policy.yaml');

function exitCode(child: ChildHandle): Promise<number | null> {
  return child.child.exitCode !== null ? Promise.resolve(child.child.exitCode) : new Promise((resolve) => child.child.once('exit', resolve));
}

describe('policy process lifecycle', () => {
  let child: ChildHandle | undefined;
  afterEach(async () => {
    await child?.stop('SIGKILL');
    child = undefined;
  });

  it('starts with the demo policy, serves health over mTLS and HTTP, and exits 0 on SIGTERM', async () => {
    const pki = await makeTestPki('policy-main');
    const dir = tmpDir();
    const [grpcPort, opsPort] = [await freePort(), await freePort()];
    // The demo policy's authenticators name local mode's two clusters.
    const clustersFile = join(dir, 'clusters.yaml');
    writeFileSync(clustersFile, 'clusters:\n  - name: dev\n    kubeconfig: /state/dev.kubeconfig\n  - name: qa\n    kubeconfig: /state/qa.kubeconfig\n');
    child = spawnNode(MAIN, {
      ...writeTlsEnv(dir, 'policy', await pki.tls('policy')),
      PODID_POLICY: DEMO_POLICY,
      PODID_CLUSTERS_FILE: clustersFile,
      PODID_GRPC_HOST: '127.0.0.1',
      PODID_GRPC_PORT: String(grpcPort),
      PODID_OPS_HOST: '127.0.0.1',
      PODID_OPS_PORT: String(opsPort),
    });
    expect(await child.waitForEvent('SERVICE_READY')).toMatchObject({ grpc_port: grpcPort, ops_port: opsPort });
    await eventually(() => expect(child!.lines.find((l) => l['event'] === 'POLICY_LOADED')).toMatchObject({ authenticators: 3, hosts: 4 }));

    for (const path of ['/healthz', '/readyz']) expect((await fetch(`http://127.0.0.1:${opsPort}${path}`)).status).toBe(200);

    const tls = await pki.tls('gateway');
    const creds = credentials.createSsl(Buffer.from(tls.caPem), Buffer.from(tls.keyPem), Buffer.from(tls.certPem), { checkServerIdentity: () => undefined });
    const Health = makeGenericClientConstructor(healthService, 'health');
    const health = new Health(`127.0.0.1:${grpcPort}`, creds) as Client & Record<string, (...a: unknown[]) => void>;
    for (const name of ['', 'authn.v1.Policy']) {
      const res = await new Promise<{ status: string | number }>((resolve, reject) =>
        health['check']!.call(health, { service: name }, new Metadata(), { deadline: Date.now() + 5000 }, (e: Error | null, r: { status: string | number }) => (e ? reject(e) : resolve(r))),
      );
      expect([1, 'SERVING']).toContain(res.status);
    }
    health.close();

    expect(await child.stop('SIGTERM')).toBe(0);
    expect(child.lines.some((l) => l['event'] === 'SERVICE_STOPPED')).toBe(true);
  });

  it.each([
    [{ PODID_POLICY: DEMO_POLICY, PODID_GRPC_PORT: 'http' }, 'PODID_GRPC_PORT="http"'],
    [{}, 'PODID_POLICY=unset'],
    [{ PODID_POLICY: DEMO_POLICY, PODID_POLICY_POLL_INTERVAL: '10ms' }, 'PODID_POLICY_POLL_INTERVAL="10ms"'],
    [{ PODID_POLICY: DEMO_POLICY, PODID_CLUSTERS_POLL_MS: '5s' }, 'PODID_CLUSTERS_POLL_MS="5s"'],
  ])('exits 78 with one stderr line naming the bad variable (%o)', async (env, named) => {
    child = spawnNode(MAIN, { PODID_TLS_CA_FILE: '/x', PODID_TLS_CERT_FILE: '/x', PODID_TLS_KEY_FILE: '/x', ...env });
    expect(await exitCode(child)).toBe(78);
    const lines = child.stderr().trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(named);
  });

  it('exits 1 without listening when the policy is invalid, logging each problem with file and line', async () => {
    const pki = await makeTestPki('policy-main-bad');
    const dir = tmpDir();
    const file = join(dir, 'policy.yaml');
    writeFileSync(file, 'account: default\nauthenticators:\n  - type: authn-k8s\n    id: prod\n    tokenTtl: 9h\nhosts:\n  - id: a/web\n    authenticators: [prod, missing]\n    annotations: {authn-k8s/namespace: demo}\n');
    child = spawnNode(MAIN, { ...writeTlsEnv(dir, 'policy', await pki.tls('policy')), PODID_POLICY: file, PODID_GRPC_PORT: String(await freePort()), PODID_OPS_PORT: String(await freePort()) });
    expect(await exitCode(child)).toBe(1);
    const invalid = child.lines.filter((l) => l['event'] === 'POLICY_INVALID');
    expect(invalid.map((l) => [l['file'], l['line']])).toEqual([
      [file, 5],
      [file, 8],
    ]);
    expect(child.lines.some((l) => l['event'] === 'SERVICE_READY')).toBe(false);
  });
});
