import { writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { freePort, makeTestPki, spawnNode, startRedis, tmpDir, writeTlsEnv, type RedisHandle } from '@podid/testkit';
import { createCa, issueServiceCert } from '@podid/x509';
import { httpsCall } from '@podid/testkit';
import { startFakeUpstreams, type FakeUpstreams } from './testing/fake-upstreams';

const SCRIPT = join(__dirname, '..', 'dist', 'main.js');

function get(port: number, path: string): Promise<number> {
  return new Promise((resolve, reject) => request({ host: '127.0.0.1', port, path }, (res) => (res.resume(), resolve(res.statusCode ?? 0))).on('error', reject).end());
}

describe('gateway process (dist/main.js)', () => {
  let fakes: FakeUpstreams;
  let redis: RedisHandle;
  let env: Record<string, string>;
  let caPem: string;
  beforeAll(async () => {
    const dir = tmpDir('podid-gw-main-');
    const pki = await makeTestPki('gw-main');
    [fakes, redis] = await Promise.all([startFakeUpstreams(pki), startRedis()]);
    const ca = await createCa({ commonName: 'gw main CA', now: new Date(), ttlMs: 86_400_000 });
    const serving = await issueServiceCert({ ca, service: 'gateway', now: new Date(), ttlMs: 86_400_000 });
    caPem = ca.certPem;
    writeFileSync(join(dir, 'serving.pem'), serving.certPem);
    writeFileSync(join(dir, 'serving-key.pem'), serving.keyPem);
    env = {
      ...writeTlsEnv(dir, 'gateway', await pki.tls('gateway')),
      PODID_GATEWAY_HOST: '127.0.0.1',
      PODID_OPS_HOST: '127.0.0.1',
      PODID_GATEWAY_TLS_CERT_FILE: join(dir, 'serving.pem'),
      PODID_GATEWAY_TLS_KEY_FILE: join(dir, 'serving-key.pem'),
      PODID_POLICY_ADDR: fakes.addrs.policyAddr,
      PODID_POD_VERIFIER_ADDR: fakes.addrs.podVerifierAddr,
      PODID_CA_SIGNER_ADDR: fakes.addrs.caSignerAddr,
      PODID_CERT_INJECTOR_ADDR: fakes.addrs.certInjectorAddr,
      PODID_TOKEN_ISSUER_ADDR: fakes.addrs.tokenIssuerAddr,
      REDIS_URL: redis.url,
    };
  });
  afterAll(async () => {
    await fakes.stop();
    await redis.stop();
  });

  it('starts, serves HTTPS and the ops endpoints, and exits 0 on SIGTERM', async () => {
    const [httpsPort, opsPort] = [await freePort(), await freePort()];
    const p = spawnNode(SCRIPT, { ...env, PODID_GATEWAY_PORT: String(httpsPort), PODID_PLATFORM_PORT: '0', PODID_OPS_PORT: String(opsPort) });
    await p.waitForEvent('SERVICE_READY');
    expect(await get(opsPort, '/healthz')).toBe(200);
    expect(await get(opsPort, '/readyz')).toBe(200);
    const r = await httpsCall(`https://127.0.0.1:${httpsPort}`, { path: '/authenticators', caPem });
    expect(r.status).toBe(200);
    expect(await p.stop('SIGTERM')).toBe(0);
    expect(p.lines.some((l) => l['event'] === 'SERVICE_STOPPED')).toBe(true);
  });

  it('exits 78 with one stderr line naming a bad variable', async () => {
    const p = spawnNode(SCRIPT, { ...env, PODID_RATE_LIMIT_IP: '10 per minute' });
    const code = await new Promise<number | null>((resolve) => p.child.once('exit', resolve));
    expect(code).toBe(78);
    const lines = p.stderr().trim().split('\n');
    expect(lines).toEqual([expect.stringContaining('PODID_RATE_LIMIT_IP="10 per minute": expected <n>/<duration>')]);
  });
});
