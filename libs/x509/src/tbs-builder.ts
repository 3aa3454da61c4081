import { createHash } from 'node:crypto';
import { bitString, directoryString, encodeDer, explicit, octetString, oid, seq, set, time, tlv, TRUE, unsignedInteger, type Der } from './der-writer';
import type { KeyAlgorithm } from './keys';

/** The signature a CA key makes over a TBSCertificate: its AlgorithmIdentifier DER and the hash for crypto.sign. */
export interface LeafSignatureAlgorithm {
  readonly der: Buffer;
  readonly hash: string | null;
}

/** Same choice as signingAlgorithm (keys.ts): ECDSA hashes by curve size, RSA PKCS#1 v1.5 with SHA-256. */
export function leafSignatureAlgorithm(alg: KeyAlgorithm): LeafSignatureAlgorithm {
  switch (alg) {
    case 'ec-p256':
      return { der: encodeDer(seq(oid('1.2.840.10045.4.3.2'))), hash: 'sha256' };
    case 'ec-p384':
      return { der: encodeDer(seq(oid('1.2.840.10045.4.3.3'))), hash: 'sha384' };
    case 'ed25519':
      return { der: encodeDer(seq(oid('1.3.101.112'))), hash: null };
    default:
      return { der: encodeDer(seq(oid('1.2.840.113549.1.1.11'), Buffer.from([0x05, 0x00]))), hash: 'sha256' };
  }
}

const COMMON_NAME = oid('2.5.4.3');
const V3 = encodeDer(explicit(0, Buffer.from([0x02, 0x01, 0x02])));
const extension = (id: Buffer, critical: boolean, value: Der): Der => (critical ? seq(id, TRUE, octetString(value)) : seq(id, octetString(value)));
const BASIC_CONSTRAINTS_LEAF = extension(oid('2.5.29.19'), true, seq());
const KEY_USAGE_DIGITAL_SIGNATURE = extension(oid('2.5.29.15'), true, Buffer.from([0x03, 0x02, 0x07, 0x80]));
const EXT_KEY_USAGE_CLIENT_AUTH = extension(oid('2.5.29.37'), false, seq(oid('1.3.6.1.5.5.7.3.2')));
const FIXED_EXTENSIONS = Buffer.concat([BASIC_CONSTRAINTS_LEAF, KEY_USAGE_DIGITAL_SIGNATURE, EXT_KEY_USAGE_CLIENT_AUTH].map(encodeDer));
const SUBJECT_ALT_NAME = oid('2.5.29.17');
const SUBJECT_KEY_IDENTIFIER = oid('2.5.29.14');

/** SHA-1 of the subjectPublicKey BIT STRING content (RFC 5280 4.2.1.2 method 1, as @peculiar/x509 computes it). */
export function subjectKeyIdentifier(subjectPublicKey: Buffer): Buffer {
  return createHash('sha1').update(subjectPublicKey).digest();
}

/**
 * DER TBSCertificate of a pod leaf: v3, the given serial, the CA's subject as
 * issuer (bytes copied), CN subject, the CSR's SPKI (bytes copied) and the
 * fixed leaf extensions in this order: basicConstraints CA:false (critical),
 * keyUsage digitalSignature (critical), extKeyUsage clientAuth,
 * subjectAltName URIs, subjectKeyIdentifier, the CA's authorityKeyIdentifier.
 */
export function buildLeafTbs(o: {
  serial: Buffer;
  signatureAlgorithm: Buffer;
  issuerDer: Buffer;
  notBefore: Date;
  notAfter: Date;
  commonName: string;
  spki: Buffer;
  subjectPublicKey: Buffer;
  sanUris: readonly string[];
  authorityKeyIdentifierExtension: Buffer;
}): Buffer {
  const san = seq(...o.sanUris.map((u) => tlv(0x86, Buffer.from(u, 'latin1'))));
  const extensions = seq(
    FIXED_EXTENSIONS,
    extension(SUBJECT_ALT_NAME, false, san),
    extension(SUBJECT_KEY_IDENTIFIER, false, octetString(subjectKeyIdentifier(o.subjectPublicKey))),
    o.authorityKeyIdentifierExtension,
  );
  return encodeDer(seq(
    V3,
    unsignedInteger(o.serial),
    o.signatureAlgorithm,
    o.issuerDer,
    seq(time(o.notBefore), time(o.notAfter)),
    seq(set(seq(COMMON_NAME, directoryString(o.commonName)))),
    o.spki,
    explicit(3, extensions),
  ));
}

/** Certificate ::= SEQUENCE { tbs, signatureAlgorithm, BIT STRING signature }. */
export const assembleCertificate = (tbs: Buffer, signatureAlgorithm: Buffer, signature: Buffer): Buffer => encodeDer(seq(tbs, signatureAlgorithm, bitString(signature)));
