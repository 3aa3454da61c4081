import { createPublicKey, type KeyObject } from 'node:crypto';
import { derSha256 } from './der-sha256';
import { children } from './certificate-der';
import { CsrInvalidError } from './csr-invalid-error';
import { decodeCsrPem } from './csr-pem';
import { decodeOid, readTlv, type Tlv } from './der-reader';

/** One subjectAltName entry, named as @peculiar/x509 names them (`url`, `dns`, `ip`, `email`, ...). */
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
  /** The subjectPublicKey BIT STRING content after the unused-bits byte (what the SKI hashes). */
  readonly subjectPublicKey: Buffer;
  /** The key, or undefined when Node cannot load it (unknown curve or type). */
  readonly publicKey: KeyObject | undefined;
  readonly commonName: string | undefined;
  /** All SAN entries of all subjectAltName extensions, or undefined when one cannot be decoded. */
  readonly sans: readonly SanEntry[] | undefined;
}

const SAN_OID = '2.5.29.17';
const CN_OID = '2.5.4.3';
const EXTENSION_REQUEST_OID = '1.2.840.113549.1.9.14';
const SEQUENCE = 0x30;
const SET = 0x31;
const OID = 0x06;
const INTEGER = 0x02;
const BIT_STRING = 0x03;
const OCTET_STRING = 0x04;
const BOOLEAN = 0x01;
const ATTRIBUTES = 0xa0;

/** Thrown inside the parser; parseCsr turns it into CSR_MALFORMED naming `what`. */
class Malformed extends Error {}

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
  let info: ReturnType<typeof readInfo>;
  try {
    info = readInfo(der, tbs);
  } catch (e) {
    throw refuse(e instanceof Malformed ? e.message : 'undecodable content');
  }
  if (info.commonNames.length > 1) throw refuse(`${info.commonNames.length} CNs (exp at most 1)`);
  return {
    der,
    fingerprint: derSha256(der),
    tbs: der.subarray(tbs.start, tbs.end),
    signatureAlgorithmOid: oidText,
    signature: der.subarray(sig.contentStart + 1, sig.end),
    spki: info.spki,
    subjectPublicKey: info.subjectPublicKey,
    publicKey: loadKey(info.spki),
    commonName: info.commonNames[0],
    sans: info.sans,
  };
}

function kids(der: Buffer, t: Tlv, what: string): Tlv[] {
  const c = children(der, t);
  if (!c) throw new Malformed(`undecodable ${what}`);
  return c;
}

function oidOf(der: Buffer, t: Tlv | undefined, what: string): string {
  const s = t && t.tag === OID ? decodeOid(der.subarray(t.contentStart, t.end)) : undefined;
  if (!s) throw new Malformed(`no OID in ${what}`);
  return s;
}

/** CertificationRequestInfo ::= SEQUENCE { version INTEGER, subject Name, SubjectPublicKeyInfo, [0] attributes }. */
function readInfo(der: Buffer, tbs: Tlv) {
  const [version, subject, spki, attributes, ...rest] = kids(der, tbs, 'request info');
  if (!version || version.tag !== INTEGER || !subject || subject.tag !== SEQUENCE || !spki || spki.tag !== SEQUENCE || rest.length > 0) {
    throw new Malformed('request info not {version, subject, subjectPKInfo, attributes}');
  }
  if (attributes && attributes.tag !== ATTRIBUTES) throw new Malformed('attributes not [0]');
  const [keyAlg, keyBits, ...more] = kids(der, spki, 'subjectPKInfo');
  if (!keyAlg || keyAlg.tag !== SEQUENCE || !keyBits || keyBits.tag !== BIT_STRING || more.length > 0 || keyBits.end - keyBits.contentStart < 2 || der[keyBits.contentStart] !== 0) {
    throw new Malformed('subjectPKInfo not {algorithm, BIT STRING}');
  }
  return {
    spki: der.subarray(spki.start, spki.end),
    subjectPublicKey: der.subarray(keyBits.contentStart + 1, keyBits.end),
    commonNames: commonNamesOf(der, subject),
    sans: attributes ? sansOf(der, attributes) : [],
  };
}

