import type { SecureContextOptions, TlsOptions } from 'node:tls';

/** ECDHE with AES-GCM or ChaCha20 only (TLS 1.2); TLS 1.3 suites are all AEAD and stay on. */
export const TLS12_CIPHERS = [
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES128-GCM-SHA256',
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-CHACHA20-POLY1305',
  'ECDHE-RSA-CHACHA20-POLY1305',
].join(':');

/**
 * Public TLS settings. Client certificates are requested but not enforced by
 * the handshake: a missing or bad one must get a 401 JSON answer, not a
 * dropped connection, and the route checks the chain itself.
 */
export function publicTlsOptions(pair: SecureContextOptions): TlsOptions {
  return {
    ...pair,
    minVersion: 'TLSv1.2',
    ciphers: TLS12_CIPHERS,
    honorCipherOrder: true,
    requestCert: true,
    rejectUnauthorized: false,
  };
}
