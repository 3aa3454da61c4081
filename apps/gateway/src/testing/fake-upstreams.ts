import { X509Certificate } from 'node:crypto';
import { CaSignerService, CertInjectorService, PodVerifierService, PolicyService, TokenIssuerService } from '@podid/contracts';
import { NotFoundError, PermissionDeniedError, UnauthenticatedError } from '@podid/errors';
import { service, startGrpcServer, type GrpcServerHandle, type Handlers } from '@podid/grpc';
import { createLogger } from '@podid/logging';
import type { TestPki } from '@podid/testkit';
import { checkCsr, createCa, loadSigningCa, signLeaf, type CertAndKey } from '@podid/x509';
import type { UpstreamAddresses } from '../upstream/upstreams';

/** Uid of the one pod the fake pod-verifier knows. */
export const FAKE_POD_UID = '3f1c2a4e-9b7d-4c1e-8a2b-0123456789ab';
/** The cluster of the fake policy's authenticators (a podid without a clusters file). */
export const FAKE_CLUSTER = 'default';

type H<D> = Handlers<D>;
/** Handlers of the five upstreams; tests replace single methods. */
export interface FakeHandlers {
  policy: H<typeof PolicyService>;
  podVerifier: H<typeof PodVerifierService>;
  caSigner: H<typeof CaSignerService>;
  certInjector: H<typeof CertInjectorService>;
  tokenIssuer: H<typeof TokenIssuerService>;
}

export interface FakeUpstreams {
  readonly addrs: UpstreamAddresses;
  /** The authenticator CA the fake ca-signer signs with. */
  readonly ca: CertAndKey;
  readonly handlers: FakeHandlers;
  /** Every call, as `service.method`, with its request. */
  readonly calls: Array<{ method: string; req: unknown }>;
  stop(): Promise<void>;
}

/**
 * Real gRPC servers over mTLS (testkit PKI) standing in for the five
 * upstreams, with scripted answers and a real CA that signs real leaves.
 * Used by the gateway's HTTP-layer tests; the e2e suite runs the real ones.
 */
