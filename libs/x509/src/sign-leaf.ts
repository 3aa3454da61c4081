import { sign } from 'node:crypto';
import { FailedPreconditionError, InvalidArgumentError } from '@podid/errors';
import { formatClusterUrn, formatPodUidUri } from '@podid/spiffe';
import { derToPem } from './keys';
import { randomLeafSerial } from './leaf-serial';
import type { ParsedCsr } from './parse-csr';
import type { SigningCa } from './signing-ca';
import { assembleCertificate, buildLeafTbs } from './tbs-builder';
import { verifyLeaf } from './verify-leaf';

/** Longest leaf lifetime: 30 days, the upper bound of SignRequest.ttl_seconds. */
export const MAX_LEAF_TTL_MS = 2_592_000_000;
/** notBefore is backdated this much so that a client whose clock lags still accepts the leaf. */
export const CLOCK_SKEW_BACKDATE_MS = 60_000;
const MAX_CN_LENGTH = 1024;

/** What signLeaf returns: the leaf and facts for the response and the log. */
export interface SignedLeaf {
  readonly certPem: string;
  /** Lowercase hex, as in the certificate. */
  readonly serial: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
}

/**
 * Issues a pod leaf for a checked CSR (see checkCsr): CN = the full dotted
 * host id, URI SANs [spiffeId, urn:podid:pod-uid:<uid>, urn:podid:cluster:<name>],
 * clientAuth only.
 * notAfter is now + ttl, clamped to the CA's notAfter. The TBS is built as
 * DER (tbs-builder.ts) and signed with node's crypto.sign; the leaf is
 * re-read and verified before it is returned (verifyLeaf).
 */
export async function signLeaf(opts: {
  ca: SigningCa;
  csr: ParsedCsr;
  commonName: string;
  spiffeId: string;
  podUid: string;
  /** The pod's cluster (a DNS label): a leaf of cluster A must never pass for a pod of cluster B. */
  cluster: string;
  ttlMs: number;
  now: Date;
}): Promise<SignedLeaf> {
  const { ca, csr, now } = opts;
  if (!Number.isInteger(opts.ttlMs) || opts.ttlMs < 1000 || opts.ttlMs > MAX_LEAF_TTL_MS) {
    throw new InvalidArgumentError('TTL_OUT_OF_RANGE', `leaf ttl: exp=1s..${MAX_LEAF_TTL_MS / 1000}s got=${opts.ttlMs}ms`);
  }
  if (opts.commonName.length === 0 || opts.commonName.length > MAX_CN_LENGTH || /[\u0000-\u001f\u007f]/.test(opts.commonName)) {
    throw new InvalidArgumentError('CN_INVALID', `leaf CN: exp=1..${MAX_CN_LENGTH} printable characters got=${opts.commonName.length} characters`);
  }
  if (now.getTime() >= ca.notAfter.getTime()) {
    throw new FailedPreconditionError('CA_EXPIRED', `CA ${ca.fingerprint.slice(0, 16)}: exp=valid now got=expired at ${ca.notAfter.toISOString()}`);
  }
  const podUidUri = formatPodUidUri(opts.podUid);
  const sanUris = [opts.spiffeId, podUidUri, formatClusterUrn(opts.cluster)];
  const notAfter = new Date(Math.min(now.getTime() + opts.ttlMs, ca.notAfter.getTime()));
  const tbs = buildLeafTbs({
    serial: randomLeafSerial(),
    signatureAlgorithm: ca.leafSignature.der,
    issuerDer: ca.subjectDer,
    notBefore: new Date(now.getTime() - CLOCK_SKEW_BACKDATE_MS),
    notAfter,
    commonName: opts.commonName,
    spki: csr.spki,
    subjectPublicKey: csr.subjectPublicKey,
    sanUris,
    authorityKeyIdentifierExtension: ca.authorityKeyIdentifierDer,
  });
  const der = assembleCertificate(tbs, ca.leafSignature.der, sign(ca.leafSignature.hash, tbs, ca.signingKey));
  const checked = verifyLeaf({ der, ca, spki: csr.spki, commonName: opts.commonName, sanUris, maxTtlMs: opts.ttlMs, now });
  return { certPem: derToPem(der, 'CERTIFICATE'), ...checked };
}
