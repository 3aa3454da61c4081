import { createHash } from 'node:crypto';
import { AuthenticatorType } from '@podid/contracts';
import { commonNameFromCsrCn, formatPodSpiffeId, hostIdFromCommonName, parsePodSpiffeId, spiffeTrustDomainOf } from '@podid/spiffe';
import { checkCsr, CsrInvalidError } from '@podid/x509';
import { scopeOf } from '../auth/authenticator-scope';
import type { GatewayDeps } from '../gateway-deps';
import { readBody, MAX_CSR_BYTES } from '../http/read-body';
import { sendEmpty } from '../http/respond';
import type { Route } from '../http/route';
import { decodePathParam } from '../protocol/path-param';
import { INJECT_BUDGET_MS, UPSTREAM_DEADLINES_MS } from '../upstream/upstreams';
import { enforceRateLimit } from '../rate-limit/login-rate-limits';
import { onRateLimited } from './limited';
import { auditLogin, failureCode } from './login-audit';

/** The header Conjur's client sends with the dotted host id prefix. */
export const HOST_ID_PREFIX_HEADER = 'host-id-prefix';

/**
 * POST /authn-k8s/{serviceId}/inject_client_cert (certificate login): rate
 * limit by client IP, CSR checks (signature included), Policy.Resolve, the
 * SPIFFE id in the authenticator's trust domain, rate limit by pod, then
 * PodVerifier.VerifyPod, CaSigner.Sign and CertInjector.Inject, each for the
 * authenticator's cluster,
 * then 202 with an empty body, so the certificate is in the pod before the
 * client polls. All of it within INJECT_BUDGET_MS, the client's patience.
 */
export function injectClientCertRoute(deps: GatewayDeps): Route {
  return {
    method: 'POST',
    path: ['authn-k8s', ':serviceId', 'inject_client_cert'],
    name: 'authn-k8s/inject_client_cert',
    class: 'login',
    async handle({ req, res, params, clientIp }) {
      const startedAt = Date.now();
      const audit: Record<string, unknown> = { operation: 'k8s-inject-client-cert', client_ip: clientIp };
      try {
        const serviceId = decodePathParam(params['serviceId']!, 'serviceId');
        audit['authenticator'] = `authn-k8s/${serviceId}`;
        await enforceRateLimit(deps.limiter, deps.rates, 'ip', clientIp, onRateLimited(deps));
        const body = await readBody(req, MAX_CSR_BYTES);
        // The body's hash identifies a CSR too broken to parse; once parsed, csr_sha256 is the DER's, as ca-signer's CERT_ISSUED logs it.
        audit['body_sha256'] = createHash('sha256').update(body).digest('hex').slice(0, 16);
        // The trust domain is the authenticator's cluster's, known once policy resolves: checked right after.
        const csr = checkCsr(body.toString('utf8'), { anyTrustDomain: true });
        audit['csr_sha256'] = csr.fingerprint;
        const spiffeId = csr.sans![0]!.value;
        // The pod the CSR claims, in its own trust domain, for the audit line of a refusal that comes before policy.
        const claimed = parsePodSpiffeId(spiffeId, spiffeTrustDomainOf(spiffeId) ?? deps.trustDomain);
        if (claimed.ok) Object.assign(audit, { namespace: claimed.value.namespace, pod: claimed.value.pod });
        const prefix = headerText(req.headers[HOST_ID_PREFIX_HEADER]);
        const commonName = commonNameFromCsrCn(prefix, csr.commonName ?? '', serviceId);
        audit['host_id'] = hostIdFromCommonName(commonName);
        const { policy, podVerifier, caSigner, certInjector } = deps.upstreams;
        const resolved = await policy.resolve({ serviceId, type: AuthenticatorType.AUTHENTICATOR_TYPE_AUTHN_K8S, hostId: audit['host_id'] as string });
        const { cluster, trustDomain } = scopeOf(resolved.authenticator, deps.trustDomain);
        audit['cluster'] = cluster;
        const id = parsePodSpiffeId(spiffeId, trustDomain);
        // The refusal checkCsr would give with this trust domain: the same stable code as before clusters.
        if (!id.ok) throw new CsrInvalidError('CSR_SAN_NOT_SPIFFE', `CSR SAN ${id.reason}`, 'checkSpiffeSan');
        const { namespace, pod } = id.value;
        Object.assign(audit, { namespace, pod });
        // Charged only for a signed CSR whose host is in policy, and per source address: inject needs no credential,
        // so a flood from elsewhere must not spend the bucket of the pod's own address.
        await enforceRateLimit(deps.limiter, deps.rates, 'pod', `${namespace}/${pod}@${clientIp}`, onRateLimited(deps));
        const verified = await podVerifier.verifyPod({ namespace, pod, restrictions: resolved.restrictions, containerName: resolved.containerName, expectedUid: '', cluster });
        audit['pod_uid'] = verified.uid;
        const signed = await caSigner.sign({
          serviceId,
          csrPem: body.toString('utf8'),
          commonName,
          spiffeId: formatPodSpiffeId({ namespace, pod, trustDomain }),
          podUid: verified.uid,
          ttlSeconds: resolved.authenticator?.certTtlSeconds ?? 0,
          cluster,
        });
        audit['cert_serial'] = signed.serial;
        const left = Math.max(1, Math.min(UPSTREAM_DEADLINES_MS.certInjector, INJECT_BUDGET_MS - (Date.now() - startedAt)));
        const injected = await certInjector.inject(
          { namespace, pod, container: resolved.containerName, certificatePem: signed.certificatePem, podUid: verified.uid, cluster },
          { deadlineMs: left },
        );
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
