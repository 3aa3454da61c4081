import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, makeTestPki, waitFor } from '@podid/testkit';
import { clientEnv, makePodDirs, removePodDirs, startFake, startInProcess, type InProcessClient } from './testing/client-harness';

describe('authn-client under failures', () => {
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

  it('retries while the gateway is down at start, naming the refused connection, then succeeds once it is up', async () => {
    const dirs = makePodDirs();
    const port = await freePort();
    const c = trackClient(await startInProcess(await clientEnv(dirs, `https://127.0.0.1:${port}/authn-k8s/svc`)));
    await waitFor(() => c.logs.withEvent('CAKC015').length >= 2, { timeoutMs: 5000, message: 'two failed logins' });
    const failures = c.logs.withEvent('CAKC015');
    expect(failures[0]).toMatchObject({ cause: 'connection_refused' });
    expect(failures.every((f) => (f['retry_in_ms'] as number) <= 1000)).toBe(true);
    const fake = track(await startFake(dirs, { port }));
    await waitFor(() => c.logs.withEvent('CAKC035').length >= 1, { timeoutMs: 5000, message: 'token after the gateway came up' });
    expect(fake.tokens).toHaveLength(1);
  });

  it('survives a gateway restart mid-way and refreshes the token after it', async () => {
    const dirs = makePodDirs();
    const fake = track(await startFake(dirs, { tokenTtlSeconds: 3 }));
    const c = trackClient(await startInProcess(await clientEnv(dirs, fake.k8sUrl)));
    await waitFor(() => c.logs.withEvent('CAKC035').length >= 1, { timeoutMs: 5000, message: 'first token' });
    await fake.stop();
    await waitFor(() => c.logs.withEvent('CAKC016').length >= 1, { timeoutMs: 5000, message: 'refresh fails while down' });
    expect(c.logs.withEvent('CAKC016')[0]).toMatchObject({ cause: 'connection_refused' });
    await fake.start();
    await waitFor(() => c.logs.withEvent('CAKC035').length >= 2, { timeoutMs: 5000, message: 'token after restart' });
    expect(fake.logins).toHaveLength(1); // the in-memory cert is still valid: no new login needed
  });

  it('names a TLS verification failure when the server certificate is not trusted', async () => {
    const dirs = makePodDirs();
    const fake = track(await startFake(dirs));
    const other = await makeTestPki('other');
    const c = trackClient(await startInProcess(await clientEnv(dirs, fake.k8sUrl, { CONJUR_SSL_CERTIFICATE: other.ca.certPem })));
    await waitFor(() => c.logs.withEvent('CAKC015').length >= 1, { timeoutMs: 5000, message: 'failed login' });
    expect(c.logs.withEvent('CAKC015')[0]).toMatchObject({ cause: 'tls' });
    expect(fake.logins).toHaveLength(0);
  });

  it('times out waiting for a certificate that is never injected (CAKC033), and retries', async () => {
    const dirs = makePodDirs();
    const fake = track(await startFake(dirs, { skipInjection: true }));
    const c = trackClient(await startInProcess(await clientEnv(dirs, fake.k8sUrl, { PODID_CERT_WAIT: '1s' })));
    await waitFor(() => fake.logins.length >= 2, { timeoutMs: 5000, message: 'a second login after the timeout' });
    expect(c.logs.withEvent('CAKC015')[0]).toMatchObject({ cause: 'cert_wait_timeout' });
    expect(c.logs.withEvent('CAKC033')).toHaveLength(1);
  });

  it('init mode gives up after PODID_INIT_TIMEOUT with exit code 1', async () => {
    const dirs = makePodDirs();
    const port = await freePort();
    const c = trackClient(await startInProcess(await clientEnv(dirs, `https://127.0.0.1:${port}/authn-k8s/svc`, { CONTAINER_MODE: 'init', PODID_INIT_TIMEOUT: '1s' })));
    await waitFor(() => c.exits.length > 0, { timeoutMs: 5000, message: 'init mode gives up' });
    expect(c.exits).toEqual([1]);
    expect(c.logs.withEvent('CAKC031')).toHaveLength(1);
  });

  it('stops promptly while waiting for a certificate', async () => {
    const dirs = makePodDirs();
    const fake = track(await startFake(dirs, { skipInjection: true }));
    const c = await startInProcess(await clientEnv(dirs, fake.k8sUrl));
    await waitFor(() => fake.logins.length >= 1, { timeoutMs: 5000, message: 'login sent' });
    const t0 = Date.now();
    await c.client.stop();
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(await c.client.finished).toBe('stopped');
    expect(c.exits).toEqual([]);
  });

  it('authn-jwt flow: posts jwt=<service-account token> and writes the token', async () => {
    const dirs = makePodDirs();
    const fake = track(await startFake(dirs));
    const jwtPath = join(dirs.certDir, 'sa-token');
    writeFileSync(jwtPath, 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzeXN0ZW0ifQ.c2ln\n');
    const c = trackClient(
      await startInProcess(await clientEnv(dirs, fake.jwtUrl, { CONTAINER_MODE: 'init', JWT_TOKEN_PATH: jwtPath, CONJUR_AUTHN_LOGIN: '', MY_POD_NAME: '' })),
    );
    await waitFor(() => c.exits.length > 0, { timeoutMs: 5000, message: 'init mode exits' });
    expect(c.exits).toEqual([0]);
    expect(fake.jwtBodies).toEqual(['jwt=eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzeXN0ZW0ifQ.c2ln']);
    expect(fake.logins).toEqual([]);
    expect(c.logs.text).not.toContain('c2ln');
  });
});
