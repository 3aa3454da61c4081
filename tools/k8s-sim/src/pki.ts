import { createHash, generateKeyPairSync, randomBytes, sign, X509Certificate, type KeyObject } from 'node:crypto';
import { bitString, bool, children, ctx, octets, oid, readTlv, seq, set, smallInt, time, uint, utf8 } from './der';

/** The simulator's CA: signs the serving certificate, client certificates and approved CSRs. */
export interface Ca {
  certPem: string;
  key: KeyObject;
  /** DER of the CA's subject Name, used as the issuer of what it signs. */
  nameDer: Buffer;
  /** Subject key identifier, copied into the authorityKeyIdentifier of leaves. */
  keyId: Buffer;
}

export interface LeafSpec {
  /** DER SubjectPublicKeyInfo of the leaf's key (any algorithm node can read). */
  spkiDer: Buffer;
  commonName: string;
  organizations?: string[];
  dnsNames?: string[];
  ips?: string[];
  usages: Array<'server' | 'client'>;
  notAfter: Date;
}

const OID = {
  ecdsaSha256: '1.2.840.10045.4.3.2',
  cn: '2.5.4.3',
  o: '2.5.4.10',
  basicConstraints: '2.5.29.19',
  keyUsage: '2.5.29.15',
  extKeyUsage: '2.5.29.37',
  san: '2.5.29.17',
  ski: '2.5.29.14',
  aki: '2.5.29.35',
  serverAuth: '1.3.6.1.5.5.7.3.1',
  clientAuth: '1.3.6.1.5.5.7.3.2',
};
/** Backdating absorbs small clock differences between processes. */
const BACKDATE_MS = 60_000;

export function newEcKey(): { key: KeyObject; keyPem: string; spkiDer: Buffer } {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return {
    key: privateKey,
    keyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    spkiDer: publicKey.export({ type: 'spki', format: 'der' }),
  };
}

export function encodeName(commonName: string, organizations: string[] = []): Buffer {
  const rdn = (o: string, v: string) => set(seq(oid(o), utf8(v)));
  return seq(...organizations.map((o) => rdn(OID.o, o)), rdn(OID.cn, commonName));
}

function keyIdOf(spkiDer: Buffer): Buffer {
  const bits = children(readTlv(spkiDer))[1];
  if (!bits) throw new Error('bad SubjectPublicKeyInfo');
  return createHash('sha1').update(bits.content.subarray(1)).digest();
}

function ext(id: string, critical: boolean, value: Buffer): Buffer {
  return critical ? seq(oid(id), bool(true), octets(value)) : seq(oid(id), octets(value));
}

function ipBytes(ip: string): Buffer {
  const v4 = ip.split('.');
  if (v4.length === 4) return Buffer.from(v4.map(Number));
  throw new Error(`only IPv4 SANs are supported: ${ip}`);
}

function toPem(der: Buffer): string {
  const b64 = der.toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n$/, '');
  return `-----BEGIN CERTIFICATE-----\n${b64}\n-----END CERTIFICATE-----\n`;
}

/** Signs a TBSCertificate with an EC P-256 key and wraps it into a PEM certificate. */
function signCert(tbsParts: Buffer[], signer: KeyObject): string {
  const sigAlg = seq(oid(OID.ecdsaSha256));
  const tbs = seq(ctx(0, smallInt(2)), ...tbsParts.slice(0, 1), sigAlg, ...tbsParts.slice(1));
  const sig = sign('sha256', tbs, signer);
  return toPem(seq(tbs, sigAlg, bitString(sig)));
}

function serial(): Buffer {
  const b = randomBytes(16);
  b[0] = ((b[0] ?? 1) & 0x7f) | 0x01;
  return uint(b);
}

/** A new self-signed CA, valid 10 years. */
export function createCa(commonName: string): Ca & { keyPem: string } {
  const k = newEcKey();
  const name = encodeName(commonName);
  const keyId = keyIdOf(k.spkiDer);
  const now = Date.now();
  const exts = [
    ext(OID.basicConstraints, true, seq(bool(true))),
    ext(OID.keyUsage, true, bitString(Buffer.from([0x86]), 1)), // digitalSignature, keyCertSign, cRLSign
    ext(OID.ski, false, octets(keyId)),
  ];
  const certPem = signCert([serial(), name, seq(time(new Date(now - BACKDATE_MS)), time(new Date(now + 10 * 365 * 86400_000))), name, k.spkiDer, ctx(3, seq(...exts))], k.key);
  return { certPem, key: k.key, keyPem: k.keyPem, nameDer: name, keyId };
}

/** Rebuilds a {@link Ca} from its PEM files; throws if the key does not belong to the certificate. */
export function caFromPem(certPem: string, key: KeyObject): Ca {
  const cert = new X509Certificate(certPem);
  if (!cert.ca) throw new Error('certificate is not a CA');
  if (!cert.checkPrivateKey(key)) throw new Error('private key does not match the CA certificate');
  const tbs = children(readTlv(cert.raw))[0];
  const fields = tbs ? children(tbs) : [];
  // version [0], serial, signature, issuer, validity, subject, spki
  const subject = fields[5];
  const spki = fields[6];
  if (!subject || !spki) throw new Error('malformed CA certificate');
  return { certPem, key, nameDer: Buffer.from(subject.raw), keyId: keyIdOf(Buffer.from(spki.raw)) };
}

/** Signs a leaf certificate, then checks that it verifies against the CA before returning it. */
export function issueCert(ca: Ca, spec: LeafSpec): string {
  const sans = [...(spec.dnsNames ?? []).map((d) => ctx(2, Buffer.from(d, 'ascii'), false)), ...(spec.ips ?? []).map((ip) => ctx(7, ipBytes(ip), false))];
  const ekus = spec.usages.map((u) => oid(u === 'server' ? OID.serverAuth : OID.clientAuth));
  const exts = [
    ext(OID.basicConstraints, true, seq()),
    ext(OID.keyUsage, true, bitString(Buffer.from([0xa0]), 5)), // digitalSignature, keyEncipherment
    ext(OID.extKeyUsage, false, seq(...ekus)),
    ext(OID.aki, false, seq(ctx(0, ca.keyId, false))),
    ...(sans.length ? [ext(OID.san, false, seq(...sans))] : []),
  ];
  const validity = seq(time(new Date(Date.now() - BACKDATE_MS)), time(spec.notAfter));
  const name = encodeName(spec.commonName, spec.organizations);
  const pem = signCert([serial(), ca.nameDer, validity, name, spec.spkiDer, ctx(3, seq(...exts))], ca.key);
  const cert = new X509Certificate(pem);
  const caCert = new X509Certificate(ca.certPem);
  if (!cert.verify(caCert.publicKey) || !cert.checkIssued(caCert)) throw new Error('issued certificate does not verify against the CA');
  return pem;
}
