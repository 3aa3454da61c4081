import { generateKeyPairSync, sign } from 'node:crypto';
import { children, readCertificate } from './certificate-der';
import { readTlv } from './der-reader';
import { directoryString, encodeDer, explicit, oid, seq, set, tlv } from './der-writer';
import { checkCsr } from './csr-checks';
import { createCsr } from './create-csr';
import { generateKeyPair } from './keys';
import { createCa } from './service-pki';
import { CLOCK_SKEW_BACKDATE_MS, signLeaf } from './sign-leaf';
import { loadSigningCa, type SigningCa } from './signing-ca';
import { assembleCertificate, buildLeafTbs } from './tbs-builder';
import { LeafSelfCheckError, verifyLeaf } from './verify-leaf';

const SPIFFE = 'spiffe://cluster.local/namespace/demo/podname/app-1';
const UID_URN = 'urn:podid:pod-uid:3f1c2a4e-9b7d-4c1e-8a2b-0123456789ab';
const CLUSTER_URN = 'urn:podid:cluster:prod-eu';
const CN = 'host.conjur.authn-k8s.dev.apps.demo';
const now = new Date('2030-01-01T00:00:00Z');
const DAY = 86_400_000;
const SERIAL = Buffer.from('4f'.repeat(17), 'hex');

let ca: SigningCa;
let csr: ReturnType<typeof checkCsr>;
beforeAll(async () => {
  ca = await loadSigningCa(await createCa({ commonName: 'podid test CA', now, ttlMs: 365 * DAY }), 'test');
  csr = checkCsr(await createCsr({ keys: await generateKeyPair('ec-p256'), algorithm: 'ec-p256', commonName: 'demo', sans: [{ type: 'url', value: SPIFFE }] }), { spiffeId: SPIFFE });
});

const request = () => ({ ca, spki: csr.spki, commonName: CN, sanUris: [SPIFFE, UID_URN, CLUSTER_URN], maxTtlMs: DAY, now });
const tbsInput = () => ({
  serial: SERIAL,
  signatureAlgorithm: ca.leafSignature.der,
  issuerDer: ca.subjectDer,
  notBefore: new Date(now.getTime() - CLOCK_SKEW_BACKDATE_MS),
  notAfter: new Date(now.getTime() + DAY),
  commonName: CN,
  spki: csr.spki,
  subjectPublicKey: csr.subjectPublicKey,
  sanUris: [SPIFFE, UID_URN, CLUSTER_URN],
  authorityKeyIdentifierExtension: ca.authorityKeyIdentifierDer,
});
/** A leaf the CA really signed, built from `tbs` (a builder bug, simulated). */
const signedBy = (tbs: Buffer, key = ca.signingKey) => assembleCertificate(tbs, ca.leafSignature.der, sign('sha256', tbs, key));
const checkError = (der: Buffer): string => {
  try {
    verifyLeaf({ der, ...request() });
  } catch (e) {
    if (e instanceof LeafSelfCheckError) return e.check;
    throw e;
  }
  return 'passed';
};

