import { createHash } from 'node:crypto';

/**
 * The fingerprint podid logs for a CSR or a certificate: the full hex sha256
 * of its DER. One function, so that the gateway's audit line and ca-signer's
 * CERT_ISSUED (and cert-injector's lines) carry values that join.
 */
export function derSha256(der: Uint8Array): string {
  return createHash('sha256').update(der).digest('hex');
}
