import { createHash, generateKeyPairSync } from 'node:crypto';
import { CompactSign, FlattenedSign } from 'jose';
import { createCa, createCsr, exportPrivateKeyPem, generateKeyPair } from '@podid/x509';
import { materialInLine } from './log-leaks';

/** The detector that inject.spec.ts runs over every service's log lines: each way material can hide is caught. */
describe('log leak detector', () => {
  let material: Record<string, string>;
  beforeAll(async () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const payload = new TextEncoder().encode(JSON.stringify({ sub: 'host/conjur/authn-k8s/dev/apps/demo-app', exp: 1_900_000_000 }));
    const compact = await new CompactSign(payload).setProtectedHeader({ alg: 'ES256', kid: 'k1' }).sign(privateKey);
    const flattened = JSON.stringify(await new FlattenedSign(payload).setProtectedHeader({ alg: 'ES256', kid: 'k1' }).sign(privateKey));
    const keys = await generateKeyPair('ec-p256');
    const keyPem = await exportPrivateKeyPem(keys.privateKey);
    const ca = await createCa({ commonName: 'leak test CA', now: new Date(), ttlMs: 3_600_000 });
    const csrPem = await createCsr({ keys, algorithm: 'ec-p256', commonName: 'x', sans: [{ type: 'url', value: 'spiffe://cluster.local/namespace/demo/podname/p' }] });
    const pemBody = (pem: string) => pem.split('\n').slice(1, -2).join('');
    material = {
      compact,
      flattened,
      keyPem,
      certPem: ca.certPem,
      csrPem,
      certDerBase64: pemBody(ca.certPem),
      keyDerBase64: pemBody(keyPem),
      flattenedBase64: Buffer.from(flattened).toString('base64'),
      compactBase64: Buffer.from(compact).toString('base64'),
      jwkPrivate: JSON.stringify(privateKey.export({ format: 'jwk' })),
      conjurHeader: `Token token="${Buffer.from(flattened).toString('base64')}"`,
    };
  });

  it.each([
    ['a PEM private key in a field', (m: Record<string, string>) => ({ event: 'X', key: m['keyPem'] })],
    ['a PEM certificate inside a message', (m: Record<string, string>) => ({ msg: `got ${m['certPem']} from the client` })],
    ['a PEM CSR at depth 3', (m: Record<string, string>) => ({ a: { b: [{ c: m['csrPem'] }] } })],
    ['a certificate as bare base64 DER', (m: Record<string, string>) => ({ reason: `bad cert ${m['certDerBase64']}` })],
    ['a private key as bare base64 DER', (m: Record<string, string>) => ({ reason: m['keyDerBase64'] })],
    ['a compact JWS in a message', (m: Record<string, string>) => ({ msg: `token ${m['compact']} refused` })],
    ['a flattened JWS stringified into a message', (m: Record<string, string>) => ({ msg: `body: ${m['flattened']}` })],
    ['a flattened JWS stringified twice, at depth 2', (m: Record<string, string>) => ({ err: { detail: JSON.stringify({ body: m['flattened'] }) } })],
    ['a flattened JWS as an object', (m: Record<string, string>) => ({ token: JSON.parse(m['flattened']!) })],
    ['the base64 of a flattened JWS', (m: Record<string, string>) => ({ msg: `header ${m['flattenedBase64']}` })],
    ['the base64 of a compact JWS', (m: Record<string, string>) => ({ value: m['compactBase64'] })],
    ['a Conjur Token token="..." header', (m: Record<string, string>) => ({ headers: { authorization: m['conjurHeader'] } })],
    ['a private JWK', (m: Record<string, string>) => ({ jwk: m['jwkPrivate'] })],
    ['material in raw (non-JSON) text', (m: Record<string, string>) => ({ text: `Error: ${m['keyPem']}` })],
  ])('catches %s', (_what, line) => {
    expect(materialInLine(line(material))).toEqual(expect.any(String));
  });

  it('does not flag the fingerprints, serials and ids that logs are meant to carry', () => {
    const sha = (s: string) => createHash('sha256').update(s).digest('hex');
    const line = {
      level: 30,
      time: 1_764_000_000_000,
      event: 'AUDIT_AUTHENTICATE',
      request_id: '2d3c7f0e-5b9a-4f7e-8c61-0e1f2a3b4c5d',
      csr_sha256: sha(material['csrPem']!).slice(0, 16),
      token_sha256: sha(material['compact']!),
      cert_sha256: sha(material['certPem']!),
      cert_serial: '5f0c1a9e3b7d2c4e6a8b0d1f3e5c7a9b1d3f5e7c',
      jti: 'c7a1f0e2-9b3d-4c5e-8f6a-1b2c3d4e5f60',
      kid: 'Zm9vYmFyYmF6cXV1eGNvcmdlZ3JhdWx0Z2FycGx5d2Fs',
      host_id: 'conjur/authn-k8s/dev/apps/demo-app',
      spiffe: 'spiffe://cluster.local/namespace/demo/podname/demo-app-5c7d9-abcde',
      path: '/tmp/podid-e2e-AbCdEf/pods/demo/demo-app-5c7d9-abcde/authenticator/etc/conjur/ssl/client.pem',
      jwks: { keys: [{ kty: 'EC', crv: 'P-256', x: 'f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU', y: 'x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0' }] },
      msg: 'authenticated host/conjur/authn-k8s/dev/apps/demo-app',
    };
    expect(materialInLine(line)).toBeUndefined();
  });
});