describe('verifyLeaf', () => {
  it('passes the leaf signLeaf issues and reads its serial and validity back', async () => {
    const leaf = await signLeaf({ ca, csr, commonName: CN, spiffeId: SPIFFE, podUid: UID_URN.split(':').pop()!, cluster: 'prod-eu', ttlMs: DAY, now });
    const der = Buffer.from(leaf.certPem.replace(/-----[^-]+-----|\s/g, ''), 'base64');
    expect(verifyLeaf({ der, ...request() })).toEqual({ serial: leaf.serial, notBefore: leaf.notBefore, notAfter: leaf.notAfter });
    expect(checkError(signedBy(buildLeafTbs(tbsInput())))).toBe('passed');
  });

  it('catches any one TBS byte changed after signing', () => {
    const der = signedBy(buildLeafTbs(tbsInput()));
    const tbs = readCertificate(der)!.tbs;
    const tbsStart = der.indexOf(tbs);
    // Every byte of the CN, of the SAN and of the key, and a spread of the rest.
    const offsets = new Set<number>();
    for (const s of [Buffer.from(CN), Buffer.from(SPIFFE), csr.subjectPublicKey.subarray(0, 8)]) {
      const at = tbs.indexOf(s);
      for (let i = 0; i < s.length; i++) offsets.add(at + i);
    }
    for (let i = 0; i < tbs.length; i += 7) offsets.add(i);
    for (const i of offsets) {
      const bad = Buffer.from(der);
      bad[tbsStart + i] = (bad[tbsStart + i] as number) ^ 0x01;
      expect([i, checkError(bad)]).not.toEqual([i, 'passed']);
    }
    const oneByte = Buffer.from(der);
    const at = tbsStart + tbs.indexOf(Buffer.from('app-1'));
    oneByte[at] = (oneByte[at] as number) ^ 0x03; // app-1 -> bpp-1, same length: only the signature tells
    expect(checkError(oneByte)).toBe('signature does not verify with the CA key');
  });

  it('catches a leaf signed by another key', () => {
    const other = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
    expect(checkError(signedBy(buildLeafTbs(tbsInput()), other))).toBe('signature does not verify with the CA key');
  });

  it.each<[string, Partial<ReturnType<typeof tbsInput>>, string]>([
    ['another CN', { commonName: `${CN}x` }, 'CN differs from the request'],
    ['a fourth SAN', { sanUris: [SPIFFE, UID_URN, CLUSTER_URN, 'spiffe://cluster.local/namespace/demo/podname/app-2'] }, 'SAN differs from the request'],
    ['another cluster', { sanUris: [SPIFFE, UID_URN, 'urn:podid:cluster:prod-us'] }, 'SAN differs from the request'],
    ['no cluster', { sanUris: [SPIFFE, UID_URN] }, 'SAN differs from the request'],
    ['the SANs swapped', { sanUris: [UID_URN, SPIFFE, CLUSTER_URN] }, 'SAN differs from the request'],
    ['another key', { spki: generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'der' }) }, 'public key differs from the CSR'],
    ['a longer life', { notAfter: new Date(now.getTime() + DAY + 2000) }, 'lifetime differs from the request'],
    ['another issuer', { issuerDer: encodeDer(seq(set(seq(oid('2.5.4.3'), directoryString('evil CA'))))) }, 'issuer is not the CA subject'],
    ['a serial with the top bit set', { serial: Buffer.from('ff'.repeat(17), 'hex') }, 'serial is not a positive 135+ bit integer'],
    ['a 64-bit serial', { serial: Buffer.from('4f'.repeat(8), 'hex') }, 'serial is not a positive 135+ bit integer'],
  ])('catches a CA-signed leaf with %s', (_name, change, check) => {
    expect(checkError(signedBy(buildLeafTbs({ ...tbsInput(), ...change })))).toBe(check);
  });

  it.each<[string, string]>([
    ['CA:TRUE', '300f0603551d130101ff040530030101ff'],
    ['a non-critical basicConstraints', '30090603551d1304023000'],
    ['no basicConstraints', ''],
  ])('catches a CA-signed leaf with %s', (_name, replacement) => {
    // Re-encode the TBS with the basicConstraints extension replaced, every enclosing length rebuilt.
    const good = buildLeafTbs(tbsInput());
    const top = readTlv(good, 0)!;
    const fields = children(good, top)!;
    const extWrap = fields[7]!;
    const exts = children(good, readTlv(good, extWrap.contentStart)!)!.map((e) => good.subarray(e.start, e.end));
    expect(exts[0]!.toString('hex')).toBe('300c0603551d130101ff04023000');
    const replaced = [Buffer.from(replacement, 'hex'), ...exts.slice(1)];
    const tbs = encodeDer(seq(...fields.slice(0, 7).map((f) => good.subarray(f.start, f.end)), explicit(3, seq(...replaced))));
    expect(checkError(signedBy(tbs))).toBe('is a CA or lacks a critical basicConstraints');
  });

  it('catches a certificate with trailing bytes or cut short', () => {
    const der = signedBy(buildLeafTbs(tbsInput()));
    expect(checkError(Buffer.concat([der, Buffer.from([0])]))).toBe('is not a DER X.509 certificate');
    expect(checkError(der.subarray(0, der.length - 1))).toBe('is not a DER X.509 certificate');
    expect(checkError(encodeDer(tlv(0x30, der)))).toBe('is not a DER X.509 certificate');
  });
});
