import { eventually } from '@podid/testkit';
import forge from 'node-forge';
import { generateKeyPairSync, randomBytes, X509Certificate } from 'node:crypto';
import { grantCluster, SLOW_MS, untilAllowed } from './helpers';
import { startTarget, type Target } from './target';

let t: Target;
const cleanups: Array<() => Promise<void>> = [];
const suffix = randomBytes(3).toString('hex');
const CLIENT_SIGNER = 'kubernetes.io/kube-apiserver-client';
const CSRS = '/apis/certificates.k8s.io/v1/certificatesigningrequests';

beforeAll(async () => {
  t = await startTarget();
});
afterAll(async () => {
  for (const c of cleanups) await c();
  await t?.stop();
});

function csrPem(cn: string, orgs: string[] = []): { pem: string; keyPem: string } {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const keyPem = privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
  const csr = forge.pki.createCertificationRequest();
  csr.publicKey = forge.pki.publicKeyFromPem(publicKey.export({ type: 'spki', format: 'pem' }).toString());
  csr.setSubject([{ name: 'commonName', value: cn }, ...orgs.map((o) => ({ name: 'organizationName', value: o }))]);
  csr.sign(forge.pki.privateKeyFromPem(keyPem), forge.md.sha256.create());
  return { pem: forge.pki.certificationRequestToPem(csr), keyPem };
}

let n = 0;
async function createCsr(spec: Record<string, unknown>, pem = csrPem(`conf-csr-${suffix}`).pem) {
  const name = `conf-${suffix}-${(n += 1)}`;
  cleanups.push(async () => void (await t.raw('DELETE', `${CSRS}/${name}`)));
  const body = {
    apiVersion: 'certificates.k8s.io/v1',
    kind: 'CertificateSigningRequest',
    metadata: { name },
    spec: { request: Buffer.from(pem).toString('base64'), signerName: CLIENT_SIGNER, usages: ['client auth', 'digital signature'], ...spec },
  };
  return { name, res: await t.raw('POST', CSRS, { body }) };
}

async function approve(name: string, as?: { user: string }) {
  const current = await t.raw('GET', `${CSRS}/${name}`);
  const body = { ...current.json, status: { conditions: [{ type: 'Approved', status: 'True', reason: 'Conformance', message: 'approved by the conformance suite' }] } };
  return t.raw('PUT', `${CSRS}/${name}/approval`, { body, ...(as ? { as } : {}) });
}

describe('conformance: CertificateSigningRequests', () => {
  it.each([
    ['expirationSeconds under 600', { expirationSeconds: 60 }, 'spec.expirationSeconds'],
    ['no usages', { usages: [] }, 'spec.usages'],
    ['a signerName that is not domain/path', { signerName: 'bogus' }, 'spec.signerName'],
    ['an unknown usage', { usages: ['client auth', 'flying'] }, 'spec.usages'],
  ])('%s is 422 Invalid naming the field', async (_what, spec, field) => {
    const { res } = await createCsr(spec);
    expect(res.status).toBe(422);
    expect(res.json).toMatchObject({ reason: 'Invalid' });
    expect(res.json.message).toContain(field);
  });

  it('a request that is not a CSR is 422 naming spec.request', async () => {
    const { res } = await createCsr({}, 'not a pem');
    expect(res.status).toBe(422);
    expect(res.json.message).toContain('spec.request');
  });

  it('the requester is recorded in spec.username and groups', async () => {
    const { res } = await createCsr({});
    expect(res.status).toBe(201);
    expect(res.json.spec.username).toEqual(expect.any(String));
    expect(res.json.spec.groups).toContain('system:authenticated');
  });

  it('approval returns no certificate; the signer issues it later, and it authenticates its CN', async () => {
    const cn = `conf-signed-${suffix}`;
    const { pem, keyPem } = csrPem(cn, ['conf-group']);
    const { name, res } = await createCsr({ expirationSeconds: 3600 }, pem);
    expect(res.status).toBe(201);
    const approved = await approve(name);
    expect(approved.status).toBe(200);
    expect(approved.json.status.conditions).toEqual([expect.objectContaining({ type: 'Approved', status: 'True' })]);
    expect(approved.json.status.certificate).toBeUndefined();
    const certB64 = await eventually(async () => {
      const c = (await t.raw('GET', `${CSRS}/${name}`)).json.status.certificate as string | undefined;
      expect(c).toEqual(expect.any(String));
      return c as string;
    }, SLOW_MS);
    const certPem = Buffer.from(certB64, 'base64').toString('utf8');
    const cert = new X509Certificate(certPem);
    expect(cert.subject).toContain(`CN=${cn}`);
    const me = await t.raw('POST', '/apis/authentication.k8s.io/v1/selfsubjectreviews', {
      clientCert: { cert: certPem, key: keyPem },
      body: { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' },
    });
    expect(me.status).toBe(201);
    expect(me.json.status.userInfo.username).toBe(cn);
    expect(me.json.status.userInfo.groups).toContain('conf-group');
  });

  it('server auth on the client signer is approved but marked Failed by the signer, never issued', async () => {
    const { name, res } = await createCsr({ usages: ['server auth', 'digital signature'] });
    expect(res.status).toBe(201);
    expect((await approve(name)).status).toBe(200);
    const failed = await eventually(async () => {
      const s = (await t.raw('GET', `${CSRS}/${name}`)).json.status;
      const f = s.conditions?.find((c: { type: string }) => c.type === 'Failed');
      expect(f).toBeDefined();
      return s;
    }, SLOW_MS);
    expect(failed.certificate).toBeUndefined();
  });

  it('a CSR asking for system:masters on the client signer is refused at create', async () => {
    const { res } = await createCsr({}, csrPem(`conf-masters-${suffix}`, ['system:masters']).pem);
    expect(res.status).toBe(403);
    expect(res.json).toMatchObject({ reason: 'Forbidden' });
  });

  it('approving needs approve on signers for the signerName, besides update on the approval subresource', async () => {
    const u = { user: `conf-approver-${suffix}` };
    const { name } = await createCsr({});
    cleanups.push(
      await grantCluster(t, u.user, `conf-approver-${suffix}`, [
        { apiGroups: ['certificates.k8s.io'], resources: ['certificatesigningrequests'], verbs: ['get'] },
        { apiGroups: ['certificates.k8s.io'], resources: ['certificatesigningrequests/approval'], verbs: ['update'] },
      ]),
    );
    await untilAllowed(t, u, { verb: 'update', group: 'certificates.k8s.io', resource: 'certificatesigningrequests', subresource: 'approval' });
    const denied = await approve(name, u);
    expect(denied.status).toBe(403);
    expect(denied.json.message).toContain(CLIENT_SIGNER);
    cleanups.push(
      await grantCluster(t, u.user, `conf-signer-${suffix}`, [{ apiGroups: ['certificates.k8s.io'], resources: ['signers'], resourceNames: [CLIENT_SIGNER], verbs: ['approve'] }]),
    );
    await untilAllowed(t, u, { verb: 'approve', group: 'certificates.k8s.io', resource: 'signers', name: CLIENT_SIGNER });
    expect((await approve(name, u)).status).toBe(200);
  });
});
