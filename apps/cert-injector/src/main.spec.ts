import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { credentials, makeGenericClientConstructor, Metadata, type Client } from '@grpc/grpc-js';
import { service as healthService } from 'grpc-health-check';
import { CertInjectorService } from '@podid/contracts';
import { createServiceClient } from '@podid/grpc';
import { freePort, makeTestPki, spawnNode, tmpDir, waitFor, writeTlsEnv, type ChildHandle, type TestPki, eventually } from '@podid/testkit';
import { makeTestLeaf } from './testing/make-test-leaf';
import { NS, POD_UIDS, startSimCluster, type SimCluster } from './testing/sim-cluster';

const MAIN = join(__dirname, '..', 'dist', 'main.js');

describe('cert-injector process (dist/main.js against the simulator)', () => {
  let c: SimCluster;
  let pki: TestPki;
  let child: ChildHandle | undefined;
  let env: Record<string, string>;
  let grpcPort: number;
  let opsPort: number;

  beforeAll(async () => {
    if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run "npm run build" in apps/cert-injector first`);
    c = await startSimCluster(['web-1']);
    pki = await makeTestPki('cert-injector-main');
    const dir = tmpDir();
    writeFileSync(join(dir, 'kubeconfig'), c.injectorYaml, { mode: 0o600 });
    [grpcPort, opsPort] = [await freePort(), await freePort()];
    env = {
      ...writeTlsEnv(dir, 'cert-injector', await pki.tls('cert-injector')),
      KUBECONFIG: join(dir, 'kubeconfig'),
      PODID_GRPC_HOST: '127.0.0.1',
      PODID_GRPC_PORT: String(grpcPort),
      PODID_OPS_HOST: '127.0.0.1',
      PODID_OPS_PORT: String(opsPort),
      PODID_EXEC_CONCURRENCY: '4',
    };
  });
  afterEach(async () => {
    await child?.stop('SIGKILL');
    child = undefined;
  });
  afterAll(async () => c?.stop());

  it('starts, is ready once the API answers, injects for gateway only, and exits 0 on SIGTERM', async () => {
    child = spawnNode(MAIN, env);
    expect(await child.waitForEvent('SERVICE_READY')).toMatchObject({ grpc_port: grpcPort, ops_port: opsPort, kube_credentials: 'kubeconfig-client-cert' });
    expect((await fetch(`http://127.0.0.1:${opsPort}/healthz`)).status).toBe(200);
    await waitFor(async () => (await fetch(`http://127.0.0.1:${opsPort}/readyz`)).status === 200, { timeoutMs: 10_000, message: '/readyz 200' });

    const gw = await pki.tls('gateway');
    const creds = credentials.createSsl(Buffer.from(gw.caPem), Buffer.from(gw.keyPem), Buffer.from(gw.certPem), { checkServerIdentity: () => undefined });
    const Health = makeGenericClientConstructor(healthService, 'health');
    const health = new Health(`127.0.0.1:${grpcPort}`, creds) as Client & Record<string, (...a: unknown[]) => void>;
    for (const name of ['', 'authn.v1.CertInjector']) {
      const res = await new Promise<{ status: string | number }>((resolve, reject) =>
        health['check']!.call(health, { service: name }, new Metadata(), { deadline: Date.now() + 5000 }, (e: Error | null, r: { status: string | number }) =>
          e ? reject(e) : resolve(r),
        ),
      );
      expect([1, 'SERVING']).toContain(res.status);
    }
    health.close();

    const uid = POD_UIDS['web-1']!;
    const { certPem } = await makeTestLeaf({ namespace: NS, pod: 'web-1', podUid: uid });
    const address = `127.0.0.1:${grpcPort}`;
    const gateway = createServiceClient(CertInjectorService, { address, tls: gw, expectService: 'cert-injector', deadlineMs: 10_000 });
    const req = { cluster: '', namespace: NS, pod: 'web-1', container: 'authenticator', certificatePem: certPem, podUid: uid };
    const res = await gateway.inject(req);
    expect(res.path).toBe('/etc/conjur/ssl/client.pem');
    expect(readFileSync(join(c.sim.podRoot(NS, 'web-1', 'authenticator'), 'etc/conjur/ssl/client.pem'), 'utf8')).toBe(certPem);
    await expect(gateway.inject({ ...req, pod: 'web-2' })).rejects.toMatchObject({ kind: 'invalid_argument', code: 'CERT_TARGET_MISMATCH' });
    gateway.close();

    for (const caller of ['pod-verifier', 'cert-injector']) {
      const other = createServiceClient(CertInjectorService, { address, tls: await pki.tls(caller), expectService: 'cert-injector' });
      await expect(other.inject(req)).rejects.toMatchObject({ kind: 'permission_denied' });
      other.close();
    }

    const metrics = await (await fetch(`http://127.0.0.1:${opsPort}/metrics`)).text();
    expect(metrics).toContain('podid_cert_inject_total{result="OK"} 1');
    expect(metrics).toContain('podid_cert_inject_execs_running 0');

    await eventually(() => expect(child!.lines.filter((l) => l['event'] === 'CERT_INJECTED')).toHaveLength(1));
    const logText = child.lines.map((l) => JSON.stringify(l)).join('\n');
    expect(logText).not.toContain(certPem.split('\n')[1]!);

    expect(await child.stop('SIGTERM')).toBe(0);
    expect(child.lines.some((l) => l['event'] === 'SERVICE_STOPPED')).toBe(true);
  });

  it('stays not ready while the Kubernetes API cannot be reached', async () => {
    const dir = tmpDir();
    const deadApi = c.injectorYaml.replace(/server: https:\/\/127\.0\.0\.1:\d+/, `server: https://127.0.0.1:${await freePort()}`);
    writeFileSync(join(dir, 'kubeconfig'), deadApi);
    child = spawnNode(MAIN, { ...env, KUBECONFIG: join(dir, 'kubeconfig') });
    await child.waitForEvent('SERVICE_READY');
    await child.waitForEvent('KUBE_API_UNREACHABLE');
    expect((await fetch(`http://127.0.0.1:${opsPort}/readyz`)).status).toBe(503);
    expect(await child.stop('SIGTERM')).toBe(0);
  });

  it.each([
    [{ PODID_EXEC_CONCURRENCY: '0' }, 'PODID_EXEC_CONCURRENCY="0"'],
    [{ PODID_EXEC_QUEUE: 'lots' }, 'PODID_EXEC_QUEUE="lots"'],
    [{ PODID_EXEC_TIMEOUT: '5' }, 'PODID_EXEC_TIMEOUT="5"'],
  ])('exits 78 with one stderr line naming the bad variable (%o)', async (bad, named) => {
    child = spawnNode(MAIN, { ...env, ...bad });
    const code = await new Promise<number | null>((resolve) => child!.child.once('exit', resolve));
    expect(code).toBe(78);
    const lines = child.stderr().trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(named);
  });
});
