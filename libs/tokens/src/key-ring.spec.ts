import { generateKeyPairSync, sign } from 'node:crypto';
import { activeKey, addKey, asEcPublicJwk, defaultRotationPolicy, emptyKeyRing, jwks, jwkThumbprint, needsNewKey, nextState, publishedKey, signToken, verifyToken, type KeyRing, type Signer } from './index';

const H = 3_600_000;
const policy = defaultRotationPolicy(24 * H, 1 * H);
const signers = new Map<string, Signer>();

function newKey(): { kid: string; publicJwk: Signer['publicJwk'] } {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const publicJwk = asEcPublicJwk(publicKey.export({ format: 'jwk' }));
  const kid = jwkThumbprint(publicJwk);
  signers.set(kid, { kid, publicJwk, sign: async (d) => sign('sha256', d, { key: privateKey, dsaEncoding: 'ieee-p1363' }) });
  return { kid, publicJwk };
}

/** What the app's rotation task does on each tick. */
function tick(ring: KeyRing, now: number): KeyRing {
  const r = needsNewKey(ring, now, policy) ? addKey(ring, newKey(), now) : ring;
  return nextState(r, now, policy);
}

describe('key ring rotation', () => {
  it('uses propagation = min(1h, rotation/4)', () => {
    expect(defaultRotationPolicy(24 * H, H).propagationMs).toBe(H);
    expect(defaultRotationPolicy(2 * H, H).propagationMs).toBe(H / 2);
  });

  it('activates the first key at once on an empty ring', () => {
    const ring = tick(emptyKeyRing, 0);
    expect(ring.keys.map((k) => k.state)).toEqual(['active']);
  });

  it('publishes each new key at least `propagation` before it signs, and keeps the old key until its tokens expire', async () => {
    let ring = tick(emptyKeyRing, 0);
    const firstKid = activeKey(ring)!.kid;
    const firstSeen = new Map<string, number>([[firstKid, 0]]);
    const step = 5 * 60_000;
    let oldToken: string | undefined;
    let switchedAt = 0;
    for (let now = step; now <= 50 * H; now += step) {
      const before = activeKey(ring)!.kid;
      if (before === firstKid && now >= 24 * H - step) {
        // The last token the first key signs, with the longest TTL.
        oldToken = (await signToken({ signer: signers.get(firstKid)!, issuer: 'i', audience: 'a', hostId: 'h', k8s: { namespace: 'n', pod: 'p', pod_uid: 'u', service_account: 's', authenticator: 'a/b', cluster: 'c' }, ttlSeconds: 3600, now })).compact;
      }
      ring = tick(ring, now);
      for (const k of jwks(ring).keys) if (!firstSeen.has(k.kid)) firstSeen.set(k.kid, now);
      const active = activeKey(ring)!;
      expect(now - firstSeen.get(active.kid)!).toBeGreaterThanOrEqual(active.kid === firstKid ? 0 : policy.propagationMs);
      if (active.kid !== before && before === firstKid) switchedAt = now;
      if (oldToken && now < switchedAt + H) {
        expect(verifyToken(oldToken, { keyFor: (kid) => publishedKey(ring, kid), now }).sub).toBe('host/h');
      }
    }
    expect(switchedAt).toBe(24 * H);
    // Two rotations happened; the first key was dropped once its last token expired.
    expect(firstSeen.size).toBe(3);
    expect(publishedKey(ring, firstKid)).toBeUndefined();
    expect(() => verifyToken(oldToken!, { keyFor: (kid) => publishedKey(ring, kid), now: 50 * H, leewaySeconds: 1e9 })).toThrow(/unknown_kid/);
  });

  it('never publishes private members', () => {
    const ring = tick(emptyKeyRing, 0);
    expect(JSON.stringify(jwks(ring))).not.toMatch(/"d"/);
    expect(() => asEcPublicJwk({ kty: 'EC', crv: 'P-256', x: 'a', y: 'b', d: 'secret' })).toThrow();
  });
});
