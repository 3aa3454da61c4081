import { createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { checkCsr } from './csr-checks';
import { createCsr } from './create-csr';
import type { CsrInvalidError } from './csr-invalid-error';
import { bitString, encodeDer, oid, seq, tlv } from './der-writer';
import { derToPem, generateKeyPair, type KeyAlgorithm } from './keys';
import { parseCsr } from './parse-csr';

const SPIFFE = 'spiffe://cluster.local/namespace/demo/podname/app-1';
const csrPem = (alg: KeyAlgorithm, commonName = 'prod.apps.myapp') => generateKeyPair(alg).then((keys) => createCsr({ keys, algorithm: alg, commonName, sans: [{ type: 'url', value: SPIFFE }] }));
const derOf = (pem: string) => Buffer.from(pem.replace(/-----[^-]+-----|\s/g, ''), 'base64');

describe('parseCsr', () => {
  it.each<KeyAlgorithm>(['ec-p256', 'ec-p384', 'ed25519', 'rsa-2048'])('loads the same %s key as the DER decoder', async (alg) => {
    const csr = parseCsr(await csrPem(alg));
    expect(csr.publicKey!.equals(createPublicKey({ key: csr.spki, format: 'der', type: 'spki' }))).toBe(true);
    expect(csr.publicKey!.export({ type: 'spki', format: 'der' })).toEqual(csr.spki);
  });

  it('refuses a P-256 point off the curve, on the JWK path too', async () => {
    const der = derOf(await csrPem('ec-p256'));
    const csr = parseCsr(derToPem(der, 'CERTIFICATE REQUEST'));
    const at = der.indexOf(csr.subjectPublicKey);
    der[at + 64] = (der[at + 64] as number) ^ 0x01; // last byte of y
    const tampered = derToPem(der, 'CERTIFICATE REQUEST');
    expect(parseCsr(tampered).publicKey).toBeUndefined();
    expect(() => checkCsr(tampered)).toThrow(expect.objectContaining({ code: 'CSR_KEY_UNSUPPORTED' }) as CsrInvalidError);
  });

  it('reads a UTF-8 CN exactly', async () => {
    expect(parseCsr(await csrPem('ec-p256', 'prod.apps.démo-ü')).commonName).toBe('prod.apps.démo-ü');
  });
});

describe('parseCsr RSA keys off the strict form', () => {
  /** A CSR around `spki` with a junk signature: enough for parseCsr, which does not verify. */
  const csrAround = (spki: Buffer) =>
    derToPem(encodeDer(seq(seq(Buffer.from([2, 1, 0]), seq(), spki, tlv(0xa0)), seq(oid('1.2.840.113549.1.1.11'), Buffer.from([5, 0])), bitString(Buffer.alloc(256, 1)))), 'CERTIFICATE REQUEST');
  const rsaSpki = (n: Buffer, e = Buffer.from([1, 0, 1])) =>
    encodeDer(seq(seq(oid('1.2.840.113549.1.1.1'), Buffer.from([5, 0])), bitString(encodeDer(seq(tlv(0x02, n), tlv(0x02, e))))));

  it('never loads a key other than the one the DER decoder reads', () => {
    const key = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey;
    const n = Buffer.from(key.export({ format: 'jwk' }).n!, 'base64url'); // 256 bytes, top bit set
    const canonical = parseCsr(csrAround(rsaSpki(Buffer.concat([Buffer.from([0]), n])))).publicKey;
    expect(canonical?.equals(key)).toBe(true);
    for (const odd of [n, Buffer.concat([Buffer.from([0, 0]), n])]) {
      const spki = rsaSpki(odd); // negative, and non-minimal: the JWK path declines both
      const got = parseCsr(csrAround(spki)).publicKey;
      let viaDer: KeyObject | undefined;
      try {
        viaDer = createPublicKey({ key: spki, format: 'der', type: 'spki' });
      } catch {
        viaDer = undefined;
      }
      const spkiOf = (k: KeyObject | undefined) => k?.export({ type: 'spki', format: 'der' });
      expect(spkiOf(got)).toEqual(spkiOf(viaDer));
    }
  });
});
