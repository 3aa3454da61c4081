import { generateKeyPairSync, sign, X509Certificate } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AuthenticationV1Api, CertificatesV1Api, CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import forge from 'node-forge';
import { bitString, ctx, oid, seq, smallInt } from './der';
import { encodeName } from './pki';
import { startTestSim, waitFor } from './sim-fixture';
import { startSimulator } from './simulator';
import type { Simulator } from './types';

let sim: Simulator;
let stateDir: string;
let cleanup: () => Promise<void>;
let admin: KubeConfig;

const kcFor = (yaml: string) => {
  const kc = new KubeConfig();
  kc.loadFromString(yaml);
  return kc;
};

/** An RSA CSR made with node-forge, as a CLI would. */
function forgeCsr(cn: string, orgs: string[]): { csrPem: string; keyPem: string } {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const keyPem = privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
  const csr = forge.pki.createCertificationRequest();
  csr.publicKey = forge.pki.publicKeyFromPem(publicKey.export({ type: 'spki', format: 'pem' }).toString());
  csr.setSubject([{ name: 'commonName', value: cn }, ...orgs.map((o) => ({ name: 'organizationName', value: o }))]);
  csr.sign(forge.pki.privateKeyFromPem(keyPem), forge.md.sha256.create());
  return { csrPem: forge.pki.certificationRequestToPem(csr), keyPem };
}

/** An EC P-256 CSR, built by hand (forge cannot do EC). */
function ecCsr(cn: string, orgs: string[]): { csrPem: string; keyPem: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const info = seq(smallInt(0), encodeName(cn, orgs), publicKey.export({ type: 'spki', format: 'der' }), ctx(0, Buffer.alloc(0)));
  const der = seq(info, seq(oid('1.2.840.10045.4.3.2')), bitString(sign('sha256', info, privateKey)));
  const b64 = der.toString('base64').replace(/(.{64})/g, '$1\n');
  return { csrPem: `-----BEGIN CERTIFICATE REQUEST-----\n${b64}\n-----END CERTIFICATE REQUEST-----\n`, keyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() };
}

/** Creates, approves and reads back a CSR; returns a kubeconfig using the issued certificate. */
async function issueThroughCsr(name: string, made: { csrPem: string; keyPem: string }): Promise<{ kc: KubeConfig; certPem: string }> {
  const certs = admin.makeApiClient(CertificatesV1Api);
  const created = await certs.createCertificateSigningRequest({
    body: {
      metadata: { name },
      spec: { request: Buffer.from(made.csrPem).toString('base64'), signerName: 'kubernetes.io/kube-apiserver-client', usages: ['client auth'], expirationSeconds: 3600 },
    },
  });
  expect(created.spec.username).toBe('admin');
  expect(created.status?.certificate).toBeUndefined();
  created.status = { conditions: [{ type: 'Approved', status: 'True', reason: 'Test', message: 'approved by the spec' }] };
  const approved = await certs.replaceCertificateSigningRequestApproval({ name, body: created });
  // As kube-controller-manager does: the certificate comes after the approval, not in its response.
  expect(approved.status?.certificate).toBeUndefined();
  const read = await waitFor('the signer to issue', async () => {
    const r = await certs.readCertificateSigningRequest({ name });
    return r.status?.certificate ? r : undefined;
  });
  expect(read.status?.conditions?.[0]?.type).toBe('Approved');
  const certPem = Buffer.from(read.status?.certificate ?? '', 'base64').toString();
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'c', server: sim.url, caData: Buffer.from(sim.caPem).toString('base64') }],
    users: [{ name: 'u', certData: Buffer.from(certPem).toString('base64'), keyData: Buffer.from(made.keyPem).toString('base64') }],
    contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
    currentContext: 'x',
  });
  return { kc, certPem };
}

beforeAll(async () => {
  ({ sim, stateDir, cleanup } = await startTestSim({ sandbox: 'none' }));
  admin = kcFor(sim.adminKubeconfigYaml());
});
afterAll(async () => {
  await sim.stop();
  await cleanup();
});

describe('certificates.k8s.io CSRs', () => {
  it('issues an approved RSA (forge) CSR with its CN/O, usable as a client certificate', async () => {
    const { kc, certPem } = await issueThroughCsr('csr-rsa', forgeCsr('csr-user', ['team-a', 'team-b']));
    const cert = new X509Certificate(certPem);
    expect(cert.verify(new X509Certificate(sim.caPem).publicKey)).toBe(true);
    expect(new Date(cert.validTo).getTime() - Date.now()).toBeLessThanOrEqual(3600_000);
    const me = await kc.makeApiClient(AuthenticationV1Api).createSelfSubjectReview({ body: {} });
    expect(me.status?.userInfo).toMatchObject({ username: 'csr-user', groups: ['team-a', 'team-b', 'system:authenticated'] });
  });

  it('issues for EC P-256 requests too', async () => {
    const { kc } = await issueThroughCsr('csr-ec', ecCsr('ec-user', ['team-ec']));
    const me = await kc.makeApiClient(AuthenticationV1Api).createSelfSubjectReview({ body: {} });
    expect(me.status?.userInfo).toMatchObject({ username: 'ec-user', groups: ['team-ec', 'system:authenticated'] });
  });

  it('refuses unparsable requests with 422, and lists and deletes CSRs', async () => {
    const certs = admin.makeApiClient(CertificatesV1Api);
    const bad = certs.createCertificateSigningRequest({ body: { metadata: { name: 'bad' }, spec: { request: Buffer.from('nope').toString('base64'), signerName: 'x/y' } } });
    await expect(bad).rejects.toMatchObject({ code: 422 });
    const list = await certs.listCertificateSigningRequest();
    expect(list.items.map((c) => c.metadata?.name)).toEqual(['csr-ec', 'csr-rsa']);
    await certs.deleteCertificateSigningRequest({ name: 'csr-ec' });
    await expect(certs.readCertificateSigningRequest({ name: 'csr-ec' })).rejects.toMatchObject({ code: 404 });
  });
});

describe('persistent keys', () => {
  it('reuses the CA and token secret on restart, and names a corrupt file', async () => {
    const tokenKc = sim.kubeconfigYaml({ user: 'root', groups: ['system:masters'], auth: 'token' });
    const certKc = sim.adminKubeconfigYaml();
    const caPem = sim.caPem;
    await sim.stop();
    sim = await startSimulator({ stateDir });
    expect(sim.caPem).toBe(caPem);
    for (const yaml of [tokenKc, certKc]) {
      const kc = kcFor(yaml);
      kc.clusters[0] = { ...kc.clusters[0]!, server: sim.url };
      expect((await kc.makeApiClient(CoreV1Api).readNamespace({ name: 'default' })).metadata?.name).toBe('default');
    }
    await sim.stop();
    const caFile = join(stateDir, 'k8s-sim', 'ca.crt');
    writeFileSync(caFile, 'not a certificate');
    await expect(startSimulator({ stateDir })).rejects.toThrow(caFile);
    sim = await startSimulator({ stateDir: join(stateDir, 'fresh') });
  });
});
