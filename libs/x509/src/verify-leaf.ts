import { verify } from 'node:crypto';
import { children, readCertificate } from './certificate-der';
import { decodeOid, readTlv, type Tlv } from './der-reader';
import type { SigningCa } from './signing-ca';

/** A leaf podid just signed is not what was asked for: a bug, never the caller's fault. */
export class LeafSelfCheckError extends Error {
  constructor(readonly check: string) {
    super(`signed leaf failed self-check: ${check}`);
    this.name = 'LeafSelfCheckError';
  }
}

/** What the check read back from the leaf. */
export interface VerifiedLeaf {
  /** Lowercase hex of the serial INTEGER content. */
  readonly serial: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
}

/** Whole-second rounding of UTCTime, in ms. */
const TIME_ROUNDING_MS = 1000;
const V3 = Buffer.from([0xa0, 0x03, 0x02, 0x01, 0x02]);
const BASIC_CONSTRAINTS = '2.5.29.19';
const SAN = '2.5.29.17';
const AKI = '2.5.29.35';
const CN = '2.5.4.3';

/**
 * Re-reads a freshly signed leaf DER from the bytes alone (not from what the
 * builder meant): the CA key's signature over the TBS verifies, issuer and
 * signature algorithm are the CA's, it carries the CSR's key, exactly the CN
 * and URI SANs asked for and the CA's AKI, is not a CA, and lives no longer
 * than asked. Node's X509Certificate would decode the key eagerly, which
 * costs more than the signature (docs/performance.md).
 */
export function verifyLeaf(opts: { der: Buffer; ca: SigningCa; spki: Buffer; commonName: string; sanUris: readonly string[]; maxTtlMs: number; now: Date }): VerifiedLeaf {
  const fail = (check: string): never => {
    throw new LeafSelfCheckError(check);
  };
  const { ca } = opts;
  const leaf = readCertificate(opts.der) ?? fail('is not a DER X.509 certificate');
  let signed = false;
  try {
    signed = verify(ca.leafSignature.hash, leaf.tbs, ca.publicKey, leaf.signature);
  } catch {
    signed = false;
  }
  if (!signed) fail('signature does not verify with the CA key');
  if (!leaf.version.equals(V3)) fail('is not v3');
  if (!leaf.signatureAlgorithm.equals(ca.leafSignature.der) || !leaf.innerSignatureAlgorithm.equals(ca.leafSignature.der)) fail('signature algorithm is not the CA one');
  if (!leaf.issuer.equals(ca.subjectDer)) fail('issuer is not the CA subject');
  if (leaf.serial.length < 17 || ((leaf.serial[0] as number) & 0x80) !== 0 || leaf.serial[0] === 0) fail('serial is not a positive 135+ bit integer');
  if (!leaf.spki.equals(opts.spki)) fail('public key differs from the CSR');
  if (commonNameOf(leaf.subject) !== opts.commonName) fail('CN differs from the request');
  const ext = extensionsOf(leaf.extensions) ?? fail('extensions are undecodable or repeated');
  const bc = ext.get(BASIC_CONSTRAINTS);
  if (!bc || !bc.critical || !isNotCa(bc.value)) fail('is a CA or lacks a critical basicConstraints');
  const sans = ext.has(SAN) ? uriSans(ext.get(SAN)!.value) : undefined;
  if (!sans || sans.join('\n') !== opts.sanUris.join('\n') || sans.length !== opts.sanUris.length) fail('SAN differs from the request');
  if (!ext.get(AKI)?.der.equals(ca.authorityKeyIdentifierDer)) fail('authorityKeyIdentifier is not the CA one');
  const [notBefore, notAfter] = validityOf(leaf.validity) ?? fail('validity is undecodable');
  const cap = opts.now.getTime() + opts.maxTtlMs;
  const expected = Math.min(cap, ca.notAfter.getTime());
  if (notAfter.getTime() > cap || notAfter.getTime() < expected - TIME_ROUNDING_MS) fail('lifetime differs from the request');
  if (notBefore.getTime() > opts.now.getTime()) fail('notBefore is in the future');
  return { serial: leaf.serial.toString('hex'), notBefore, notAfter };
}

