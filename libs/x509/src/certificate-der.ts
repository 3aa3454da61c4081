import { readTlv, type Tlv } from './der-reader';

/** The parts of a DER certificate, as byte ranges of it (nothing decoded beyond the structure). */
export interface CertificateParts {
  /** The signed bytes, TBSCertificate with its header. */
  readonly tbs: Buffer;
  readonly signatureAlgorithm: Buffer;
  /** BIT STRING content after the unused-bits byte. */
  readonly signature: Buffer;
  readonly version: Buffer;
  /** INTEGER content. */
  readonly serial: Buffer;
  readonly innerSignatureAlgorithm: Buffer;
  readonly issuer: Buffer;
  readonly validity: Buffer;
  readonly subject: Buffer;
  readonly spki: Buffer;
  /** The [3] element, or undefined when absent. */
  readonly extensions: Buffer | undefined;
}

/** Children of a constructed element, or undefined when they do not exactly fill it. */
export function children(buf: Buffer, parent: Tlv): Tlv[] | undefined {
  const out: Tlv[] = [];
  for (let at = parent.contentStart; at < parent.end; ) {
    const t = readTlv(buf, at, parent.end);
    if (!t) return undefined;
    out.push(t);
    at = t.end;
  }
  return out;
}

const bytes = (buf: Buffer, t: Tlv) => buf.subarray(t.start, t.end);

/** Splits a v3 certificate DER into its parts; undefined for anything else (trailing bytes included). */
export function readCertificate(der: Buffer): CertificateParts | undefined {
  const outer = readTlv(der, 0);
  if (!outer || outer.tag !== 0x30 || outer.end !== der.length) return undefined;
  const top = children(der, outer);
  if (!top || top.length !== 3) return undefined;
  const [tbs, alg, sig] = top as [Tlv, Tlv, Tlv];
  if (tbs.tag !== 0x30 || alg.tag !== 0x30 || sig.tag !== 0x03 || sig.end - sig.contentStart < 2 || der[sig.contentStart] !== 0) return undefined;
  const f = children(der, tbs);
  if (!f || f.length < 7 || f.length > 8) return undefined;
  const [version, serial, innerAlg, issuer, validity, subject, spki, ext] = f as [Tlv, Tlv, Tlv, Tlv, Tlv, Tlv, Tlv, Tlv | undefined];
  const tags = [version.tag, serial.tag, innerAlg.tag, issuer.tag, validity.tag, subject.tag, spki.tag];
  if (tags.join() !== [0xa0, 0x02, 0x30, 0x30, 0x30, 0x30, 0x30].join() || (ext && ext.tag !== 0xa3)) return undefined;
  return {
    tbs: bytes(der, tbs),
    signatureAlgorithm: bytes(der, alg),
    signature: der.subarray(sig.contentStart + 1, sig.end),
    version: bytes(der, version),
    serial: der.subarray(serial.contentStart, serial.end),
    innerSignatureAlgorithm: bytes(der, innerAlg),
    issuer: bytes(der, issuer),
    validity: bytes(der, validity),
    subject: bytes(der, subject),
    spki: bytes(der, spki),
    extensions: ext && bytes(der, ext),
  };
}
