import { AuthenticatorType } from '@podid/contracts';
import { UnauthenticatedError } from '@podid/errors';
import { decodeLogin, hostIdFromLogin } from '@podid/spiffe';
import { clientCertOf } from '../auth/client-cert-source';
import { verifyClientCert } from '../auth/verify-client-cert';
import type { GatewayDeps } from '../gateway-deps';
import type { Route } from '../http/route';
import { decodePathParam } from '../protocol/path-param';
import { isTrustedProxy } from '../protocol/trusted-proxies';
import { enforceRateLimit } from '../rate-limit/login-rate-limits';
import { onRateLimited } from './limited';
import { auditLogin } from './login-audit';
import { sendToken } from './send-token';

/**
 * POST /authn-k8s/{serviceId}/{account}/{login}/authenticate (DESIGN.md 2,
 * mTLS authenticate): the client certificate from the TLS session (or from a
 * trusted proxy) must chain to the authenticator CA, be valid now, carry
 * CN == login, and name a pod that still exists with the same uid and still
 * meets the restrictions; then TokenIssuer.Issue (which refuses revoked hosts
 * and pods) returns the token.
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
        // Both limits in parallel: one Redis round trip of latency instead of two.
        await Promise.all([
          enforceRateLimit(deps.limiter, deps.rates, 'ip', clientIp, onRateLimited(deps)),
          hostId ? enforceRateLimit(deps.limiter, deps.rates, 'host', hostId, onRateLimited(deps)) : undefined,
        ]);
        if (account !== deps.account) throw new UnauthenticatedError('AUTHN_ACCOUNT_MISMATCH', `account: exp=${JSON.stringify(deps.account)} got=${JSON.stringify(account)}`);
        if (!hostId) throw new UnauthenticatedError('AUTHN_LOGIN_INVALID', `login: exp=host/<id> got=${JSON.stringify(login.slice(0, 120))}`);
        const trusted = isTrustedProxy(req.socket.remoteAddress, deps.trustedProxies);
        const got = clientCertOf(req, trusted);
        audit['cert_source'] = got.source;
        if (got.forged) deps.log.event('AUTHN_FORGED_PROXY_HEADER', { client_ip: clientIp });
        if (!got.cert) throw new UnauthenticatedError('AUTHN_CERT_MISSING', 'client cert: exp=a certificate in the TLS session got=none');
        const caCerts = await deps.bundles.get(serviceId);
        const id = verifyClientCert({ leaf: got.cert, caCerts, login, now: deps.now(), trustDomain: deps.trustDomain });
        Object.assign(audit, { namespace: id.namespace, pod: id.pod, pod_uid: id.podUid, cert_serial: id.serial });
        const { policy, podVerifier, tokenIssuer } = deps.upstreams;
        const [, resolved] = await Promise.all([
          enforceRateLimit(deps.limiter, deps.rates, 'pod', `${id.namespace}/${id.pod}`, onRateLimited(deps)),
          policy.resolve({ serviceId, type: AuthenticatorType.AUTHENTICATOR_TYPE_AUTHN_K8S, hostId }),
        ]);
        const pod = await podVerifier.verifyPod({
          namespace: id.namespace,
          pod: id.pod,
          restrictions: resolved.restrictions,
          containerName: resolved.containerName,
          expectedUid: id.podUid,
        });
        if (pod.uid !== id.podUid) throw new UnauthenticatedError('AUTHN_SAN_INVALID', `pod uid: exp=${id.podUid} got=${pod.uid}`);
        const token = await tokenIssuer.issue({
          hostId: resolved.hostId || hostId,
          k8s: { namespace: id.namespace, pod: id.pod, podUid: id.podUid, serviceAccount: pod.serviceAccount, authenticator: `authn-k8s/${serviceId}` },
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

