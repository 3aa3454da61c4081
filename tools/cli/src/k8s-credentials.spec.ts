import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { X509Certificate } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { startSimulator, type Simulator } from '@podid/k8s-sim';
import { tmpDir } from '@podid/testkit';
import { clusterKubeConfig } from '@podid/kube';
import { clusterEntryHint, createK8sCredentials, rbacBindingYaml } from './k8s-credentials';
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
    expect(pods.items.map((p) => p.metadata?.name)).toContain('demo-db-0');
    await expect(core.listNamespacedSecret({ namespace: 'podid' })).rejects.toMatchObject({ code: 403 });
  });

  it('embeds the cluster CA even when the admin kubeconfig names it by a file path (the result is for a Secret in a pod)', async () => {
    const dir = tmpDir();
    const caFile = join(dir, 'ca.crt');
    const cluster = admin.getCurrentCluster()!;
    writeFileSync(caFile, Buffer.from(cluster.caData!, 'base64'));
    const byFile = new KubeConfig();
    byFile.loadFromOptions({
      clusters: [{ name: cluster.name, server: cluster.server, caFile }],
      users: [admin.getCurrentUser()!],
      contexts: [{ name: 'admin', cluster: cluster.name, user: admin.getCurrentUser()!.name }],
      currentContext: 'admin',
    });
    const issued = await createK8sCredentials(byFile, { user: 'podid-by-file', groups: [], expirationSeconds: 86_400, approve: true, waitMs: 10_000 }, () => {});
    expect(issued.kubeconfigYaml).not.toContain(caFile);
    const kc = new KubeConfig();
    kc.loadFromString(issued.kubeconfigYaml);
    expect(kc.getCurrentCluster()?.caFile).toBeUndefined();
    expect(Buffer.from(kc.getCurrentCluster()!.caData!, 'base64').toString()).toBe(Buffer.from(cluster.caData!, 'base64').toString());
    // It works from anywhere: the file is not needed.
    rmSync(caFile);
    await expect(kc.makeApiClient(CoreV1Api).listNamespacedPod({ namespace: 'demo' })).rejects.toMatchObject({ code: 403 });
  });

  it('names the cluster as the clusters file does, and podid connects with it through that entry', async () => {
    const issued = await createK8sCredentials(admin, { user: 'podid-pod-verifier-qa', groups: [], expirationSeconds: 86_400, approve: true, waitMs: 10_000, cluster: 'qa' }, () => undefined);
    const out = join(tmpDir(), 'qa.kubeconfig');
    writeFileSync(out, issued.kubeconfigYaml, { mode: 0o600 });
    const { kc, source } = clusterKubeConfig({ name: 'qa', trustDomain: 'cluster.local', credentials: { kind: 'kubeconfig', kubeconfig: out } });
    expect(source).toBe('kubeconfig-client-cert');
    expect(kc.getCurrentCluster()?.name).toBe('qa');
    expect(kc.getCurrentContext()).toBe('podid-pod-verifier-qa@qa');
    // Authenticated as the new user: 403 before any binding, not 401.
    await expect(kc.makeApiClient(CoreV1Api).listNamespacedPod({ namespace: 'demo' })).rejects.toMatchObject({ code: 403 });
    expect(clusterEntryHint('qa', 'podid-pod-verifier-qa', out)).toContain('  - name: qa\n    kubeconfig: /var/run/podid/clusters/qa.kubeconfig');
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
