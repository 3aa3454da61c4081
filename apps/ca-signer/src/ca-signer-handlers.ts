import { createHash } from 'node:crypto';
import type { CaSignerService } from '@podid/contracts';
import type { Handlers } from '@podid/grpc';
import { hostIdFromCommonName } from '@podid/spiffe';
import { checkCsr, CsrInvalidError, signLeaf, type ParsedCsr } from '@podid/x509';
import type { CaRegistry } from './ca-registry';
import { requireServiceId, validateSignRequest } from './validate-sign-request';

const unixSeconds = (d: Date) => Math.floor(d.getTime() / 1000);

/** Sign and GetBundle. Proto messages stop here; domain code sees plain values. */
export function caSignerHandlers(opts: { registry: CaRegistry; trustDomain: string; now: () => Date }): Handlers<CaSignerService> {
  return {
    async sign(req, ctx) {
      validateSignRequest(req, opts.trustDomain);
      let csr: ParsedCsr;
      try {
        csr = checkCsr(req.csrPem, { spiffeId: req.spiffeId, trustDomain: opts.trustDomain });
      } catch (e) {
        if (e instanceof CsrInvalidError) {
          // The CSR may not decode, so this fingerprints the text as received.
          ctx.log.event('CSR_REJECTED', { code: e.code, check: e.check, csr_text_sha256: createHash('sha256').update(req.csrPem).digest('hex'), spiffe_id: req.spiffeId });
        }
        throw e;
      }
      const ca = await opts.registry.get(req.serviceId);
      const leaf = await signLeaf({ ca, csr, commonName: req.commonName, spiffeId: req.spiffeId, podUid: req.podUid, ttlMs: req.ttlSeconds * 1000, now: opts.now() });
      ctx.log.event('CERT_ISSUED', {
        service_id: req.serviceId,
        cert_serial: leaf.serial,
        host_id: hostIdFromCommonName(req.commonName),
        spiffe_id: req.spiffeId,
        pod_uid: req.podUid,
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