/** Name ::= SEQUENCE OF SET OF SEQUENCE { type OID, value }: every CN value, in order. */
function commonNamesOf(der: Buffer, name: Tlv): string[] {
  const out: string[] = [];
  for (const rdn of kids(der, name, 'subject')) {
    if (rdn.tag !== SET) throw new Malformed('subject RDN not a SET');
    for (const atv of kids(der, rdn, 'subject RDN')) {
      const [type, value, ...extra] = atv.tag === SEQUENCE ? kids(der, atv, 'subject attribute') : [];
      if (!type || !value || extra.length > 0) throw new Malformed('subject attribute not {type, value}');
      if (oidOf(der, type, 'subject attribute') === CN_OID) out.push(directoryString(der, value));
    }
  }
  return out;
}

function directoryString(der: Buffer, t: Tlv): string {
  const b = der.subarray(t.contentStart, t.end);
  switch (t.tag) {
    case 0x0c: // UTF8String
      return b.toString('utf8');
    case 0x13: // PrintableString
    case 0x16: // IA5String
    case 0x14: // TeletexString, read as Latin-1
      return b.toString('latin1');
    case 0x1e: // BMPString
      if (b.length % 2) throw new Malformed('odd-length BMPString');
      return Buffer.from(b).swap16().toString('utf16le');
    default:
      throw new Malformed(`CN string tag 0x${t.tag.toString(16)}`);
  }
}

/** SAN entries of the extensionRequest attribute; undefined when a subjectAltName cannot be decoded. */
function sansOf(der: Buffer, attributes: Tlv): SanEntry[] | undefined {
  const sans: SanEntry[] = [];
  let undecodable = false;
  for (const attr of kids(der, attributes, 'attributes')) {
    const [type, values, ...extra] = attr.tag === SEQUENCE ? kids(der, attr, 'attribute') : [];
    if (!type || !values || values.tag !== SET || extra.length > 0) throw new Malformed('attribute not {type, SET}');
    if (oidOf(der, type, 'attribute') !== EXTENSION_REQUEST_OID) continue;
    for (const exts of kids(der, values, 'extensionRequest')) {
      if (exts.tag !== SEQUENCE) throw new Malformed('extensionRequest not a SEQUENCE');
      for (const ext of kids(der, exts, 'extensions')) {
        const parts = ext.tag === SEQUENCE ? kids(der, ext, 'extension') : [];
        const value = parts[parts.length - 1];
        const shapeOk = (parts.length === 2 || (parts.length === 3 && parts[1]!.tag === BOOLEAN)) && value!.tag === OCTET_STRING;
        if (!shapeOk) throw new Malformed('extension not {OID, critical?, OCTET STRING}');
        if (oidOf(der, parts[0], 'extension') !== SAN_OID) continue;
        const names = generalNames(der, value!);
        if (names) sans.push(...names);
        else undecodable = true;
      }
    }
  }
  return undecodable ? undefined : sans;
}

const NAME_TYPES: Record<number, string> = { 0xa0: 'other', 0x81: 'email', 0x82: 'dns', 0xa3: 'x400', 0xa4: 'dn', 0xa5: 'edi', 0x86: 'url', 0x87: 'ip', 0x88: 'id' };

/** GeneralNames inside an OCTET STRING; URI, DNS and email bytes read as Latin-1 so that no two byte strings read alike. */
function generalNames(der: Buffer, octets: Tlv): SanEntry[] | undefined {
  const seq = readTlv(der, octets.contentStart, octets.end);
  if (!seq || seq.tag !== SEQUENCE || seq.end !== octets.end) return undefined;
  const names = children(der, seq);
  if (!names || names.length === 0) return undefined;
  const out: SanEntry[] = [];
  for (const n of names) {
    const type = NAME_TYPES[n.tag];
    if (!type) return undefined;
    const b = der.subarray(n.contentStart, n.end);
    out.push({ type, value: type === 'url' || type === 'dns' || type === 'email' ? b.toString('latin1') : b.toString('hex') });
  }
  return out;
}

