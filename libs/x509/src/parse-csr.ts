import { createHash, createPublicKey, type KeyObject } from 'node:crypto';
import { CsrInvalidError } from './csr-invalid-error';
import { decodeCsrPem } from './csr-pem';
import { decodeOid, readTlv } from './der-reader';
import { x509 } from './provider';

/** One subjectAltName entry as @peculiar/x509 names it (`url`, `dns`, `ip`, `email`, ...). */
export interface SanEntry {
  readonly type: string;
  readonly value: string;
}

/** A structurally valid CSR, not yet checked (see checkCsr). */
export interface ParsedCsr {
  readonly der: Buffer;
  /** sha256 hex of the DER: what logs carry instead of the CSR. */
  readonly fingerprint: string;
  /** Signed bytes (certificationRequestInfo) exactly as received. */
  readonly tbs: Buffer;
  readonly signatureAlgorithmOid: string;
  readonly signature: Buffer;
  /** SubjectPublicKeyInfo DER. */
  readonly spki: Buffer;
  /** The key, or undefined when Node cannot load it (unknown curve or type). */
  readonly publicKey: KeyObject | undefined;
  readonly commonName: string | undefined;
  /** All SAN entries of all subjectAltName extensions, or undefined when one cannot be decoded. */
  readonly sans: readonly SanEntry[] | undefined;
  /** The parsed request, for building the leaf. */
  readonly request: x509.Pkcs10CertificateRequest;
}

const SAN_OID = '2.5.29.17';
const SEQUENCE = 0x30;
const OID = 0x06;
const BIT_STRING = 0x03;

/** Decodes PEM and DER. Every failure is a CsrInvalidError(CSR_TOO_LARGE | CSR_MALFORMED). */
export function parseCsr(pem: string): ParsedCsr {
  const der = decodeCsrPem(pem);
  const refuse = (what: string) => new CsrInvalidError('CSR_MALFORMED', `CSR: exp=DER PKCS#10 got=${what}`, 'parseCsr');
  const outer = readTlv(der, 0);
  if (!outer || outer.tag !== SEQUENCE || outer.end !== der.length) throw refuse('no outer SEQUENCE spanning the block');
  const tbs = readTlv(der, outer.contentStart, outer.end);
  const alg = tbs && readTlv(der, tbs.end, outer.end);
  const sig = alg && readTlv(der, alg.end, outer.end);
  if (!tbs || !alg || !sig || tbs.tag !== SEQUENCE || alg.tag !== SEQUENCE || sig.tag !== BIT_STRING || sig.end !== outer.end) {
    throw refuse('not SEQUENCE{info, algorithm, BIT STRING}');
  }
  const oid = readTlv(der, alg.contentStart, alg.end);
  const oidText = oid && oid.tag === OID ? decodeOid(der.subarray(oid.contentStart, oid.end)) : undefined;
  if (!oidText) throw refuse('no signature algorithm OID');
  if (sig.end - sig.contentStart < 2 || der[sig.contentStart] !== 0) throw refuse('a signature BIT STRING with unused bits');
  let request: x509.Pkcs10CertificateRequest;
  let spki: Buffer;
  let commonNames: string[];
  try {
    request = new x509.Pkcs10CertificateRequest(new Uint8Array(der));
    spki = Buffer.from(request.publicKey.rawData);
    commonNames = request.subjectName.getField('CN');
  } catch (e) {
    throw refuse(`undecodable content (${e instanceof Error ? e.message.slice(0, 80) : 'error'})`);
  }
  if (commonNames.length > 1) throw refuse(`${commonNames.length} CNs (exp at most 1)`);
  return {
    der,
    fingerprint: createHash('sha256').update(der).digest('hex'),
    tbs: der.subarray(tbs.start, tbs.end),
    signatureAlgorithmOid: oidText,
    signature: der.subarray(sig.contentStart + 1, sig.end),
    spki,
    publicKey: loadKey(spki),
    commonName: commonNames[0],
    sans: sanEntries(request),
    request,
  };
}

function loadKey(spki: Buffer): KeyObject | undefined {
  try {
    return createPublicKey({ key: spki, format: 'der', type: 'spki' });
  } catch {
    return undefined;
  }
}

function sanEntries(request: x509.Pkcs10CertificateRequest): SanEntry[] | undefined {
  try {
    return request.extensions
      .filter((e) => e.type === SAN_OID)
      .flatMap((e) => new x509.SubjectAlternativeNameExtension(e.rawData).names.items.map((n) => ({ type: n.type, value: n.value })));
  } catch {
    return undefined;
  }
}
