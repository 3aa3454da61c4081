import { generateKeyPairSync, sign } from 'node:crypto';
import { asEcPublicJwk, jwkThumbprint, MAX_TOKEN_CHARS, signToken, toBase64url, TokenInvalidError, verifyToken, type Signer, type VerifyOptions } from './index';

function nodeSigner(kid?: string): Signer {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const publicJwk = asEcPublicJwk(publicKey.export({ format: 'jwk' }));
  return { kid: kid ?? jwkThumbprint(publicJwk), publicJwk, sign: async (data) => sign('sha256', data, { key: privateKey, dsaEncoding: 'ieee-p1363' }) };
}

const k8s = { namespace: 'demo', pod: 'p', pod_uid: 'u', service_account: 'sa', authenticator: 'authn-k8s/dev' };
const now = Date.UTC(2026, 0, 1);
const signer = nodeSigner();
const opts: VerifyOptions = { keyFor: (kid) => (kid === signer.kid ? signer.publicJwk : undefined), now, issuer: 'https://podid.test' };
const issue = (ttlSeconds = 60, s: Signer = signer) => signToken({ signer: s, issuer: 'https://podid.test', audience: 'podid', hostId: 'apps/a', k8s, ttlSeconds, now });
const b64 = (v: unknown) => toBase64url(Buffer.from(JSON.stringify(v)));

function reason(text: string, o: VerifyOptions = opts): string {
  try {
    verifyToken(text, o);
  } catch (e) {
    expect(e).toBeInstanceOf(TokenInvalidError);
    if (text.length > 20) expect((e as Error).message).not.toContain(text.slice(-20));
    return (e as TokenInvalidError).reason;
  }
  return 'accepted';
}

describe('verifyToken refuses', () => {
  it('accepts a good token in both forms (the control case)', async () => {
    const t = await issue();
    expect(reason(t.compact)).toBe('accepted');
    expect(reason(t.flattened)).toBe('accepted');
  });

  it('alg none, HS256 and crit headers', async () => {
    const [, payload, sig] = (await issue()).compact.split('.');
    expect(reason(`${b64({ alg: 'none', kid: signer.kid })}.${payload}.`)).toBe('bad_header');
    expect(reason(`${b64({ alg: 'HS256', kid: signer.kid })}.${payload}.${sig}`)).toBe('bad_header');
    expect(reason(`${b64({ alg: 'ES256', kid: signer.kid, crit: ['exp'] })}.${payload}.${sig}`)).toBe('bad_header');
  });

  it('a token whose payload was changed after signing', async () => {
    const [h, , sig] = (await issue()).compact.split('.');
    const forged = b64({ ...(await issue()).claims, sub: 'host/admin' });
    expect(reason(`${h}.${forged}.${sig}`)).toBe('bad_signature');
  });

  it('a token from another key that claims a known kid, and an unknown kid', async () => {
    expect(reason((await issue(60, nodeSigner(signer.kid))).compact)).toBe('bad_signature');
    expect(reason((await issue(60, nodeSigner())).compact)).toBe('unknown_kid');
  });

  it('expired tokens beyond the leeway, and tokens not yet valid', async () => {
    const t = await issue(60);
    expect(reason(t.compact, { ...opts, now: now + 60_000 + 29_000 })).toBe('accepted');
    expect(reason(t.compact, { ...opts, now: now + 60_000 + 30_000 })).toBe('expired');
    expect(reason(t.compact, { ...opts, now: now - 31_000 })).toBe('not_yet_valid');
  });

  it('oversized input, extra flattened members, padding, wrong issuer', async () => {
    const t = await issue();
    expect(reason('a'.repeat(MAX_TOKEN_CHARS + 1))).toBe('too_large');
    expect(reason(JSON.stringify({ ...JSON.parse(t.flattened), header: { kid: 'x' } }))).toBe('malformed');
    const [h, p, s] = t.compact.split('.');
    expect(reason(`${h}.${p}.${s}==`)).toBe('malformed');
    expect(reason(`${h}.${p}`)).toBe('malformed');
    expect(reason('{"protected":1,"payload":2,"signature":3}')).toBe('malformed');
    expect(reason(t.compact, { ...opts, issuer: 'https://other' })).toBe('wrong_issuer');
  });

  it('arbitrary garbage without throwing anything but TokenInvalidError', () => {
    for (const junk of ['', '{', '[]', 'null', '...', 'a.b.c', '{"protected":"","payload":"","signature":""}', `${b64([])}.${b64(1)}.x`]) {
      expect(reason(junk)).not.toBe('accepted');
    }
  });
});
