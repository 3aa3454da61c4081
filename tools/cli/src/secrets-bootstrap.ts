import { CoreV1Api, type KubeConfig, type V1Secret } from '@kubernetes/client-node';
import { createCa, issueServiceCert, type CertAndKey } from '@podid/x509';

const DAY_MS = 86_400_000;
const SERVICES = ['gateway', 'policy', 'pod-verifier', 'ca-signer', 'cert-injector', 'token-issuer'] as const;

export interface BootstrapOptions {
  namespace: string;
  /** Authenticator service ids that get a CA (Secret podid-ca-<id>). */
  authenticators: string[];
  /** DNS names of the public gateway. */
  gatewayHosts: string[];
  now: Date;
}

/**
 * Creates the Secrets a Kustomize install needs, where they are absent:
 * the internal mTLS CA and one certificate per service, the gateway's
 * serving certificate, one CA per authenticator, and the (empty) token key
 * Secret that token-issuer fills on first start. Existing Secrets are never
 * touched, so it is safe to run again.
 */
export async function bootstrapSecrets(kc: KubeConfig, opts: BootstrapOptions, log: (line: string) => void): Promise<string[]> {
  const api = kc.makeApiClient(CoreV1Api);
  const created: string[] = [];
  const exists = async (name: string) => {
    try {
      return await api.readNamespacedSecret({ name, namespace: opts.namespace });
    } catch (e) {
      if ((e as { code?: number }).code === 404) return undefined;
      throw e;
    }
  };
  const create = async (name: string, data: Record<string, string>, type = 'kubernetes.io/tls') => {
    const body: V1Secret = {
      apiVersion: 'v1',
      kind: 'Secret',
      type,
      metadata: { name, namespace: opts.namespace, labels: { 'app.kubernetes.io/part-of': 'podid' } },
      stringData: data,
    };
    await api.createNamespacedSecret({ namespace: opts.namespace, body });
    created.push(name);
    log(`created Secret ${opts.namespace}/${name}`);
  };
  const caFrom = (s: V1Secret): CertAndKey => ({
    certPem: Buffer.from(s.data?.['tls.crt'] ?? '', 'base64').toString(),
    keyPem: Buffer.from(s.data?.['tls.key'] ?? '', 'base64').toString(),
  });
  const ensureCa = async (name: string, commonName: string): Promise<CertAndKey> => {
    const found = await exists(name);
    if (found) return caFrom(found);
    const ca = await createCa({ commonName, now: opts.now, ttlMs: 3650 * DAY_MS });
    await create(name, { 'tls.crt': ca.certPem, 'tls.key': ca.keyPem });
    return ca;
  };

  const internal = await ensureCa('podid-internal-ca', 'podid internal CA');
  for (const svc of SERVICES) {
    const name = `podid-internal-tls-${svc}`;
    if (await exists(name)) continue;
    const dnsNames = [svc, `${svc}.${opts.namespace}`, `${svc}.${opts.namespace}.svc`];
    const c = await issueServiceCert({ ca: internal, service: svc, now: opts.now, ttlMs: 365 * DAY_MS, dnsNames, ips: [] });
    await create(name, { 'ca.crt': internal.certPem, 'tls.crt': c.certPem, 'tls.key': c.keyPem });
  }
  const gatewayCa = await ensureCa('podid-gateway-ca', 'podid gateway CA');
  if (!(await exists('podid-gateway-tls'))) {
    const c = await issueServiceCert({ ca: gatewayCa, service: 'gateway', now: opts.now, ttlMs: 365 * DAY_MS, dnsNames: opts.gatewayHosts, ips: [] });
    await create('podid-gateway-tls', { 'ca.crt': gatewayCa.certPem, 'tls.crt': c.certPem, 'tls.key': c.keyPem });
  }
  for (const id of opts.authenticators) await ensureCa(`podid-ca-${id}`, `podid authn-k8s ${id} CA`);
  if (!(await exists('podid-token-keys'))) await create('podid-token-keys', {}, 'Opaque');
  return created;
}
