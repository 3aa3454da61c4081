import type { InjectRequest } from '@podid/contracts';
import { httpsCall } from '@podid/testkit';
import { makePodCsr } from '../testing/pod-cert';
import { startTestGateway, type TestGateway } from '../testing/test-gateway';

const LOGIN = encodeURIComponent('host/conjur/authn-k8s/dev/apps/demo');
const HOST_LIMIT = 3;

/**
 * A rollout: every new pod of a Deployment logs in once, with a new
 * certificate, as the same host. Those first tokens spend only the pod bucket;
 * tokens on a certificate already used spend the host bucket.
 */
describe('gateway host rate limit over real HTTPS and Redis', () => {
  let t: TestGateway;
  beforeAll(async () => {
    t = await startTestGateway({ PODID_RATE_LIMIT_HOST: `${HOST_LIMIT}/1m` });
  });
  afterAll(() => t.stop());

  const post = (path: string, body: string, headers: Record<string, string>, cert?: { certPem: string; keyPem: string }) =>
    httpsCall(t.url, { method: 'POST', path, caPem: t.caPem, body, headers: { 'content-type': 'text/plain', ...headers }, cert: cert?.certPem, key: cert?.keyPem });

  /** A fresh key and the certificate the gateway had injected for it. */
  async function newCert(): Promise<{ certPem: string; keyPem: string }> {
    const csr = await makePodCsr({ cn: 'demo', namespace: 'demo', pod: 'app-1' });
    const from = t.fakes.calls.length;
    expect((await post('/authn-k8s/dev/inject_client_cert', csr.csrPem, { 'host-id-prefix': 'host.conjur.authn-k8s.dev.apps' })).status).toBe(202);
    const injected = t.fakes.calls.slice(from).find((c) => c.method === 'cert-injector.inject')!.req as InjectRequest;
    return { certPem: injected.certificatePem, keyPem: csr.keyPem };
  }
  const authenticate = (cert: { certPem: string; keyPem: string }) => post(`/authn-k8s/dev/default/${LOGIN}/authenticate`, '', {}, cert);

  it('gives each new certificate its first token past the host limit, then limits tokens on a used certificate', async () => {
    const certs = [];
    for (let i = 0; i < HOST_LIMIT + 2; i++) certs.push(await newCert());
    const first = [];
    for (const c of certs) first.push((await authenticate(c)).status);
    expect(first).toEqual(Array<number>(HOST_LIMIT + 2).fill(200));
    expect(t.logs.withEvent('RATE_LIMITED')).toEqual([]);

    const again = [];
    for (let i = 0; i < HOST_LIMIT + 1; i++) again.push((await authenticate(certs[0]!)).status);
    expect(again).toEqual([...Array<number>(HOST_LIMIT).fill(200), 429]);
    expect(t.logs.withEvent('RATE_LIMITED').at(-1)).toMatchObject({ scope: 'host' });
  });
});
