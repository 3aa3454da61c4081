import { createHash } from 'node:crypto';
import { CaSignerService, type SignRequest } from '@podid/contracts';
import { InvalidArgumentError } from '@podid/errors';
import { requireRange, requireString, service, type Handlers } from '@podid/grpc';
import { hostIdFromCommonName, isClusterName, isPodUid, MAX_HOST_ID_LENGTH, MAX_SPIFFE_ID_LENGTH, requirePodSpiffeId } from '@podid/spiffe';
import { checkCsr, CsrInvalidError, signLeaf, type ParsedCsr } from '@podid/x509';
import type { CaRegistry } from './ca-registry';
import type { AuthenticatorScope } from './policy-authenticators';

/**
 * Authenticator service ids: a DNS label (it becomes part of a Secret name
 * and of a directory path, so no `/`, `..` or uppercase).
 */
export const SERVICE_ID_PATTERN = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
/** Leaf lifetime bounds from the contract (SignRequest.ttl_seconds). */
export const TTL_SECONDS = { min: 60, max: 2_592_000 } as const;

const unixSeconds = (d: Date) => Math.floor(d.getTime() / 1000);

type Deps = {
  registry: CaRegistry;
  /** The cluster and trust domain policy gives the authenticator (PolicyAuthenticators.require). */
  scope: (serviceId: string) => Promise<AuthenticatorScope>;
  /** PODID_TRUST_DOMAIN: used when policy gives none. */
  trustDomain: string;
  now: () => Date;
};

/** The authn.v1.CaSigner registration: only the gateway signs; cert-injector also reads bundles. */
export function caSignerService(deps: Deps) {
  return service({
    name: 'authn.v1.CaSigner',
    definition: CaSignerService,
    allow: { sign: ['gateway'], getBundle: ['gateway', 'cert-injector'] },
    handlers: caSignerHandlers(deps),
  });
}

/** Sign and GetBundle. Proto messages stop here; domain code sees plain values. */
export function caSignerHandlers(opts: Deps): Handlers<typeof CaSignerService> {
  return {
    async sign(req, ctx) {
      validateSignRequest(req);
      const scope = await opts.scope(req.serviceId);
      // Each authenticator's CA vouches for one cluster: a leaf naming another would let its pods pass for that cluster's.
      if (scope.cluster && scope.cluster !== req.cluster) {
        throw new InvalidArgumentError('CLUSTER_MISMATCH', `cluster: exp=${JSON.stringify(scope.cluster)} (authenticator "${req.serviceId}") got=${JSON.stringify(req.cluster)}`);
      }
      const trustDomain = scope.trustDomain || opts.trustDomain;
      requirePodSpiffeId(req.spiffeId, trustDomain);
      let csr: ParsedCsr;
      try {
        csr = checkCsr(req.csrPem, { spiffeId: req.spiffeId, trustDomain });
      } catch (e) {
        if (e instanceof CsrInvalidError) {
          // The CSR may not decode, so this fingerprints the text as received.
          ctx.log.event('CSR_REJECTED', { code: e.code, check: e.check, csr_text_sha256: createHash('sha256').update(req.csrPem).digest('hex'), spiffe_id: req.spiffeId });
        }
        throw e;
      }
      const ca = await opts.registry.get(req.serviceId);
      const leaf = await signLeaf({ ca, csr, commonName: req.commonName, spiffeId: req.spiffeId, podUid: req.podUid, cluster: req.cluster, ttlMs: req.ttlSeconds * 1000, now: opts.now() });
      ctx.log.event('CERT_ISSUED', {
        service_id: req.serviceId,
        cert_serial: leaf.serial,
        host_id: hostIdFromCommonName(req.commonName),
        spiffe_id: req.spiffeId,
        pod_uid: req.podUid,
        cluster: req.cluster,
        csr_sha256: csr.fingerprint,
        ca_sha256: ca.fingerprint.slice(0, 16),
        not_after: leaf.notAfter.toISOString(),
      });
      return { certificatePem: leaf.certPem, chainPem: ca.certPem, serial: leaf.serial, notAfter: unixSeconds(leaf.notAfter) };
    },

    async getBundle(req) {
      const ca = await opts.registry.get(requireServiceId(req.serviceId));
      return { bundlePem: ca.certPem, notAfter: unixSeconds(ca.notAfter) };
    },
  };
}

/** Throws INVALID_ARGUMENT(BAD_REQUEST) unless the service id matches SERVICE_ID_PATTERN. */
function requireServiceId(value: string): string {
  requireString(value, 'service_id', 63);
  if (!SERVICE_ID_PATTERN.test(value)) throw new InvalidArgumentError('BAD_REQUEST', `service_id: exp=${SERVICE_ID_PATTERN} got=${JSON.stringify(value)}`);
  return value;
}

/** Checks every field but the CSR itself (checkCsr does that) and the SPIFFE id's trust domain (the authenticator's). */
function validateSignRequest(req: SignRequest): void {
  requireServiceId(req.serviceId);
  if (!req.csrPem) throw new InvalidArgumentError('BAD_REQUEST', 'csr_pem is required');
  requireString(req.commonName, 'common_name', MAX_HOST_ID_LENGTH);
  requireString(req.spiffeId, 'spiffe_id', MAX_SPIFFE_ID_LENGTH);
  if (!isPodUid(req.podUid)) throw new InvalidArgumentError('BAD_REQUEST', `pod_uid: exp=lowercase UUID got=${JSON.stringify(req.podUid.slice(0, 80))}`);
  requireRange(req.ttlSeconds, 'ttl_seconds', TTL_SECONDS.min, TTL_SECONDS.max);
  if (!isClusterName(req.cluster)) throw new InvalidArgumentError('BAD_REQUEST', `cluster: exp=DNS label got=${JSON.stringify(req.cluster.slice(0, 80))}`);
}
