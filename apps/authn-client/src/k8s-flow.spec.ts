import { existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { freePort, waitFor } from '@podid/testkit';
import { createCa, issueServiceCert } from '@podid/x509';
import { clientEnv, filesContaining, makePodDirs, removePodDirs, startFake, startInProcess, type InProcessClient } from './testing/client-harness';
import type { FakeConjur } from './testing/fake-conjur-server';

describe('authn-client, authn-k8s flow against a fake Conjur server', () => {
  const running: Array<{ stop(): Promise<void> }> = [];
  afterEach(async () => {
    try {
      await Promise.all(running.splice(0).map((r) => r.stop()));
    } finally {
      removePodDirs(); // even when a stop failed: the temp dirs must not outlive the test
    }
  });
  const track = <T extends { stop(): Promise<void> }>(r: T) => (running.push(r), r);
  const trackClient = (c: InProcessClient) => (running.push(c.client), c);

  it('init mode: logs in with an exact CSR, writes the token atomically, deletes client.pem, exits 0, leaks nothing', async () => {
    const dirs = makePodDirs();
    const fake = track(await startFake(dirs));
    const c = trackClient(await startInProcess(await clientEnv(dirs, fake.k8sUrl, { CONTAINER_MODE: 'init' })));
    await waitFor(() => c.exits.length > 0, { timeoutMs: 10_000, message: 'init mode exits' });
    expect(c.exits).toEqual([0]);
    expect(fake.logins).toEqual([
      { commonName: 'svc.apps.demo-app', prefix: 'host.conjur.authn-k8s', san: ['url:spiffe://cluster.local/namespace/demo/podname/demo-app-7d9f8c6b5-x2x4q'], contentType: 'text/plain' },
    ]);
    expect(readFileSync(dirs.tokenFile, 'utf8')).toBe(fake.tokens[0]);
    expect(statSync(dirs.tokenFile).mode & 0o777).toBe(0o644);
    expect(existsSync(dirs.clientCertPath)).toBe(false);
    expect(filesContaining([dirs.certDir, dirs.tokenDir], 'PRIVATE KEY')).toEqual([]);
    const token = JSON.parse(fake.tokens[0] as string) as { payload: string; signature: string };
    expect(c.logs.text).not.toContain(token.signature);
    expect(c.logs.text).not.toContain(token.payload);
    expect(c.logs.text).not.toContain('PRIVATE KEY');
    expect(c.logs.text).not.toContain('BEGIN CERTIFICATE');
    expect(c.logs.withEvent('CAKC035')).toHaveLength(1);
    expect(c.logs.withEvent('CLIENT_INIT_DONE')).toHaveLength(1);
  });

  it('deletes a stale client.pem before logging in, and ignores an injected cert for another key (issue #529)', async () => {
    const dirs = makePodDirs();
    const ca = await createCa({ commonName: 'old', now: new Date(), ttlMs: 3_600_000 });
    writeFileSync(dirs.clientCertPath, (await issueServiceCert({ ca, service: 'stale', now: new Date(), ttlMs: 3_600_000 })).certPem);
    const fake = track(await startFake(dirs, { injectForeignFirst: true, injectDelayMs: 0 }));
    const c = trackClient(await startInProcess(await clientEnv(dirs, fake.k8sUrl, { CONTAINER_MODE: 'init' })));
    await waitFor(() => c.exits.length > 0, { timeoutMs: 10_000, message: 'init mode exits' });
    expect(c.exits).toEqual([0]);
    expect(c.logs.withEvent('CLIENT_CERT_STALE_REMOVED')).toHaveLength(1);
    expect(c.logs.withEvent('CAKC017')).toEqual([expect.objectContaining({ reason: 'key_mismatch' })]);
    expect(fake.logins).toHaveLength(1);
    expect(readFileSync(dirs.tokenFile, 'utf8')).toBe(fake.tokens[0]);
  });

  it('waits for a certificate that arrives 3 s after the 202, logging CERT_WAITING with the elapsed time', async () => {
    const dirs = makePodDirs();
    const fake = track(await startFake(dirs, { injectDelayMs: 3000 }));
    const c = trackClient(await startInProcess(await clientEnv(dirs, fake.k8sUrl, { CONTAINER_MODE: 'init' })));
    await waitFor(() => c.exits.length > 0, { timeoutMs: 10_000, message: 'init mode exits' });
    expect(c.exits).toEqual([0]);
    const waiting = c.logs.withEvent('CERT_WAITING');
    expect(waiting.length).toBeGreaterThanOrEqual(1);
    expect(waiting[0]?.['elapsed_ms']).toBeGreaterThanOrEqual(2000);
    expect(c.logs.withEvent('CAKC015')).toEqual([]);
  });

  it('renews a 6 s certificate at about 4 s while the token stays valid', async () => {
    const dirs = makePodDirs();
    const fake = track(await startFake(dirs, { certTtlMs: 6000, tokenTtlSeconds: 600 }));
    const c = trackClient(await startInProcess(await clientEnv(dirs, fake.k8sUrl)));
    await waitFor(() => c.logs.withEvent('CAKC036').length >= 2, { timeoutMs: 10_000, message: 'second login' });
    const [first, second] = c.logs.withEvent('CAKC036').map((l) => Date.parse(l['time'] as string));
    const gap = (second as number) - (first as number);
    expect(gap).toBeGreaterThan(3000);
    expect(gap).toBeLessThan(5500);
    expect(c.logs.withEvent('CAKC038')).toHaveLength(1);
    await waitFor(() => c.logs.withEvent('CAKC035').length >= 2, { timeoutMs: 5000, message: 'token after renewal' });
    expect(fake.logins).toHaveLength(2);
  });

  it('refreshes the token at 2/3 of its life without logging in again', async () => {
    const dirs = makePodDirs();
    const fake = track(await startFake(dirs, { tokenTtlSeconds: 3 }));
    const c = trackClient(await startInProcess(await clientEnv(dirs, fake.k8sUrl)));
    await waitFor(() => fake.tokens.length >= 2 && readFileSync(dirs.tokenFile, 'utf8') === fake.tokens[1], { timeoutMs: 8000, message: 'second token written' });
    expect(fake.logins).toHaveLength(1);
    const delays = c.logs.withEvent('CAKC047').map((l) => l['delay_ms'] as number);
    expect(delays[0]).toBeGreaterThanOrEqual(1000);
    expect(delays[0]).toBeLessThanOrEqual(2000);
  });

  it('names the server status, error code and request id of a refused authenticate, then logs in again', async () => {
    const dirs = makePodDirs();
    const fake: FakeConjur = track(await startFake(dirs));
    fake.failNext('authenticate', 401, JSON.stringify({ error: { code: 'authentication_failed', message: 'pod check failed', request_id: 'req-42' } }));
    const c = trackClient(await startInProcess(await clientEnv(dirs, fake.k8sUrl)));
    await waitFor(() => c.logs.withEvent('CAKC035').length >= 1, { timeoutMs: 10_000, message: 'token after the 401' });
    expect(c.logs.withEvent('CAKC016')[0]).toMatchObject({ cause: 'http_status', status: 401, error_code: 'authentication_failed', request_id: 'req-42' });
    expect(fake.logins).toHaveLength(2); // the cert is dropped on 401
  });

  it('serves /healthz, and /readyz only once a fresh token file exists', async () => {
    const dirs = makePodDirs();
    const fake = track(await startFake(dirs, { injectDelayMs: 1500 }));
    const port = await freePort();
    const c = trackClient(await startInProcess(await clientEnv(dirs, fake.k8sUrl, { PODID_HEALTH_PORT: String(port), PODID_HEALTH_HOST: '127.0.0.1' })));
    const get = async (path: string) => (await fetch(`http://127.0.0.1:${port}${path}`)).status;
    expect(await get('/healthz')).toBe(200);
    expect(await get('/readyz')).toBe(503);
    await waitFor(() => c.logs.withEvent('CAKC035').length >= 1, { timeoutMs: 10_000, message: 'first token' });
    expect(await get('/readyz')).toBe(200);
    rmSync(dirs.tokenFile);
    expect(await get('/readyz')).toBe(503);
  });
});
