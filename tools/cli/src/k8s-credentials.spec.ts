import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { X509Certificate } from 'node:crypto';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { startSimulator, type Simulator } from '@podid/k8s-sim';
import { tmpDir } from '@podid/testkit';
import { createK8sCredentials, rbacBindingYaml } from './k8s-credentials';
import { bootstrapSecrets } from './secrets-bootstrap';

const RBAC = join(__dirname, '../../../deploy/base/rbac.yaml');

describe('podid k8s-credentials create', () => {
  let sim: Simulator;
  let admin: KubeConfig;

  beforeAll(async () => {
    sim = await startSimulator({ stateDir: tmpDir(), manifests: [RBAC, join(__dirname, '../../../deploy/local/cluster')] });
    admin = new KubeConfig();
    admin.loadFromString(sim.adminKubeconfigYaml());
  });
  afterAll(() => sim.stop());

  it('gets a client certificate through the CSR API and writes a kubeconfig that works with the printed RBAC', async () => {
    const lines: string[] = [];
    const issued = await createK8sCredentials(
      admin,
      { user: 'podid-authenticator', groups: ['podid'], expirationSeconds: 86_400, approve: true, waitMs: 10_000 },
      (l) => lines.push(l),
    );
    expect(lines.join('\n')).toMatch(/submitted CertificateSigningRequest .* \(signer kubernetes.io\/kube-apiserver-client\)/);
    const cert = new X509Certificate(issued.certPem);
    expect(cert.subject).toContain('CN=podid-authenticator');
    expect(issued.kubeconfigYaml).not.toContain('BEGIN');

    const kc = new KubeConfig();
    kc.loadFromString(issued.kubeconfigYaml);
    expect(kc.getCurrentUser()?.certData).toBeTruthy();
    const core = kc.makeApiClient(CoreV1Api);
    // Before the binding: authenticated, but not authorised.
    await expect(core.listNamespacedPod({ namespace: 'demo' })).rejects.toMatchObject({ code: 403 });
    for (const doc of parseAllDocuments(rbacBindingYaml('podid-authenticator'))) await sim.apply(doc.toJSON() as object);
    const pods = await core.listNamespacedPod({ namespace: 'demo' });
    expect(pods.items.map((p) => p.metadata?.name)).toContain('demo-pod');
    await expect(core.listNamespacedSecret({ namespace: 'podid' })).rejects.toMatchObject({ code: 403 });
  });

  it('binds the OIDC discovery role a user needs for a local JWKS review', () => {
    const roles = parseAllDocuments(rbacBindingYaml('podid-authenticator')).map((d) => (d.toJSON() as { roleRef: { name: string } }).roleRef.name);
    expect(roles).toEqual(['system:auth-delegator', 'system:service-account-issuer-discovery', 'podid-pod-verifier', 'podid-cert-injector']);
  });

  it('times out with the approval command when nobody approves', async () => {
    await expect(
      createK8sCredentials(admin, { user: 'nobody', groups: [], expirationSeconds: 3600, approve: false, waitMs: 600 }, () => undefined),
    ).rejects.toThrow(/kubectl certificate approve podid-nobody-/);
  });

  it('bootstraps the install Secrets once, and leaves them alone on a second run', async () => {
    const opts = { namespace: 'podid', authenticators: ['dev-cluster'], gatewayHosts: ['podid.example.com'], now: new Date() };
    const first = await bootstrapSecrets(admin, opts, () => undefined);
    expect(first).toEqual(
      expect.arrayContaining(['podid-internal-ca', 'podid-internal-tls-gateway', 'podid-internal-tls-token-issuer', 'podid-gateway-tls', 'podid-ca-dev-cluster', 'podid-token-keys']),
    );
    expect(await bootstrapSecrets(admin, opts, () => undefined)).toEqual([]);
    const secret = await admin.makeApiClient(CoreV1Api).readNamespacedSecret({ namespace: 'podid', name: 'podid-gateway-tls' });
    const cert = new X509Certificate(Buffer.from(secret.data!['tls.crt']!, 'base64'));
    expect(cert.subjectAltName).toContain('DNS:podid.example.com');
  });
});
