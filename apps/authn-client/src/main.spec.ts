import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, spawnNode, waitFor, type ChildHandle } from '@podid/testkit';
import { clientEnv, filesContaining, makePodDirs, removePodDirs, startFake } from './testing/client-harness';
import type { FakeConjur } from './testing/fake-conjur-server';

const MAIN = join(__dirname, '../dist/main.js');

describe('authn-client process (dist/main.js)', () => {
  let fake: FakeConjur | undefined;
  const children: ChildHandle[] = [];
  beforeAll(() => {
    if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run npm run build in apps/authn-client first`);
  });
  afterEach(async () => {
    try {
      await Promise.all(children.splice(0).map((c) => c.stop('SIGKILL')));
      await fake?.stop();
    } finally {
      fake = undefined;
      removePodDirs(); // even when a stop failed: the temp dirs must not outlive the test
    }
  });
  const exitOf = (c: ChildHandle) => new Promise<number | null>((resolve) => (c.child.exitCode !== null ? resolve(c.child.exitCode) : c.child.once('exit', (code) => resolve(code))));

  it('init mode writes the token and exits 0, with no key material on disk and no token in its output', async () => {
    const dirs = makePodDirs();
    fake = await startFake(dirs);
    const child = spawnNode(MAIN, await clientEnv(dirs, fake.k8sUrl, { CONTAINER_MODE: 'init' }));
    children.push(child);
    expect(await exitOf(child)).toBe(0);
    const token = readFileSync(dirs.tokenFile, 'utf8');
    expect(token).toBe(fake.tokens[0]);
    expect(child.lines.map((l) => l['event']).filter(Boolean)).toEqual(expect.arrayContaining(['CAKC048', 'CAKC036', 'CAKC035', 'CLIENT_INIT_DONE']));
    const out = JSON.stringify(child.lines) + child.stderr();
    expect(out).not.toContain((JSON.parse(token) as { signature: string }).signature);
    expect(out).not.toContain('PRIVATE KEY');
    expect(filesContaining([dirs.certDir, dirs.tokenDir], 'PRIVATE KEY')).toEqual([]);
  });

  it('sidecar: serves /healthz and /readyz, then exits 0 promptly on SIGTERM', async () => {
    const dirs = makePodDirs();
    fake = await startFake(dirs);
    const port = await freePort();
    const child = spawnNode(MAIN, await clientEnv(dirs, fake.k8sUrl, { PODID_HEALTH_PORT: String(port), PODID_HEALTH_HOST: '127.0.0.1' }));
    children.push(child);
    await child.waitForEvent('CAKC035');
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
    expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(200);
    const t0 = Date.now();
    expect(await child.stop('SIGTERM')).toBe(0);
    expect(Date.now() - t0).toBeLessThan(2000);
    await waitFor(() => child.lines.some((l) => l['event'] === 'SERVICE_STOPPED'), { timeoutMs: 1000, message: 'SERVICE_STOPPED logged' });
  });

  it('exits 1 with one stderr line per bad variable', async () => {
    const child = spawnNode(MAIN, { CONJUR_AUTHN_URL: 'https://c/authn-k8s/x', CONJUR_ACCOUNT: 'a', CONJUR_AUTHN_LOGIN: 'host/a', MY_POD_NAME: 'p', MY_POD_NAMESPACE: 'n', PODID_CERT_WAIT: 'soon', CONJUR_CERT_FILE: '/nonexistent/ca.pem' });
    children.push(child);
    expect(await exitOf(child)).toBe(1);
    expect(child.stderr().trim().split('\n')).toEqual(['authn-client: config error: PODID_CERT_WAIT="soon": expected a duration such as 5m (1s..1h)']);
    const second = spawnNode(MAIN, { CONJUR_AUTHN_URL: 'https://c/authn-k8s/x', CONJUR_ACCOUNT: 'a', CONJUR_AUTHN_LOGIN: 'host/a', MY_POD_NAME: 'p', MY_POD_NAMESPACE: 'n', CONJUR_CERT_FILE: '/nonexistent/ca.pem' });
    children.push(second);
    expect(await exitOf(second)).toBe(1);
    expect(second.stderr().trim().split('\n')).toEqual(['authn-client: config error: CONJUR_CERT_FILE="/nonexistent/ca.pem": expected a readable PEM file (ENOENT)']);
  });
});
