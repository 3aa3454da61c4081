import { X509Certificate } from 'node:crypto';
import { x509 } from './provider';
import type { SigningCa } from './signing-ca';

/** A leaf podid just signed is not what was asked for: a bug, never the caller's fault. */
export class LeafSelfCheckError extends Error {
  constructor(readonly check: string) {
    super(`signed leaf failed self-check: ${check}`);
    this.name = 'LeafSelfCheckError';
  }
}

/** Whole-second rounding of UTCTime, in ms. */
const TIME_ROUNDING_MS = 1000;

/**
 * Verifies a freshly signed leaf with Node's own X.509 code (an independent
 * parser): it chains to the CA, carries the CSR's key, the CN and URI SANs
 * asked for, is not a CA, and lives no longer than asked.
 */
export function verifyLeaf(opts: { certPem: string; ca: SigningCa; spki: Buffer; commonName: string; sanUris: string[]; maxTtlMs: number; now: Date }): void {
  const leaf = new X509Certificate(opts.certPem);
  const fail = (check: string) => {
    throw new LeafSelfCheckError(check);
  };
  if (!leaf.checkIssued(opts.ca.nodeCert) || !leaf.verify(opts.ca.nodeCert.publicKey)) fail('does not chain to the CA');
  if (leaf.ca) fail('is a CA');
  if (!leaf.publicKey.export({ type: 'spki', format: 'der' }).equals(opts.spki)) fail('public key differs from the CSR');
  if (leaf.subjectAltName !== opts.sanUris.map((u) => `URI:${u}`).join(', ')) fail('SAN differs from the request');
  const cns = new x509.X509Certificate(opts.certPem).subjectName.getField('CN');
  if (cns.length !== 1 || cns[0] !== opts.commonName) fail('CN differs from the request');
  const notAfter = new Date(leaf.validTo).getTime();
  const cap = opts.now.getTime() + opts.maxTtlMs;
  const expected = Math.min(cap, opts.ca.notAfter.getTime());
  if (notAfter > cap || notAfter < expected - TIME_ROUNDING_MS) fail('lifetime differs from the request');
}
