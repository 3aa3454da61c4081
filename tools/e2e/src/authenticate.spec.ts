import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createLocalJWKSet, flattenedVerify, jwtVerify } from 'jose';
import type { Suite } from './support/e2e-suite';
import { X509Certificate } from 'node:crypto';
import { createCa, loadSigningCa, signLeaf, checkCsr, generateKeyPair, exportPrivateKeyPem, randomSerialHex, signingAlgorithm, x509 } from '@podid/x509';
import { HOST, POD, startE2eSuite, servedJwks } from './support/e2e-suite';
import { httpsCall, eventually, waitFor, type HttpsAnswer } from '@podid/testkit';
import { authenticate, certificateLogin, podCsr, splitHostId } from './support/pod-login';

/** mTLS authenticate acceptance (docs/security-model.md, invariant 2): every refusal is a 401 with no token and its own code. */
const DEPLOYMENT_POD_UID = '6a1b4a0e-0d5c-4c43-9a51-2f0e6f9b0b03';
const BARE_POD_UID = '8c3d6c20-2f7e-4e65-9c73-4a2a8abd2d01';

describe('e2e: authn-k8s authenticate', () => {
  let suite: Suite;
  let cert: { certPem: string; keyPem: string };
  beforeAll(async () => {
    suite = await startE2eSuite();
    cert = await certificateLogin(suite, { hostId: HOST.deployment, namespace: 'demo', pod: POD.deployment });
  }, 120_000);
  afterAll(() => suite?.stop());

  /** The stable code of a refused authenticate: its audit line and its own AUTHN_* line, matched by request id. */
  const refusalCode = async (r: HttpsAnswer): Promise<string> => {
    const mine = () => suite.logs('gateway').filter((l) => l['request_id'] === r.headers['x-request-id']);
    const audit = await waitFor(() => mine().find((l) => l['event'] === 'AUDIT_AUTHENTICATE'), { message: `audit line of ${String(r.headers['x-request-id'])}` });
    expect(audit).toMatchObject({ result: 'failure' });
    expect(mine().map((l) => l['event'])).toContain(audit['code']);
    return String(audit['code']);
  };

  /** A leaf signed in the test with ca-signer's own CA key from the state dir (PODID_CA_DIR=<state>/ca). */
  const signedByStateCa = async (serviceId: string, o: { hostId: string; pod: string; podUid: string; notBefore: Date }) => {
    const dir = join(suite.stateDir, 'ca', serviceId);
    const ca = await loadSigningCa({ certPem: readFileSync(join(dir, 'ca.pem'), 'utf8'), keyPem: readFileSync(join(dir, 'ca-key.pem'), 'utf8') }, dir);
    const { csrPem, keyPem } = await podCsr({ cn: 'x', namespace: 'demo', pod: o.pod });
    const leaf = await signLeaf({
      ca,
      csr: checkCsr(csrPem),
      commonName: ['host', ...o.hostId.split('/')].join('.'),
      spiffeId: `spiffe://cluster.local/namespace/demo/podname/${o.pod}`,
      podUid: o.podUid,
      cluster: 'default',
      ttlMs: 600_000,
      now: o.notBefore,
    });
    return { certPem: leaf.certPem, keyPem };
  };

  const refusedWithoutToken = (r: { status: number; body: string }) => {
    expect(r.status).toBe(401);
    expect(JSON.parse(r.body).error.code).toBe('authentication_failed');
    expect(r.body).not.toMatch(/"protected"|eyJ/);
  };

  it('issues a token that verifies against the served JWKS, in JSON and compact form', async () => {
    const jwks = await servedJwks(suite);
    const keys = createLocalJWKSet(jwks);
    const json = await authenticate(suite, { hostId: HOST.deployment, cert: cert.certPem, key: cert.keyPem });
    expect(json.status).toBe(200);
    const flat = await flattenedVerify(JSON.parse(json.body), keys);
    const claims = JSON.parse(new TextDecoder().decode(flat.payload));
    expect(claims).toMatchObject({ sub: `host/${HOST.deployment}`, iss: suite.gatewayUrl, k8s: { namespace: 'demo', pod: POD.deployment, service_account: 'demo-sa', authenticator: 'authn-k8s/dev' } });
    expect(claims.exp - claims.iat).toBe(480);
    const compact = await authenticate(suite, { hostId: HOST.deployment, cert: cert.certPem, key: cert.keyPem, headers: { accept: 'application/jwt' } });
    const { payload, protectedHeader } = await jwtVerify(compact.body, keys, { issuer: suite.gatewayUrl });
    expect(protectedHeader).toMatchObject({ alg: 'ES256', kid: expect.any(String) });
    expect(payload.sub).toBe(`host/${HOST.deployment}`);
  });

  it('refuses without a client certificate', async () => {
    refusedWithoutToken(await authenticate(suite, { hostId: HOST.deployment }));
  });

  it('refuses a self-signed look-alike with the same subject and SANs', async () => {
    const fake = await createCa({ commonName: 'look-alike', now: new Date(), ttlMs: 3_600_000 });
    const { csrPem, keyPem } = await podCsr({ cn: 'x', namespace: 'demo', pod: POD.deployment });
    const leaf = await signLeaf({
      ca: await loadSigningCa(fake, 'look-alike'),
      csr: checkCsr(csrPem),
      commonName: ['host', ...HOST.deployment.split('/')].join('.'),
      spiffeId: `spiffe://cluster.local/namespace/demo/podname/${POD.deployment}`,
      podUid: '6a1b4a0e-0d5c-4c43-9a51-2f0e6f9b0b03',
      cluster: 'default',
      ttlMs: 3_600_000,
      now: new Date(),
    });
    refusedWithoutToken(await authenticate(suite, { hostId: HOST.deployment, cert: leaf.certPem, key: keyPem }));
  });

  it("refuses a certificate from another authenticator's CA, for a host and pod that dev permits", async () => {
    // Only the CA check stands: the host is dev's, its CN and SANs are right, the pod meets its restrictions and has that uid.
    await certificateLogin(suite, { serviceId: 'other', hostId: 'conjur/authn-k8s/other/apps/demo-pod', namespace: 'demo', pod: POD.barePod });
    const leaf = await signedByStateCa('other', { hostId: HOST.barePod, pod: POD.barePod, podUid: BARE_POD_UID, notBefore: new Date() });
    const r = await authenticate(suite, { hostId: HOST.barePod, cert: leaf.certPem, key: leaf.keyPem });
    refusedWithoutToken(r);
    expect(await refusalCode(r)).toBe('AUTHN_CERT_UNTRUSTED');
  });

  it('refuses an expired certificate of the right CA', async () => {
    const leaf = await signedByStateCa('dev', { hostId: HOST.deployment, pod: POD.deployment, podUid: DEPLOYMENT_POD_UID, notBefore: new Date(Date.now() - 3_600_000) });
    const r = await authenticate(suite, { hostId: HOST.deployment, cert: leaf.certPem, key: leaf.keyPem });
    refusedWithoutToken(r);
    expect(await refusalCode(r)).toBe('AUTHN_CERT_EXPIRED');
  });

  it('refuses a serverAuth-only or a two-SPIFFE-SAN leaf of the right CA, for a live pod', async () => {
    // Signed in the test with ca-signer's own CA key; CN, pod and uid are those of the real, live pod.
    const dir = join(suite.stateDir, 'ca', 'dev');
    const ca = await loadSigningCa({ certPem: readFileSync(join(dir, 'ca.pem'), 'utf8'), keyPem: readFileSync(join(dir, 'ca-key.pem'), 'utf8') }, dir);
    const realSans = new X509Certificate(cert.certPem).subjectAltName!.split(', ').map((s) => s.replace(/^URI:/, ''));
    const forge = async (eku: string, sans: string[]) => {
      const keys = await generateKeyPair('ec-p256');
      const leaf = await x509.X509CertificateGenerator.create({
        serialNumber: randomSerialHex(),
        subject: [{ CN: [['host', ...HOST.deployment.split('/')].join('.')] }],
        issuer: ca.cert.subjectName.toJSON(),
        notBefore: new Date(Date.now() - 60_000),
        notAfter: new Date(Date.now() + 600_000),
        publicKey: keys.publicKey,
        signingKey: ca.privateKey,
        signingAlgorithm: signingAlgorithm(ca.algorithm),
        extensions: [
          new x509.BasicConstraintsExtension(false, undefined, true),
          new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
          new x509.ExtendedKeyUsageExtension([eku]),
          new x509.SubjectAlternativeNameExtension(sans.map((value) => ({ type: 'url' as const, value }))),
        ],
      });
      return { cert: leaf.toString('pem'), key: await exportPrivateKeyPem(keys.privateKey) };
    };
    const serverOnly = await authenticate(suite, { hostId: HOST.deployment, ...(await forge(x509.ExtendedKeyUsage.serverAuth, realSans)) });
    refusedWithoutToken(serverOnly);
    expect(await refusalCode(serverOnly)).toBe('AUTHN_CERT_USAGE');
    const twoSpiffe = ['spiffe://cluster.local/namespace/kube-system/podname/admin-0', ...realSans];
    const twoSans = await authenticate(suite, { hostId: HOST.deployment, ...(await forge(x509.ExtendedKeyUsage.clientAuth, twoSpiffe)) });
    refusedWithoutToken(twoSans);
    expect(await refusalCode(twoSans)).toBe('AUTHN_SAN_INVALID');
  });

  it('refuses a certificate used for another login whose restrictions its pod meets', async () => {
    // any-demo-sa permits the deployment pod, so only the CN check can refuse.
    const r = await authenticate(suite, { hostId: HOST.anyDemoSa, cert: cert.certPem, key: cert.keyPem });
    refusedWithoutToken(r);
    expect(await refusalCode(r)).toBe('AUTHN_CN_MISMATCH');
  });

  it('ignores a forged X-SSL-Client-Certificate from an untrusted address', async () => {
    refusedWithoutToken(await authenticate(suite, { hostId: HOST.deployment, headers: { 'x-ssl-client-certificate': encodeURIComponent(cert.certPem) } }));
    await eventually(() => expect(suite.logs('gateway').some((l) => l['event'] === 'AUTHN_FORGED_PROXY_HEADER')).toBe(true));
  });

  it('refuses a revoked host', async () => {
    const admin = await certificateLogin(suite, { hostId: HOST.admin, namespace: 'demo', pod: POD.admin });
    const adminToken = (await authenticate(suite, { hostId: HOST.admin, cert: admin.certPem, key: admin.keyPem })).body;
    const bar = await certificateLogin(suite, { hostId: HOST.barePod, namespace: 'demo', pod: POD.barePod });
    expect((await authenticate(suite, { hostId: HOST.barePod, cert: bar.certPem, key: bar.keyPem })).status).toBe(200);
    const rv = await httpsCall(suite.gatewayUrl, {
      method: 'POST',
      path: '/tokens/revoke',
      caPem: suite.gatewayCaPem,
      headers: { 'content-type': 'application/json', authorization: `Token token="${Buffer.from(adminToken).toString('base64')}"` },
      body: JSON.stringify({ host: `host/${HOST.barePod}` }),
    });
    expect(rv.status).toBe(200);
    refusedWithoutToken(await authenticate(suite, { hostId: HOST.barePod, cert: bar.certPem, key: bar.keyPem }));
  });

  it('refuses once the pod is deleted, and when it is recreated with the same name and a new uid', async () => {
    const db = await certificateLogin(suite, { hostId: HOST.statefulSet, namespace: 'demo', pod: POD.statefulSet });
    expect((await authenticate(suite, { hostId: HOST.statefulSet, cert: db.certPem, key: db.keyPem })).status).toBe(200);
    const manifest = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: POD.statefulSet,
        namespace: 'demo',
        labels: { app: 'demo-db' },
        ownerReferences: [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'demo-db', uid: '7b2c5b1f-1e6d-4d54-8b62-3f1f7fac1c01', controller: true }],
      },
      spec: { serviceAccountName: 'demo-sa', containers: [{ name: 'db', image: 'busybox' }, { name: 'authenticator', image: 'podid/authn-client' }] },
      status: { phase: 'Running' },
    };
    await suite.sim.remove('Pod', 'demo', POD.statefulSet);
    refusedWithoutToken(await authenticate(suite, { hostId: HOST.statefulSet, cert: db.certPem, key: db.keyPem }));
    await suite.sim.apply(manifest);
    refusedWithoutToken(await authenticate(suite, { hostId: HOST.statefulSet, cert: db.certPem, key: db.keyPem }));
    // The new pod instance can log in with its own certificate.
    const fresh = await certificateLogin(suite, { hostId: HOST.statefulSet, namespace: 'demo', pod: POD.statefulSet });
    expect((await authenticate(suite, { hostId: HOST.statefulSet, cert: fresh.certPem, key: fresh.keyPem })).status).toBe(200);
  });

  it('keeps the Conjur client split of a host id', () => {
    expect(splitHostId('conjur/authn-k8s/dev/apps/demo-app')).toEqual({ prefix: 'host.conjur.authn-k8s', cn: 'dev.apps.demo-app' });
  });
});
