import { credentials, makeGenericClientConstructor, Metadata, type Client } from '@grpc/grpc-js';
import { service as healthService } from 'grpc-health-check';
import { join } from 'node:path';
import { freePort, makeTestPki, spawnNode, tmpDir, writeTlsEnv, type ChildHandle } from '@podid/testkit';

const MAIN = join(__dirname, '..', 'dist', 'main.js');

describe('ca-signer process lifecycle', () => {
  let child: ChildHandle | undefined;
  afterEach(async () => {
    await child?.stop('SIGKILL');
    child = undefined;
  });

  it('starts, serves health over mTLS and HTTP, and exits 0 on SIGTERM', async () => {
    const pki = await makeTestPki('ca-signer-main');
    const dir = tmpDir();
    const [grpcPort, opsPort] = [await freePort(), await freePort()];
    child = spawnNode(MAIN, {
      ...writeTlsEnv(dir, 'ca-signer', await pki.tls('ca-signer')),
      PODID_GRPC_HOST: '127.0.0.1',
      PODID_GRPC_PORT: String(grpcPort),
      PODID_OPS_HOST: '127.0.0.1',
      PODID_OPS_PORT: String(opsPort),
      PODID_CA_DIR: join(dir, 'ca'),
    });
    const ready = await child.waitForEvent('SERVICE_READY');
    expect(ready).toMatchObject({ grpc_port: grpcPort, ops_port: opsPort });

    for (const path of ['/healthz', '/readyz']) {
      const res = await fetch(`http://127.0.0.1:${opsPort}${path}`);
      expect(res.status).toBe(200);
    }

    const tls = await pki.tls('gateway');
    const creds = credentials.createSsl(Buffer.from(tls.caPem), Buffer.from(tls.keyPem), Buffer.from(tls.certPem), { checkServerIdentity: () => undefined });
    const Health = makeGenericClientConstructor(healthService, 'health');
    const health = new Health(`127.0.0.1:${grpcPort}`, creds) as Client & Record<string, (...a: unknown[]) => void>;
    for (const name of ['', 'authn.v1.CaSigner']) {
      const res = await new Promise<{ status: string | number }>((resolve, reject) =>
        health['check']!.call(health, { service: name }, new Metadata(), { deadline: Date.now() + 5000 }, (e: Error | null, r: { status: string | number }) =>
          e ? reject(e) : resolve(r),
        ),
      );
      expect([1, 'SERVING']).toContain(res.status);
    }
    health.close();

    expect(await child.stop('SIGTERM')).toBe(0);
    expect(child.lines.some((l) => l['event'] === 'SERVICE_STOPPED')).toBe(true);
  });

  it.each([
    [{ PODID_GRPC_PORT: 'http' }, 'PODID_GRPC_PORT="http"'],
    [{}, 'PODID_CA_DIR=unset'],
    [{ PODID_CA_DIR: '/tmp/x', PODID_CA_SECRET_NAMESPACE: 'podid' }, 'PODID_CA_SECRET_NAMESPACE="podid"'],
    [{ PODID_CA_SECRET_NAMESPACE: 'podid', PODID_CA_CREATE: 'true' }, 'PODID_CA_CREATE="true"'],
  ])('exits 78 with one stderr line naming the bad variable (%o)', async (env, named) => {
    child = spawnNode(MAIN, { PODID_TLS_CA_FILE: '/x', PODID_TLS_CERT_FILE: '/x', PODID_TLS_KEY_FILE: '/x', ...env });
    const code = await new Promise<number | null>((resolve) => child!.child.once('exit', resolve));
    expect(code).toBe(78);
    const lines = child.stderr().trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(named);
  });
});