/** SPKI headers of an uncompressed P-256 point and of an Ed25519 key: their keys load about 1.5x (EC) to 15x (Ed25519, RSA) faster from JWK than through OpenSSL's DER decoder. */
const P256_UNCOMPRESSED_HEADER = Buffer.from('3059301306072a8648ce3d020106082a8648ce3d03010703420004', 'hex');
const ED25519_HEADER = Buffer.from('302a300506032b6570032100', 'hex');

/** Loads the key; the JWK path applies only to SPKIs that are exactly one of the headers above plus the raw key, so it reads the same key. */
function loadKey(spki: Buffer): KeyObject | undefined {
  try {
    if (spki.length === P256_UNCOMPRESSED_HEADER.length + 64 && spki.subarray(0, P256_UNCOMPRESSED_HEADER.length).equals(P256_UNCOMPRESSED_HEADER)) {
      const xy = spki.subarray(P256_UNCOMPRESSED_HEADER.length);
      // JWK import checks that the point is on the curve, as the DER decoder does.
      return createPublicKey({ key: { kty: 'EC', crv: 'P-256', x: xy.subarray(0, 32).toString('base64url'), y: xy.subarray(32).toString('base64url') }, format: 'jwk' });
    }
    if (spki.length === ED25519_HEADER.length + 32 && spki.subarray(0, ED25519_HEADER.length).equals(ED25519_HEADER)) {
      return createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: spki.subarray(ED25519_HEADER.length).toString('base64url') }, format: 'jwk' });
    }
    const rsa = rsaJwk(spki);
    if (rsa) return createPublicKey({ key: rsa, format: 'jwk' });
    return createPublicKey({ key: spki, format: 'der', type: 'spki' });
  } catch {
    return undefined;
  }
}

const RSA_ALGORITHM = Buffer.from('300d06092a864886f70d0101010500', 'hex');

/** Minimal positive INTEGER content, or undefined. */
function positiveInteger(der: Buffer, t: Tlv | undefined): Buffer | undefined {
  if (!t || t.tag !== INTEGER || t.end === t.contentStart) return undefined;
  const v = der.subarray(t.contentStart, t.end);
  const first = v[0] as number;
  if (first & 0x80) return undefined; // negative
  if (first === 0) return v.length > 1 && ((v[1] as number) & 0x80) !== 0 ? v.subarray(1) : undefined; // non-minimal or zero
  return v;
}

/** The JWK of an RSA SPKI in strict DER (rsaEncryption with NULL, RSAPublicKey filling the BIT STRING), else undefined (the DER decoder then decides). */
function rsaJwk(spki: Buffer): { kty: 'RSA'; n: string; e: string } | undefined {
  const outer = readTlv(spki, 0);
  if (!outer || outer.end !== spki.length) return undefined;
  const [alg, bits, ...rest] = children(spki, outer) ?? [];
  if (!alg || !bits || rest.length > 0 || !spki.subarray(alg.start, alg.end).equals(RSA_ALGORITHM) || bits.tag !== BIT_STRING || spki[bits.contentStart] !== 0) return undefined;
  const key = readTlv(spki, bits.contentStart + 1, bits.end);
  if (!key || key.tag !== SEQUENCE || key.end !== bits.end) return undefined;
  const [n, e, ...more] = children(spki, key) ?? [];
  const nv = positiveInteger(spki, n);
  const ev = positiveInteger(spki, e);
  return nv && ev && more.length === 0 ? { kty: 'RSA', n: nv.toString('base64url'), e: ev.toString('base64url') } : undefined;
}