export async function startFakeUpstreams(pki: TestPki): Promise<FakeUpstreams> {
  const now = new Date();
  const ca = await createCa({ commonName: 'fake authn-k8s CA', now, ttlMs: 365 * 86_400_000 });
  const signing = await loadSigningCa(ca, 'fake');
  const calls: FakeUpstreams['calls'] = [];
  const token = (hostId: string) => ({
    flattenedJson: JSON.stringify({ protected: 'eyJhbGciOiJFUzI1NiJ9', payload: Buffer.from(JSON.stringify({ sub: `host/${hostId}` })).toString('base64url'), signature: 'c2ln' }),
    compact: `eyJhbGciOiJFUzI1NiJ9.${Buffer.from(JSON.stringify({ sub: `host/${hostId}` })).toString('base64url')}.c2ln`,
    jti: 'jti-1',
    expiresAt: Math.floor(Date.now() / 1000) + 480,
  });
  const handlers: FakeHandlers = {
    policy: {
      async resolve(req) {
        if (req.hostId.includes('unknown')) throw new NotFoundError('HOST_NOT_FOUND', `host ${req.hostId} is not in policy`);
        return {
          hostId: req.hostId,
          authenticator: { type: req.type, id: req.serviceId, enabled: true, certTtlSeconds: 3600, tokenTtlSeconds: 480, cluster: FAKE_CLUSTER, trustDomain: 'cluster.local', jwt: undefined },
          restrictions: { namespace: 'demo', namespaceLabelSelector: '', serviceAccount: '', pod: '', deployment: '', statefulSet: '', daemonSet: '', job: '', cronJob: '', podLabelSelector: '' },
          containerName: 'authenticator',
        };
      },
      async listAuthenticators() {
        return {
          installed: ['authn-k8s', 'authn-jwt'],
          configured: ['authn-k8s/dev', 'authn-jwt/jwt-dev'],
          enabled: ['authn-k8s/dev', 'authn-jwt/jwt-dev'],
          authenticators: [
            { type: 1, id: 'dev', enabled: true, certTtlSeconds: 3600, tokenTtlSeconds: 480, cluster: FAKE_CLUSTER, trustDomain: 'cluster.local', jwt: undefined },
            { type: 2, id: 'jwt-dev', enabled: true, certTtlSeconds: 0, tokenTtlSeconds: 300, cluster: FAKE_CLUSTER, trustDomain: 'cluster.local', jwt: { audience: 'podid', namespaces: ['demo'], serviceAccounts: ['demo-*'], podNames: [], maxTokenAgeSeconds: 0, identityClaim: 'service_account', hostPrefix: 'jwt-apps' } },
          ],
        };
      },
      async authorize(req) {
        if (req.hostId !== 'admin') throw new PermissionDeniedError('PRIVILEGE_MISSING', `host ${req.hostId} lacks ${req.privilege}`);
        return {};
      },
    },
    podVerifier: {
      async verifyPod(req) {
        if (req.pod !== 'app-1' || (req.expectedUid && req.expectedUid !== FAKE_POD_UID)) throw new NotFoundError('POD_NOT_FOUND', `pod ${req.namespace}/${req.pod} not found`);
        return { uid: FAKE_POD_UID, serviceAccount: 'demo-sa', podIp: '10.0.0.1' };
      },
      async reviewToken(req) {
        if (req.token !== 'good-sa-token' || req.audience !== 'podid') throw new UnauthenticatedError('TOKEN_INVALID', 'token review refused');
        return { namespace: 'demo', serviceAccount: 'demo-sa', podName: 'app-1', podUid: FAKE_POD_UID, expiresAt: Math.floor(Date.now() / 1000) + 600 };
      },
      async getStatus() {
        return { reachable: true, error: '', permissions: [], credentialSource: 'kubeconfig-client-cert', clientCertNotAfter: 0, synced: true };
      },
      async checkPodLive(req) {
        return { live: req.pod === 'app-1' && req.podUid === FAKE_POD_UID };
      },
      async explainPod(req) {
        if (req.pod !== 'app-1') return { checks: [{ name: 'exists', ok: false, code: 'POD_NOT_FOUND', detail: `pod ${req.namespace}/${req.pod} not found` }], uid: '' };
        return { checks: [{ name: 'exists', ok: true, code: '', detail: 'found' }], uid: FAKE_POD_UID };
      },
    },
    caSigner: {
      async sign(req) {
        // As ca-signer: the SAN must be the verified pod's exactly, in whatever trust domain the gateway asks.
        const csr = checkCsr(req.csrPem, { spiffeId: req.spiffeId, anyTrustDomain: true });
        const leaf = await signLeaf({ ca: signing, csr, commonName: req.commonName, spiffeId: req.spiffeId, podUid: req.podUid, cluster: req.cluster, ttlMs: req.ttlSeconds * 1000, now: new Date() });
        return { certificatePem: leaf.certPem, chainPem: ca.certPem, serial: leaf.serial, notAfter: Math.floor(leaf.notAfter.getTime() / 1000) };
      },
      async getBundle(req) {
        if (req.serviceId !== 'dev') throw new NotFoundError('CA_NOT_FOUND', `no CA for ${req.serviceId}`);
        return { bundlePem: ca.certPem, notAfter: Math.floor(new Date(new X509Certificate(ca.certPem).validTo).getTime() / 1000) };
      },
    },
    certInjector: {
      async inject() {
        return { path: '/etc/conjur/ssl/client.pem', durationMs: 3 };
      },
    },
    tokenIssuer: {
      async issue(req) {
        if (req.hostId.includes('revoked')) throw new PermissionDeniedError('HOST_REVOKED', 'host revoked');
        return token(req.hostId);
      },
      async introspect(req) {
        const hosts: Record<string, string> = { 'admin-token': 'admin', 'user-token': 'apps/demo' };
        // Test tokens are `{"t":"<name>"}` (the Conjur header carries JSON) or the bare name.
        const name = req.token.startsWith('{') ? tokenName(req.token) : req.token;
        const h = hosts[name];
        if (!h) return { active: false, sub: '', jti: '', exp: 0, iat: 0, k8s: undefined, iss: '', aud: '', inactiveReason: 'invalid' };
        const k8s = { namespace: 'demo', pod: 'app-1', podUid: FAKE_POD_UID, serviceAccount: 'demo-sa', authenticator: 'authn-k8s/dev', cluster: FAKE_CLUSTER };
        return { active: true, sub: `host/${h}`, jti: `jti-${h}`, exp: 2_000_000_000, iat: 1_900_000_000, k8s, iss: 'https://gw', aud: 'podid', inactiveReason: '' };
      },
      async revoke() {
        return {};
      },
      async getJwks() {
        return { jwksJson: '{"keys":[]}', issuer: 'https://issuer.example' };
      },
      async listLivePods() {
        return { pods: [] };
      },
    },
  };
  const log = createLogger({ service: 'fake-upstream', level: 'silent' });
  const record = <T extends object>(name: string, h: T): T =>
    Object.fromEntries(
      Object.keys(h).map((m) => [m, (req: unknown, ctx: unknown) => (calls.push({ method: `${name}.${m}`, req }), (h as Record<string, (a: unknown, b: unknown) => unknown>)[m]!(req, ctx))]),
    ) as T;
  const servers: GrpcServerHandle[] = [];
  const start = async (svc: string, name: string, definition: object, h: object) => {
    const allow = Object.fromEntries(Object.keys(definition).map((m) => [m, ['gateway']]));
    const s = await startGrpcServer({ port: 0, tls: await pki.tls(svc), log, services: [service({ name, definition: definition as typeof PolicyService, allow: allow as never, handlers: record(svc, h) as never })] });
    servers.push(s);
    return `127.0.0.1:${s.port}`;
  };
  const addrs: UpstreamAddresses = {
    policyAddr: await start('policy', 'authn.v1.Policy', PolicyService, handlers.policy),
    podVerifierAddr: await start('pod-verifier', 'authn.v1.PodVerifier', PodVerifierService, handlers.podVerifier),
    caSignerAddr: await start('ca-signer', 'authn.v1.CaSigner', CaSignerService, handlers.caSigner),
    certInjectorAddr: await start('cert-injector', 'authn.v1.CertInjector', CertInjectorService, handlers.certInjector),
    tokenIssuerAddr: await start('token-issuer', 'authn.v1.TokenIssuer', TokenIssuerService, handlers.tokenIssuer),
  };
  return { addrs, ca, handlers, calls, stop: async () => void (await Promise.all(servers.map((s) => s.stop(500)))) };
}

/** `t` of a `{"t":"<name>"}` test token; garbage is an unknown token, as the real token-issuer treats it, not an INTERNAL. */
function tokenName(json: string): string {
  try {
    return String((JSON.parse(json) as { t?: unknown }).t);
  } catch {
    return '';
  }
}
