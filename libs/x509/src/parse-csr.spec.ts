import { createPublicKey } from 'node:crypto';
import { checkCsr } from './csr-checks';
import { createCsr } from './create-csr';
import type { CsrInvalidError } from './csr-invalid-error';
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
