import { generateKeyPairSync, sign } from 'node:crypto';
import * as fc from 'fast-check';
import * as jose from 'jose';
import { fcParams } from '@podid/testkit';
import { asEcPublicJwk, encodeJsonSegment, jwkThumbprint, jwks, publishedKey, signToken, verifyToken, type Signer, type KeyRing } from './index';

/** A real ES256 signer over a Node key, as the app builds it. */
function nodeSigner(): Signer {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const publicJwk = asEcPublicJwk(publicKey.export({ format: 'jwk' }));
  return { kid: jwkThumbprint(publicJwk), publicJwk, sign: async (data) => sign('sha256', data, { key: privateKey, dsaEncoding: 'ieee-p1363' }) };
}

const k8s = { namespace: 'demo', pod: 'app-7f9', pod_uid: 'uid-1', service_account: 'demo-sa', authenticator: 'authn-k8s/dev', cluster: 'prod-eu' };
const now = Date.UTC(2026, 0, 1, 12, 0, 0);

describe('signToken', () => {
  const signer = nodeSigner();
  const ring: KeyRing = { keys: [{ kid: signer.kid, publicJwk: signer.publicJwk, state: 'active', publishedAt: now }] };
  const issue = (hostId = 'conjur/authn-k8s/dev/apps/demo') =>
    signToken({ signer, issuer: 'https://podid.test', audience: 'podid', hostId, k8s, ttlSeconds: 480, now });

  it('is verified by an independent verifier (jose) with the JWKS, in both serialisations', async () => {
    const token = await issue();
    const keySet = jose.createLocalJWKSet(jwks(ring) as unknown as jose.JSONWebKeySet);
    const flat = await jose.flattenedVerify(JSON.parse(token.flattened) as jose.FlattenedJWSInput, keySet);
    expect(flat.protectedHeader).toEqual({ alg: 'ES256', typ: 'JWT', kid: signer.kid });
    const compact = await jose.jwtVerify(token.compact, keySet, { issuer: 'https://podid.test', audience: 'podid', currentDate: new Date(now) });
    expect(compact.payload).toEqual({
      iss: 'https://podid.test', sub: 'host/conjur/authn-k8s/dev/apps/demo', aud: 'podid', iat: now / 1000, nbf: now / 1000, exp: now / 1000 + 480, jti: token.claims.jti, k8s,
    });
    expect(JSON.parse(Buffer.from(flat.payload).toString())).toEqual(token.claims);
  });

  it('sets kid to the RFC 7638 thumbprint of the key', async () => {
    expect(signer.kid).toBe(await jose.calculateJwkThumbprint(signer.publicJwk, 'sha256'));
  });

  it('makes a 128-bit jti that differs per token', async () => {
    const [a, b] = [await issue(), await issue()];
    expect(Buffer.from(a.claims.jti, 'base64url')).toHaveLength(16);
    expect(a.claims.jti).not.toBe(b.claims.jti);
  });

  it('writes a payload conjur-api-go can decode with standard base64', async () => {
    const token = await issue('apps/odd>?~name/ünï');
    const { payload } = JSON.parse(token.flattened) as { payload: string };
    expect(payload).toMatch(/^[A-Za-z0-9+/]*$/);
    expect(payload.length % 4).toBe(0);
    expect(JSON.parse(Buffer.from(payload, 'base64').toString('utf8')).sub).toBe('host/apps/odd>?~name/ünï');
    expect(verifyToken(token.flattened, { keyFor: (kid) => publishedKey(ring, kid), now }).sub).toBe('host/apps/odd>?~name/ünï');
  });

  it('encodes any JSON so base64url and standard base64 agree (property)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const seg = encodeJsonSegment(value);
        expect(seg).toMatch(/^[A-Za-z0-9+/]*$/);
        expect(seg).not.toMatch(/[-_=]/);
        expect(seg.length % 4).toBe(0);
        expect(JSON.parse(Buffer.from(seg, 'base64').toString('utf8'))).toEqual(JSON.parse(JSON.stringify(value)));
      }),
      fcParams(300),
    );
  });

  it('refuses a TTL outside 1s..5h', async () => {
    await expect(signToken({ signer, issuer: 'i', audience: 'a', hostId: 'h', k8s, ttlSeconds: 18_001, now })).rejects.toThrow(RangeError);
    await expect(signToken({ signer, issuer: 'i', audience: 'a', hostId: 'h', k8s, ttlSeconds: 0, now })).rejects.toThrow(RangeError);
  });
});
