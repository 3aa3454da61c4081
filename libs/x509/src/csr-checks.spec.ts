import { InvalidArgumentError } from '@podid/errors';
import { checkCsr } from './csr-checks';
import { CsrInvalidError } from './csr-invalid-error';
import { MAX_CSR_PEM_BYTES } from './csr-pem';
import { createCsr, type CsrSan } from './create-csr';
import { derToPem, generateKeyPair, type KeyAlgorithm, type WebKeyPair } from './keys';
import { subtle, x509 } from './provider';

const SPIFFE = 'spiffe://cluster.local/namespace/demo/podname/app-1';
const keys = new Map<KeyAlgorithm, WebKeyPair>();
const csrFor = (alg: KeyAlgorithm, sans: CsrSan[] = [{ type: 'url', value: SPIFFE }]) =>
  createCsr({ keys: keys.get(alg)!, algorithm: alg, commonName: 'prod.apps.myapp', sans });

function refusal(pem: string, want = { spiffeId: SPIFFE }): CsrInvalidError {
  try {
    checkCsr(pem, want);
  } catch (e) {
    expect(e).toBeInstanceOf(InvalidArgumentError);
    return e as CsrInvalidError;
  }
  throw new Error('CSR was accepted');
}

/** Re-encodes a CSR after changing one byte of its DER. */
function flipByte(pem: string, index: (der: Buffer) => number): string {
  const der = Buffer.from(pem.replace(/-----[^-]+-----|\s/g, ''), 'base64');
  const i = index(der);
  der[i] = (der[i] as number) ^ 0x01;
  return derToPem(der, 'CERTIFICATE REQUEST');
}

const csrPemCache = new Map<string, string>();
beforeAll(async () => {
  // RSA-4096 generation is slow: done once for the file.
  for (const alg of ['ec-p256', 'ec-p384', 'rsa-2048', 'rsa-4096', 'ed25519'] as const) keys.set(alg, await generateKeyPair(alg));
  for (const uri of ['spiffe://us.example/namespace/demo/pod/app-1', 'spiffe://US_EXAMPLE/namespace/demo/podname/app-1', 'spiffe:///namespace/demo/podname/app-1']) {
    csrPemCache.set(uri, await csrFor('ec-p256', [{ type: 'url', value: uri }]));
  }
});

describe('checkCsr accepts', () => {
  it.each(['ec-p256', 'ec-p384', 'rsa-2048', 'rsa-4096', 'ed25519'] as const)('a %s CSR with one SPIFFE SAN', async (alg) => {
    const csr = checkCsr(await csrFor(alg), { spiffeId: SPIFFE });
    expect(csr.commonName).toBe('prod.apps.myapp');
    expect(csr.sans).toEqual([{ type: 'url', value: SPIFFE }]);
    expect(csr.fingerprint).toMatch(/^[0-9a-f]{64}$/);
  });

  it('without an expected SPIFFE id (the gateway reads it from the CSR)', async () => {
    expect(checkCsr(await csrFor('ec-p256')).sans?.[0]?.value).toBe(SPIFFE);
  });

  it('with anyTrustDomain, the strict pod form in another trust domain, and nothing looser', async () => {
    const other = 'spiffe://us.example/namespace/demo/podname/app-1';
    const pem = await csrFor('ec-p256', [{ type: 'url', value: other }]);
    expect(() => checkCsr(pem)).toThrow(CsrInvalidError);
    expect(checkCsr(pem, { anyTrustDomain: true }).sans?.[0]?.value).toBe(other);
    for (const bad of ['spiffe://us.example/namespace/demo/pod/app-1', 'spiffe://US_EXAMPLE/namespace/demo/podname/app-1', 'spiffe:///namespace/demo/podname/app-1']) {
      expect(() => checkCsr(csrPemCache.get(bad)!, { anyTrustDomain: true })).toThrow(expect.objectContaining({ code: 'CSR_SAN_NOT_SPIFFE' }));
    }
  });
});

