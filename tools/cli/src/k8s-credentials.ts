import { CertificatesV1Api, KubeConfig, type V1CertificateSigningRequest } from '@kubernetes/client-node';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { exportPrivateKeyPem, generateKeyPair, signingAlgorithm, x509 } from '@podid/x509';

export interface CredentialRequest {
  user: string;
  groups: string[];
  /** Requested lifetime in seconds (the signer may shorten it). */
  expirationSeconds: number;
  /** Approve the CSR ourselves (needs `approve` on the signer). */
  approve: boolean;
  waitMs: number;
  csrName?: string;
  /** The cluster's name in podid's clusters file (docs/clusters.md); names the kubeconfig's cluster. Default: the admin kubeconfig's. */
  cluster?: string;
}

export interface IssuedCredential {
  kubeconfigYaml: string;
  certPem: string;
  notAfter: Date;
  csrName: string;
}

const SIGNER = 'kubernetes.io/kube-apiserver-client';

/**
 * Makes a key and a CSR (CN=user, O=groups), submits it as a
 * certificates.k8s.io/v1 CertificateSigningRequest for the API server client
 * signer, optionally approves it, waits for the certificate, and returns a
 * kubeconfig that uses it. The key never leaves this process except in that
 * kubeconfig.
 */
export async function createK8sCredentials(kc: KubeConfig, req: CredentialRequest, log: (line: string) => void): Promise<IssuedCredential> {
  const keys = await generateKeyPair('ec-p256');
  const name = [`CN=${escapeRdn(req.user)}`, ...req.groups.map((g) => `O=${escapeRdn(g)}`)].join(', ');
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({ name, keys, signingAlgorithm: signingAlgorithm('ec-p256') });
  const csrName = req.csrName ?? `podid-${req.user.replace(/[^a-z0-9-]/gi, '-').toLowerCase()}-${Date.now().toString(36)}`;
  const api = kc.makeApiClient(CertificatesV1Api);
  await api.createCertificateSigningRequest({
    body: {
      apiVersion: 'certificates.k8s.io/v1',
      kind: 'CertificateSigningRequest',
      metadata: { name: csrName },
      spec: {
        request: Buffer.from(csr.toString('pem')).toString('base64'),
        signerName: SIGNER,
        usages: ['client auth'],
        expirationSeconds: req.expirationSeconds,
      },
    },
  });
  log(`submitted CertificateSigningRequest ${csrName} (signer ${SIGNER})`);
  if (req.approve) {
    const current = await api.readCertificateSigningRequest({ name: csrName });
    current.status = {
      ...(current.status ?? {}),
      conditions: [{ type: 'Approved', status: 'True', reason: 'PodidCredentials', message: 'approved by podid k8s-credentials', lastUpdateTime: new Date() }],
    };
    await api.replaceCertificateSigningRequestApproval({ name: csrName, body: current });
    log(`approved ${csrName}`);
  } else {
    log(`waiting for approval: kubectl certificate approve ${csrName}`);
  }
  const certPem = await waitForCertificate(api, csrName, req.waitMs);
  const cert = new X509Certificate(certPem);
  const keyPem = await exportPrivateKeyPem(keys.privateKey);
  if (!cert.checkPrivateKey(createPrivateKey(keyPem))) throw new Error(`CertificateSigningRequest ${csrName}: the issued certificate is not for our key`);
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new Error('the current kubeconfig context has no cluster');
  // The kubeconfig goes into a Secret for pods: a CA named by a file path of this machine would not be there.
  const { caFile, ...rest } = cluster;
  const caData = cluster.caData ?? (caFile ? readFileSync(caFile).toString('base64') : undefined);
  const clusterName = req.cluster ?? cluster.name;
  const out = new KubeConfig();
  out.loadFromOptions({
    clusters: [{ ...rest, name: clusterName, ...(caData ? { caData } : {}) }],
    users: [{ name: req.user, certData: Buffer.from(certPem).toString('base64'), keyData: Buffer.from(keyPem).toString('base64') }],
    contexts: [{ name: `${req.user}@${clusterName}`, cluster: clusterName, user: req.user }],
    currentContext: `${req.user}@${clusterName}`,
  });
  return { kubeconfigYaml: out.exportConfig(), certPem, notAfter: new Date(cert.validTo), csrName };
}

async function waitForCertificate(api: CertificatesV1Api, name: string, waitMs: number): Promise<string> {
  const end = Date.now() + waitMs;
  for (;;) {
    const csr: V1CertificateSigningRequest = await api.readCertificateSigningRequest({ name });
    const denied = csr.status?.conditions?.find((c) => c.type === 'Denied' || c.type === 'Failed');
    if (denied) throw new Error(`CertificateSigningRequest ${name} was ${denied.type.toLowerCase()}: ${denied.message ?? denied.reason ?? ''}`);
    if (csr.status?.certificate) return Buffer.from(csr.status.certificate, 'base64').toString('utf8');
    if (Date.now() > end) throw new Error(`CertificateSigningRequest ${name} has no certificate after ${Math.round(waitMs / 1000)} s; approve it with: kubectl certificate approve ${name}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

function escapeRdn(v: string): string {
  return v.replace(/([,+"\\<>;=])/g, '\\$1');
}

/** A user name that is safe as a Kubernetes subject, an object name part and a YAML scalar. */
export const CREDENTIAL_USER = /^[A-Za-z0-9][A-Za-z0-9:._@-]{0,127}$/;

/**
 * The RBAC podid's own identity needs, as YAML to apply: TokenReview through
 * system:auth-delegator, the OIDC discovery documents for a local JWKS review
 * (PODID_SA_TOKEN_ISSUER; a cluster grants them by default only to
 * system:serviceaccounts, not to a user), plus podid's pod-verifier and
 * cert-injector roles.
 */
export function rbacBindingYaml(user: string): string {
  const name = user.replace(/[^a-z0-9-]/gi, '-').toLowerCase();
  const bindings = [
    ['auth-delegator', 'system:auth-delegator'],
    ['issuer-discovery', 'system:service-account-issuer-discovery'],
    ['pod-verifier', 'podid-pod-verifier'],
    ['cert-injector', 'podid-cert-injector'],
  ].map(
    ([suffix, role]) => `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: podid-${name}-${suffix}
roleRef: { apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: "${role}" }
subjects: [{ apiGroup: rbac.authorization.k8s.io, kind: User, name: "${user}" }]
`,
  );
  return `# Bind the new credential (user ${user}) to what podid needs:\n${bindings.join('---\n')}`;
}

/** Where deploy/components/clusters mounts each service's credentials Secret. */
export const CLUSTER_CREDENTIALS_DIR = '/var/run/podid/clusters';

/** The clusters-file entry for a kubeconfig made with `--cluster`, and how to put it where that entry points. */
export function clusterEntryHint(cluster: string, user: string, out: string): string {
  const file = `${cluster}.kubeconfig`;
  return [
    'add to the clusters file (docs/clusters.md):',
    `  - name: ${cluster}`,
    `    kubeconfig: ${CLUSTER_CREDENTIALS_DIR}/${file}`,
    `and put the kubeconfig in the Secret of the service it is for (${user}), e.g.:`,
    `  kubectl -n podid create secret generic podid-cluster-credentials-<pod-verifier|cert-injector> --from-file=${file}=${out}`,
  ].join('\n');
}
