import { AuthenticatorType } from '@podid/contracts';
import { UnauthenticatedError } from '@podid/errors';
import { decodeLogin, hostIdFromLogin } from '@podid/spiffe';
import { scopeOf } from '../auth/authenticator-scope';
import { clientCertOf } from '../auth/client-cert-source';
import { verifyClientCert } from '../auth/verify-client-cert';
import type { GatewayDeps } from '../gateway-deps';
import type { Route } from '../http/route';
import { decodePathParam } from '../protocol/path-param';
import { isTrustedProxy } from '../protocol/trusted-proxies';
import { enforceRateLimit, enforceRateLimits, isFirstUse } from '../rate-limit/login-rate-limits';
import { onRateLimited } from './limited';
import { auditLogin } from './login-audit';
import { sendToken } from './send-token';

/**
 * POST /authn-k8s/{serviceId}/{account}/{login}/authenticate (mTLS
 * authenticate): per-IP limit; the authenticator and host must be in policy
 * before the CA bundle is fetched; the client certificate from the TLS
 * session (or from a trusted proxy) must chain to the authenticator CA, be
 * valid now, carry CN == login and the authenticator's cluster, and name a pod
 * of that cluster that still exists with the same uid and still meets the
 * restrictions; host and pod limits are charged
 * only once the certificate has verified (the host's not for a certificate's
 * first token); then TokenIssuer.Issue (which
 * refuses revoked hosts and pods) returns the token.
 */
export function authenticateK8sRoute(deps: GatewayDeps): Route {
  return {
    method: 'POST',
    path: ['authn-k8s', ':serviceId', ':account', ':login', 'authenticate'],
    name: 'authn-k8s/authenticate',
    class: 'login',
    async handle({ req, res, params, clientIp }) {
      const audit: Record<string, unknown> = { operation: 'authn-k8s-authenticate', client_ip: clientIp };
      try {
        const serviceId = decodePathParam(params['serviceId']!, 'serviceId');
        const account = decodePathParam(params['account']!, 'account');
        const login = decodeLogin(params['login']!);
        Object.assign(audit, { authenticator: `authn-k8s/${serviceId}`, login });
        const hostId = hostIdFromLogin(login);
        audit['host_id'] = hostId;
        await enforceRateLimit(deps.limiter, deps.rates, 'ip', clientIp, onRateLimited(deps));
        if (account !== deps.account) throw new UnauthenticatedError('AUTHN_ACCOUNT_MISMATCH', `account: exp=${JSON.stringify(deps.account)} got=${JSON.stringify(account)}`);
        if (!hostId) throw new UnauthenticatedError('AUTHN_LOGIN_INVALID', `login: exp=host/<id> got=${JSON.stringify(login.slice(0, 120))}`);
        const trusted = isTrustedProxy(req.socket.remoteAddress, deps.trustedProxies);
        const got = clientCertOf(req, trusted);
        audit['cert_source'] = got.source;
        if (got.forged) deps.log.event('AUTHN_FORGED_PROXY_HEADER', { client_ip: clientIp });
        if (!got.cert) throw new UnauthenticatedError('AUTHN_CERT_MISSING', 'client cert: exp=a certificate in the TLS session got=none');
        const { policy, podVerifier, tokenIssuer } = deps.upstreams;
        // Policy first: an authenticator not in policy (or disabled, or not authn-k8s) never reaches CaSigner.GetBundle.
        const resolved = await policy.resolve({ serviceId, type: AuthenticatorType.AUTHENTICATOR_TYPE_AUTHN_K8S, hostId });
        const scope = scopeOf(resolved.authenticator, deps.trustDomain);
        audit['cluster'] = scope.cluster;
        const caCerts = await deps.bundles.get(serviceId);
        const id = verifyClientCert({ leaf: got.cert, caCerts, login, now: deps.now(), trustDomain: scope.trustDomain, cluster: scope.cluster });
        Object.assign(audit, { namespace: id.namespace, pod: id.pod, pod_uid: id.podUid, cert_serial: id.serial });
        // Only a verified certificate is a claim to the host and the pod: charging their buckets earlier would let anyone lock them out.
        // A certificate's first token spends only the pod bucket: every new pod of a Deployment logs in once as the same host, so a
        // rollout must not run out of the host bucket. Later tokens on the same certificate (renewals, loops) spend the host's too.
        const fresh = await isFirstUse(deps.limiter, `cert:${serviceId}:${id.serial}`, id.notAfterMs - deps.now().getTime());
        const pod = ['pod', `${id.namespace}/${id.pod}`] as const;
        const claimed = fresh ? [pod] : [['host', resolved.hostId || hostId] as const, pod];
        await enforceRateLimits(deps.limiter, deps.rates, claimed, onRateLimited(deps));
        const verified = await podVerifier.verifyPod({
          namespace: id.namespace,
          pod: id.pod,
          restrictions: resolved.restrictions,
          containerName: resolved.containerName,
          expectedUid: id.podUid,
          cluster: scope.cluster,
        });
        if (verified.uid !== id.podUid) throw new UnauthenticatedError('AUTHN_SAN_INVALID', `pod uid: exp=${id.podUid} got=${verified.uid}`);
        const token = await tokenIssuer.issue({
          hostId: resolved.hostId || hostId,
          k8s: { namespace: id.namespace, pod: id.pod, podUid: id.podUid, serviceAccount: verified.serviceAccount, authenticator: `authn-k8s/${serviceId}`, cluster: scope.cluster },
          ttlSeconds: resolved.authenticator?.tokenTtlSeconds || 480,
          audience: '',
        });
        audit['jti'] = token.jti;
        deps.metrics.tokens.inc({ authenticator: `authn-k8s/${serviceId}` });
        auditLogin(deps, 'AUDIT_AUTHENTICATE', audit);
        sendToken(req, res, token);
      } catch (err) {
        auditLogin(deps, 'AUDIT_AUTHENTICATE', audit, err);
        throw err;
      }
    },
  };
}