const kids = (der: Buffer): Tlv[] | undefined => {
  const t = readTlv(der, 0);
  return t && t.end === der.length ? children(der, t) : undefined;
};
const oidAt = (der: Buffer, t: Tlv | undefined) => (t && t.tag === 0x06 ? decodeOid(der.subarray(t.contentStart, t.end)) : undefined);

/** The one CN of a single-RDN subject, or undefined. */
function commonNameOf(subject: Buffer): string | undefined {
  const rdns = kids(subject);
  if (!rdns || rdns.length !== 1 || rdns[0]!.tag !== 0x31) return undefined;
  const atvs = children(subject, rdns[0]!);
  if (!atvs || atvs.length !== 1 || atvs[0]!.tag !== 0x30) return undefined;
  const [type, value, ...rest] = children(subject, atvs[0]!) ?? [];
  if (!value || rest.length > 0 || oidAt(subject, type) !== CN) return undefined;
  const b = subject.subarray(value.contentStart, value.end);
  return value.tag === 0x0c ? b.toString('utf8') : value.tag === 0x13 ? b.toString('latin1') : undefined;
}

interface Extension {
  readonly der: Buffer;
  readonly critical: boolean;
  readonly value: Buffer;
}

/** Extensions by OID from the [3] element; undefined when undecodable or an OID repeats. */
function extensionsOf(wrapped: Buffer | undefined): Map<string, Extension> | undefined {
  const inner = wrapped && kids(wrapped);
  if (!inner || inner.length !== 1 || inner[0]!.tag !== 0x30) return undefined;
  const out = new Map<string, Extension>();
  for (const e of children(wrapped, inner[0]!) ?? []) {
    const parts = e.tag === 0x30 ? (children(wrapped, e) ?? []) : [];
    const id = oidAt(wrapped, parts[0]);
    const value = parts[parts.length - 1];
    const critical = parts.length === 3 && parts[1]!.tag === 0x01 && wrapped[parts[1]!.contentStart] === 0xff && parts[1]!.end - parts[1]!.contentStart === 1;
    if (!id || !value || value.tag !== 0x04 || (parts.length !== 2 && !critical) || out.has(id)) return undefined;
    out.set(id, { der: wrapped.subarray(e.start, e.end), critical, value: wrapped.subarray(value.contentStart, value.end) });
  }
  return out.size > 0 ? out : undefined;
}

/** BasicConstraints with cA absent (DEFAULT FALSE). */
const isNotCa = (value: Buffer): boolean => {
  const k = kids(value);
  return k !== undefined && k.every((t) => t.tag !== 0x01);
};

/** GeneralNames that are all URIs, in order; undefined when any is not. */
function uriSans(value: Buffer): string[] | undefined {
  const names = kids(value);
  if (!names || names.some((n) => n.tag !== 0x86)) return undefined;
  return names.map((n) => value.subarray(n.contentStart, n.end).toString('latin1'));
}

function validityOf(validity: Buffer): [Date, Date] | undefined {
  const [a, b, ...rest] = kids(validity) ?? [];
  const nb = a && readTime(validity, a);
  const na = b && readTime(validity, b);
  return nb && na && rest.length === 0 ? [nb, na] : undefined;
}

function readTime(der: Buffer, t: Tlv): Date | undefined {
  const s = der.subarray(t.contentStart, t.end).toString('latin1');
  const m = t.tag === 0x17 ? /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(s) : t.tag === 0x18 ? /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(s) : null;
  if (!m) return undefined;
  const y = Number(m[1]);
  const year = t.tag === 0x17 ? (y < 50 ? 2000 + y : 1900 + y) : y;
  return new Date(Date.UTC(year, Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6])));
}
