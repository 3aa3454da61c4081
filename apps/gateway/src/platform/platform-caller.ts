import type { Metadata } from '@grpc/grpc-js';
import { X509Certificate } from 'node:crypto';
import type { PeerCertificate } from 'node:tls';
import { AuthenticatorType } from '@podid/contracts';
import { PodidError, UnauthenticatedError } from '@podid/errors';
import type { RevocationStore } from '@podid/redis-stores';
import { scopeOf } from '../auth/authenticator-scope';
import { authenticateAuthorization } from '../auth/caller';
import { verifyClientCert } from '../auth/verify-client-cert';
import type { GatewayDeps } from '../gateway-deps';

/** Metadata a certificate caller sends to name its login, as the REST URL does. */
export const AUTHENTICATOR_KEY = 'podid-authenticator';
export const HOST_KEY = 'podid-host';

/** Who is calling the platform API. */
export interface PlatformCaller {
  readonly hostId: string;
  readonly via: 'cert' | 'token';
  /** Token callers: the token's id. */
  readonly jti?: string;
  /** Certificate callers: the leaf serial, as the audit log carries it. */
  readonly certSerial?: string;
}

/**
 * Authenticates a platform API caller. `authorization` metadata: the access
 * token is checked exactly as the REST API checks it (introspection for
 * podid's audience, revocation, pod liveness). Otherwise the TLS client
 * certificate is checked exactly as mTLS authenticate checks it: the host
 * resolves on the named authn-k8s authenticator, the leaf chains to its CA,
 * is valid now, CN == login, names one pod and uid and the authenticator's
 * cluster, the pod exists in that cluster with that
 * uid and meets the host's restrictions, and neither host nor pod uid is
 * revoked (Redis down fails closed). Refusals are UNAUTHENTICATED with the
 * check's code; a dependency down is UNAVAILABLE.
 */
export async function authenticatePlatformCaller(
  deps: GatewayDeps,
  revocations: RevocationStore,
  md: Metadata,
  peer: PeerCertificate | undefined,
): Promise<PlatformCaller> {
  const authorization = single(md, 'authorization');
  if (authorization !== undefined) {
    const c = await authenticateAuthorization(deps, authorization);
    return { hostId: c.hostId, via: 'token', jti: c.jti };
  }
  if (!peer?.raw?.length) {
    throw new UnauthenticatedError('PLATFORM_CALLER_MISSING', 'caller: exp=authorization metadata (Bearer <jwt>) or a podid client certificate got=neither');
  }
  const serviceId = single(md, AUTHENTICATOR_KEY);
  const login = single(md, HOST_KEY);
  if (!serviceId || serviceId.length > 128) throw new UnauthenticatedError('PLATFORM_CALLER_MISSING', `${AUTHENTICATOR_KEY} metadata: exp=the authn-k8s authenticator id of the client certificate got=${serviceId ? 'too long' : 'none'}`);
  if (!login || login.length > 1024) throw new UnauthenticatedError('PLATFORM_CALLER_MISSING', `${HOST_KEY} metadata: exp=the host id of the client certificate got=${login ? 'too long' : 'none'}`);
  const hostId = login.replace(/^host\//, '');
  try {
    const { policy, podVerifier } = deps.upstreams;
    const resolved = await policy.resolve({ serviceId, type: AuthenticatorType.AUTHENTICATOR_TYPE_AUTHN_K8S, hostId });
    const scope = scopeOf(resolved.authenticator, deps.trustDomain);
    const caCerts = await deps.bundles.get(serviceId);
    let leaf: X509Certificate;
    try {
      leaf = new X509Certificate(peer.raw);
    } catch {
      throw new UnauthenticatedError('AUTHN_CERT_UNTRUSTED', 'client cert: exp=a readable certificate got=undecodable');
    }
    const id = verifyClientCert({ leaf, caCerts, login: `host/${hostId}`, now: deps.now(), trustDomain: scope.trustDomain, cluster: scope.cluster });
    const canonical = resolved.hostId || hostId;
    const [pod, revoked] = await Promise.all([
      podVerifier.verifyPod({ namespace: id.namespace, pod: id.pod, restrictions: resolved.restrictions, containerName: resolved.containerName, expectedUid: id.podUid, cluster: scope.cluster }),
      revocations.isRevoked({ hostId: canonical, podUid: id.podUid, iat: Math.floor(deps.now().getTime() / 1000) }),
    ]);
    if (pod.uid !== id.podUid) throw new UnauthenticatedError('AUTHN_SAN_INVALID', `pod uid: exp=${id.podUid} got=${pod.uid}`);
    if (revoked) throw new UnauthenticatedError('REVOKED', `host "${canonical}" or pod uid "${id.podUid}" is revoked`);
    return { hostId: canonical, via: 'cert', certSerial: id.serial };
  } catch (e) {
    // A refused login is an identity failure here, whatever status the upstream check uses; outages stay UNAVAILABLE.
    if (e instanceof PodidError && e.kind !== 'unavailable' && e.kind !== 'unauthenticated') throw new UnauthenticatedError(e.code, e.message);
    throw e;
  }
}

function single(md: Metadata, key: string): string | undefined {
  const v = md.get(key);
  if (v.length === 0) return undefined;
  if (v.length > 1) throw new UnauthenticatedError('PLATFORM_CALLER_MISSING', `${key} metadata: exp=one value got=${v.length}`);
  return typeof v[0] === 'string' ? v[0] : undefined;
}
