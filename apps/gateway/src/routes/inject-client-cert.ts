import { createHash } from 'node:crypto';
import { AuthenticatorType } from '@podid/contracts';
import { commonNameFromCsrCn, formatPodSpiffeId, hostIdFromCommonName, requirePodSpiffeId } from '@podid/spiffe';
import { checkCsr } from '@podid/x509';
import type { GatewayDeps } from '../gateway-deps';
import { readBody, MAX_CSR_BYTES } from '../http/read-body';
import { sendEmpty } from '../http/respond';
import type { Route } from '../http/route';
import { decodePathParam } from '../protocol/path-param';
import { enforceRateLimit } from '../rate-limit/login-rate-limits';
import { onRateLimited } from './limited';
import { auditLogin, failureCode } from './login-audit';

/** The header Conjur's client sends with the dotted host id prefix. */
export const HOST_ID_PREFIX_HEADER = 'host-id-prefix';

/**
 * POST /authn-k8s/{serviceId}/inject_client_cert (certificate login): rate
 * limit by client IP, CSR checks (signature included), Policy.Resolve, rate
 * limit by pod, PodVerifier.VerifyPod, CaSigner.Sign, CertInjector.Inject,
 * then 202 with an empty body, so the certificate is in the pod before the
 * client polls.
 */
export function injectClientCertRoute(deps: GatewayDeps): Route {
  return {
    method: 'POST',
    path: ['authn-k8s', ':serviceId', 'inject_client_cert'],
    name: 'authn-k8s/inject_client_cert',
    class: 'login',
    async handle({ req, res, params, clientIp }) {
      const audit: Record<string, unknown> = { operation: 'k8s-inject-client-cert', client_ip: clientIp };
      try {
        const serviceId = decodePathParam(params['serviceId']!, 'serviceId');
        audit['authenticator'] = `authn-k8s/${serviceId}`;
        await enforceRateLimit(deps.limiter, deps.rates, 'ip', clientIp, onRateLimited(deps));
        const body = await readBody(req, MAX_CSR_BYTES);
        // The body's hash identifies a CSR too broken to parse; once parsed, csr_sha256 is the DER's, as ca-signer's CERT_ISSUED logs it.
        audit['body_sha256'] = createHash('sha256').update(body).digest('hex').slice(0, 16);
        const csr = checkCsr(body.toString('utf8'), { trustDomain: deps.trustDomain });
        audit['csr_sha256'] = csr.fingerprint;
        const spiffeId = csr.sans![0]!.value;
        const { namespace, pod } = requirePodSpiffeId(spiffeId, deps.trustDomain);
        Object.assign(audit, { namespace, pod });
        const prefix = headerText(req.headers[HOST_ID_PREFIX_HEADER]);
        const commonName = commonNameFromCsrCn(prefix, csr.commonName ?? '', serviceId);
        audit['host_id'] = hostIdFromCommonName(commonName);
        const { policy, podVerifier, caSigner, certInjector } = deps.upstreams;
        const resolved = await policy.resolve({ serviceId, type: AuthenticatorType.AUTHENTICATOR_TYPE_AUTHN_K8S, hostId: audit['host_id'] as string });
        // Charged only for a signed CSR whose host is in policy, and per source address: inject needs no credential,
        // so a flood from elsewhere must not spend the bucket of the pod's own address.
        await enforceRateLimit(deps.limiter, deps.rates, 'pod', `${namespace}/${pod}@${clientIp}`, onRateLimited(deps));
        const verified = await podVerifier.verifyPod({ namespace, pod, restrictions: resolved.restrictions, containerName: resolved.containerName, expectedUid: '' });
        audit['pod_uid'] = verified.uid;
        const signed = await caSigner.sign({
          serviceId,
          csrPem: body.toString('utf8'),
          commonName,
          spiffeId: formatPodSpiffeId({ namespace, pod, trustDomain: deps.trustDomain }),
          podUid: verified.uid,
          ttlSeconds: resolved.authenticator?.certTtlSeconds ?? 0,
        });
        audit['cert_serial'] = signed.serial;
        const injected = await certInjector.inject({ namespace, pod, container: resolved.containerName, certificatePem: signed.certificatePem, podUid: verified.uid });
        Object.assign(audit, { container: resolved.containerName, inject_ms: injected.durationMs });
        deps.metrics.certs.inc({ result: 'issued', reason: '' });
        auditLogin(deps, 'AUDIT_INJECT_CLIENT_CERT', audit);
        sendEmpty(res, 202);
      } catch (err) {
        deps.metrics.certs.inc({ result: 'refused', reason: failureCode(err) });
        auditLogin(deps, 'AUDIT_INJECT_CLIENT_CERT', audit, err);
        throw err;
      }
    },
  };
}

function headerText(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}