describe('checkCsr refuses', () => {
  it('a tampered signature (last signature byte flipped)', async () => {
    const e = refusal(flipByte(await csrFor('ec-p256'), (der) => der.length - 1));
    expect(e.code).toBe('CSR_SIGNATURE_INVALID');
    expect(e.check).toBe('checkCsrSignature');
  });

  it('a tampered body (a CN byte flipped after signing)', async () => {
    const pem = await csrFor('rsa-2048');
    const e = refusal(flipByte(pem, (der) => der.indexOf(Buffer.from('myapp'))));
    expect(e.code).toBe('CSR_SIGNATURE_INVALID');
  });

  it('an RSA-1024 key, naming it', async () => {
    const weak = (await subtle.generateKey(
      { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256', publicExponent: new Uint8Array([1, 0, 1]), modulusLength: 1024 },
      true,
      ['sign', 'verify'],
    )) as WebKeyPair;
    const e = refusal(await createCsr({ keys: weak, algorithm: 'rsa-2048', commonName: 'x', sans: [{ type: 'url', value: SPIFFE }] }));
    expect(e.code).toBe('CSR_KEY_UNSUPPORTED');
    expect(e.message).toContain('got=RSA-1024');
  });

  it('a P-521 key, naming the curve', async () => {
    const p521 = (await subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-521' }, true, ['sign', 'verify'])) as WebKeyPair;
    const csr = await x509.Pkcs10CertificateRequestGenerator.create({
      name: 'CN=x',
      keys: p521,
      signingAlgorithm: { name: 'ECDSA', hash: 'SHA-512' },
      extensions: [new x509.SubjectAlternativeNameExtension([{ type: 'url', value: SPIFFE }])],
    });
    const e = refusal(csr.toString('pem'));
    expect(e.code).toBe('CSR_KEY_UNSUPPORTED');
    expect(e.message).toContain('secp521r1');
  });

  it.each<[string, CsrSan[], string, string]>([
    ['two URI SANs', [{ type: 'url', value: SPIFFE }, { type: 'url', value: 'spiffe://cluster.local/namespace/demo/podname/b' }], 'CSR_SAN_MULTIPLE', 'got=2'],
    ['a DNS SAN beside the URI', [{ type: 'url', value: SPIFFE }, { type: 'dns', value: 'evil.example' }], 'CSR_SAN_MULTIPLE', 'url, dns'],
    ['an IP SAN beside the URI', [{ type: 'url', value: SPIFFE }, { type: 'ip', value: '10.0.0.1' }], 'CSR_SAN_MULTIPLE', 'url, ip'],
    ['a DNS SAN only', [{ type: 'dns', value: 'app.demo.svc' }], 'CSR_SAN_NOT_SPIFFE', 'got=dns'],
    ['an email SAN only', [{ type: 'email', value: 'a@b.c' }], 'CSR_SAN_NOT_SPIFFE', 'got=email'],
    ['a non-SPIFFE URI', [{ type: 'url', value: 'https://cluster.local/namespace/demo/podname/app-1' }], 'CSR_SAN_NOT_SPIFFE', 'not a spiffe URI'],
    ['the loose /pod/ form', [{ type: 'url', value: 'spiffe://cluster.local/namespace/demo/pod/app-1' }], 'CSR_SAN_NOT_SPIFFE', 'wrong path form'],
    ['another trust domain', [{ type: 'url', value: 'spiffe://evil.td/namespace/demo/podname/app-1' }], 'CSR_SAN_NOT_SPIFFE', 'wrong trust domain'],
    ['no SAN', [], 'CSR_SAN_MISSING', 'got=none'],
    ['another pod', [{ type: 'url', value: 'spiffe://cluster.local/namespace/demo/podname/app-2' }], 'CSR_SAN_MISMATCH', 'exp="spiffe://cluster.local/namespace/demo/podname/app-1"'],
  ])('%s', async (_name, sans, code, text) => {
    const e = refusal(await csrFor('ec-p256', sans));
    expect(e.code).toBe(code);
    expect(e.message).toContain(text);
  });

  it.each<[string, () => Promise<string>, string]>([
    ['garbage', async () => 'hello world', 'CSR_MALFORMED'],
    ['empty input', async () => '', 'CSR_MALFORMED'],
    ['an oversized body', async () => `-----BEGIN CERTIFICATE REQUEST-----\n${'A'.repeat(MAX_CSR_PEM_BYTES)}\n-----END CERTIFICATE REQUEST-----\n`, 'CSR_TOO_LARGE'],
    ['two CSR blocks', async () => (await csrFor('ec-p256')).repeat(2), 'CSR_MALFORMED'],
    ['a certificate instead', async () => (await csrFor('ec-p256')).replace(/CERTIFICATE REQUEST/g, 'CERTIFICATE'), 'CSR_MALFORMED'],
    ['invalid base64', async () => (await csrFor('ec-p256')).replace(/\n[A-Za-z0-9]/, '\n*'), 'CSR_MALFORMED'],
    ['valid base64 of junk', async () => derToPem(Buffer.from('not der at all'), 'CERTIFICATE REQUEST'), 'CSR_MALFORMED'],
    ['trailing bytes after the DER', async () => derToPem(Buffer.concat([Buffer.from((await csrFor('ec-p256')).replace(/-----[^-]+-----|\s/g, ''), 'base64'), Buffer.from([0])]), 'CERTIFICATE REQUEST'), 'CSR_MALFORMED'],
  ])('%s', async (_name, make, code) => {
    const e = refusal(await make());
    expect(e.code).toBe(code);
    expect(e.message).toMatch(/exp/);
  });
});
