import { TokenIssuerService, type KubernetesClaims } from '@podid/contracts';
import { InvalidArgumentError } from '@podid/errors';
import { requireRange, requireString, service } from '@podid/grpc';
import { isClusterName } from '@podid/spiffe';
import { MAX_TOKEN_CHARS, MAX_TOKEN_TTL_SECONDS, type K8sClaims } from '@podid/tokens';
import type { RedisAuditStream } from '@podid/redis-stores';
import type { KeyManager } from './key-manager';
import type { RevokeTarget, TokenService } from './token-service';

/** Longest id accepted in a claim or a revocation target; ids become Redis keys. */
const MAX_ID_CHARS = 1024;

/** The authn.v1.TokenIssuer registration: maps proto messages to domain calls and back. */
export function tokenIssuerService(opts: { tokens: TokenService; keys: KeyManager; issuer: string; audit?: RedisAuditStream }) {
  const { tokens, keys } = opts;
  return service({
    name: 'authn.v1.TokenIssuer',
    definition: TokenIssuerService,
    allow: { issue: ['gateway'], introspect: ['gateway'], revoke: ['gateway', 'pod-verifier'], getJwks: ['gateway', 'pod-verifier'], listLivePods: ['pod-verifier'] },
    handlers: {
      async issue(req) {
        const t = await tokens.issue({
          hostId: requireString(req.hostId, 'host_id', MAX_ID_CHARS),
          k8s: k8sFromProto(req.k8s),
          ttlSeconds: requireRange(req.ttlSeconds, 'ttl_seconds', 1, MAX_TOKEN_TTL_SECONDS),
          audience: req.audience ? requireString(req.audience, 'audience', MAX_ID_CHARS) : undefined,
        });
        return { flattenedJson: t.flattened, compact: t.compact, jti: t.claims.jti, expiresAt: t.claims.exp };
      },
      async introspect(req) {
        const res = await tokens.introspect(requireString(req.token, 'token', MAX_TOKEN_CHARS), { requireIssuerAudience: req.requireIssuerAudience });
        if (!res.active) return { active: false, sub: '', jti: '', exp: 0, iat: 0, k8s: undefined, iss: '', aud: '', inactiveReason: res.reason };
        const c = res.claims;
        return { active: true, sub: c.sub, jti: c.jti, exp: c.exp, iat: c.iat, iss: c.iss, aud: c.aud, k8s: k8sToProto(c.k8s), inactiveReason: '' };
      },
      async revoke(req, ctx) {
        const target = targetFromProto(req.target);
        const { until } = await tokens.revoke(target, req.expiresAt > 0 ? req.expiresAt : undefined);
        // Every revocation, whoever asked (the gateway for a caller, pod-verifier for a deleted pod), goes to the platform API's audit stream; never the token itself.
        const value = target.kind === 'jti' ? target.jti : target.kind === 'host' ? target.hostId : target.kind === 'pod' ? target.podUid : undefined;
        opts.audit?.append('TOKEN_REVOKED', 'success', { caller: ctx.caller, target: target.kind, value, until }).catch((e: unknown) => {
          ctx.log.event('PLATFORM_AUDIT_WRITE_FAILED', { audit_code: 'TOKEN_REVOKED', err: e instanceof Error ? e.message : String(e) });
        });
        return {};
      },
      async getJwks() {
        return { jwksJson: JSON.stringify(keys.jwks()), issuer: opts.issuer };
      },
      async listLivePods(req) {
        // Empty is allowed: it lists the records written before clusters, which name none.
        if (req.cluster && !isClusterName(req.cluster)) throw new InvalidArgumentError('BAD_REQUEST', `cluster: exp=DNS label or empty got=${JSON.stringify(req.cluster.slice(0, 80))}`);
        return { pods: (await tokens.livePods(req.cluster)).map((p) => ({ namespace: p.namespace, podUid: p.podUid, expiresAt: p.expiresAt, cluster: p.cluster })) };
      },
    },
  });
}

function k8sFromProto(k: KubernetesClaims | undefined): K8sClaims {
  if (!k) throw new InvalidArgumentError('BAD_REQUEST', 'k8s is required');
  return {
    namespace: requireString(k.namespace, 'k8s.namespace', 253),
    pod: requireString(k.pod, 'k8s.pod', 253),
    pod_uid: requireString(k.podUid, 'k8s.pod_uid', 128),
    service_account: requireString(k.serviceAccount, 'k8s.service_account', 253),
    authenticator: requireString(k.authenticator, 'k8s.authenticator', 512),
    cluster: requireCluster(k.cluster),
  };
}

/** A token names its pod's cluster, so that a check of the pod goes to that cluster. */
function requireCluster(cluster: string): string {
  if (!isClusterName(cluster)) throw new InvalidArgumentError('BAD_REQUEST', `k8s.cluster: exp=DNS label got=${JSON.stringify(cluster.slice(0, 80))}`);
  return cluster;
}

function k8sToProto(k: K8sClaims): KubernetesClaims {
  return { namespace: k.namespace, pod: k.pod, podUid: k.pod_uid, serviceAccount: k.service_account, authenticator: k.authenticator, cluster: k.cluster };
}

function targetFromProto(t: { $case: string; value: string } | undefined): RevokeTarget {
  switch (t?.$case) {
    case 'token':
      return { kind: 'token', token: requireString(t.value, 'token', MAX_TOKEN_CHARS) };
    case 'jti':
      return { kind: 'jti', jti: requireString(t.value, 'jti', 128) };
    case 'hostId':
      return { kind: 'host', hostId: requireString(t.value, 'host_id', MAX_ID_CHARS) };
    case 'podUid':
      return { kind: 'pod', podUid: requireString(t.value, 'pod_uid', 128) };
    default:
      throw new InvalidArgumentError('BAD_REQUEST', 'one of token, jti, host_id, pod_uid is required');
  }
}
