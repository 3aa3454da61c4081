import { generateKeyPairSync, sign } from 'node:crypto';
import * as fc from 'fast-check';
import { fcParams } from '@podid/testkit';
import { asEcPublicJwk, jwkThumbprint, MAX_TOKEN_CHARS, signToken, toBase64url, TokenInvalidError, verifyToken, type Signer, type VerifyOptions } from './index';

function nodeSigner(kid?: string): Signer {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const publicJwk = asEcPublicJwk(publicKey.export({ format: 'jwk' }));
  return { kid: kid ?? jwkThumbprint(publicJwk), publicJwk, sign: async (data) => sign('sha256', data, { key: privateKey, dsaEncoding: 'ieee-p1363' }) };
}

const k8s = { namespace: 'demo', pod: 'p', pod_uid: 'u', service_account: 'sa', authenticator: 'authn-k8s/dev', cluster: 'prod-eu' };
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

  it('a token with a non-string k8s.cluster; a token from before clusters passes, naming no cluster', async () => {
    const [h] = (await issue()).compact.split('.');
    const signed = async (claims: unknown) => {
      const payload = b64(claims);
      return `${h}.${payload}.${toBase64url(await signer.sign(Buffer.from(`${h}.${payload}`, 'ascii')))}`;
    };
    const { claims } = await issue();
    expect(reason(await signed({ ...claims, k8s: { ...k8s, cluster: 7 } }))).toBe('bad_claims');
    const { cluster: _dropped, ...before } = k8s;
    expect(verifyToken(await signed({ ...claims, k8s: before }), opts).k8s).toEqual({ ...before, cluster: '' });
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

/** The refusal reason; fails the test on acceptance or on any error other than TokenInvalidError. */
function refusal(text: string, o: VerifyOptions = opts): string {
  let claims: unknown;
  try {
    claims = verifyToken(text, o);
  } catch (e) {
    if (!(e instanceof TokenInvalidError)) throw new Error(`not a TokenInvalidError: ${String(e)}`);
    return e.reason;
  }
  throw new Error(`accepted: ${JSON.stringify(claims)}`);
}

const B64URL_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const decodeSegment = (seg: string) => JSON.parse(Buffer.from(seg, 'base64url').toString('utf8')) as Record<string, unknown>;

describe('verifyToken properties', () => {
  let good: Awaited<ReturnType<typeof issue>>;
  let parts: [string, string, string];
  beforeAll(async () => {
    good = await issue();
    parts = good.compact.split('.') as [string, string, string];
  });

  it('refuses arbitrary strings, only with TokenInvalidError', () => {
    fc.assert(fc.property(fc.oneof(fc.string({ unit: 'binary', maxLength: 600 }), fc.string({ unit: fc.constantFrom(...B64URL_CHARS, '.', '{', '}', '"', ' '), maxLength: 400 })), (s) => void refusal(s)), fcParams(500));
  });

  it('refuses arbitrary JSON, as the whole token, as flattened members, and as compact segments', () => {
    const seg = fc.oneof(fc.jsonValue().map(b64), fc.string({ unit: fc.constantFrom(...B64URL_CHARS), maxLength: 100 }));
    const header = fc.oneof(
      fc.jsonValue(),
      fc.record({ alg: fc.oneof(fc.constant('ES256'), fc.jsonValue()), kid: fc.oneof(fc.constant(signer.kid), fc.jsonValue()), typ: fc.oneof(fc.constant('JWT'), fc.jsonValue()) }, { requiredKeys: [] }),
    );
    const token = fc.oneof(
      fc.jsonValue().map((v) => JSON.stringify(v)),
      fc.record({ protected: fc.oneof(header.map(b64), fc.jsonValue()), payload: fc.oneof(seg, fc.jsonValue()), signature: fc.oneof(seg, fc.jsonValue()) }).map((v) => JSON.stringify(v)),
      fc.tuple(header.map(b64), seg, fc.oneof(seg, fc.uint8Array({ minLength: 64, maxLength: 64 }).map((u) => toBase64url(u)))).map((t) => t.join('.')),
    );
    fc.assert(fc.property(token, (t) => void refusal(t)), fcParams(1000));
  });

  it('refuses a valid token with one character of the header, payload or signature changed', () => {
    fc.assert(
      // The last character is drawn often: its low bits are padding, where a lax decoder lets one token have two spellings.
      fc.property(fc.nat({ max: 2 }), fc.oneof(fc.nat(), fc.constant(-1)), fc.constantFrom(...B64URL_CHARS), fc.boolean(), (segment, at, ch, flattened) => {
        const ps = [...parts];
        const s = ps[segment]!;
        const i = at < 0 ? s.length - 1 : at % s.length;
        fc.pre(s[i] !== ch);
        ps[segment] = s.slice(0, i) + ch + s.slice(i + 1);
        const [p, payload, signature] = ps;
        const text = flattened ? JSON.stringify({ protected: p, payload, signature }) : ps.join('.');
        expect(['malformed', 'bad_header', 'unknown_kid', 'bad_signature']).toContain(refusal(text));
      }),
      fcParams(1000),
    );
  });

  it('refuses a valid token with one bit of the decoded header, payload or signature flipped', () => {
    fc.assert(
      fc.property(fc.nat({ max: 2 }), fc.nat(), fc.nat({ max: 7 }), (segment, at, bit) => {
        const ps = [...parts];
        const bytes = Buffer.from(ps[segment]!, 'base64url');
        bytes[at % bytes.length]! ^= 1 << bit;
        ps[segment] = toBase64url(bytes);
        expect(['malformed', 'bad_header', 'unknown_kid', 'bad_signature']).toContain(refusal(ps.join('.')));
      }),
      fcParams(1000),
    );
  });

  it('refuses a valid token whose header lost its kid, changed its alg, or gained members', async () => {
    const alg = fc.oneof(fc.constantFrom('none', 'None', 'NONE', 'HS256', 'HS384', 'RS256', 'PS256', 'ES384', 'ES512', 'EdDSA', 'es256', 'ES256 ', ''), fc.jsonValue());
    const edit = fc.oneof(
      fc.record({ kind: fc.constant('alg' as const), alg }),
      fc.record({ kind: fc.constant('drop-kid' as const) }),
      fc.record({ kind: fc.constant('extra' as const), name: fc.oneof(fc.constantFrom('crit', 'jku', 'x5u', 'jwk', 'b64', 'zip'), fc.string({ minLength: 1, maxLength: 10 })), value: fc.jsonValue() }),
    );
    await fc.assert(
      fc.asyncProperty(edit, fc.constantFrom('keep', 'zero', 'resign'), fc.boolean(), async (e, signing, flattened) => {
        const [p, payload, sig] = parts;
        const h = decodeSegment(p);
        if (e.kind === 'alg') {
          fc.pre(e.alg !== 'ES256');
          h['alg'] = e.alg;
        } else if (e.kind === 'drop-kid') delete h['kid'];
        else {
          fc.pre(!(e.name in h) && e.name !== '__proto__');
          h[e.name] = e.value;
        }
        // Re-signing with podid's own key stands for a header podid never writes; unknown extra members are then legitimately signed.
        const resign = signing === 'resign' && (e.kind !== 'extra' || e.name === 'crit');
        const np = b64(h);
        const signature = resign ? toBase64url(await signer.sign(Buffer.from(`${np}.${payload}`, 'ascii'))) : signing === 'keep' ? sig : '';
        const text = flattened ? JSON.stringify({ protected: np, payload, signature }) : `${np}.${payload}.${signature}`;
        expect(resign ? ['bad_header'] : ['malformed', 'bad_header', 'bad_signature']).toContain(refusal(text));
      }),
      fcParams(500),
    );
  });

  it('refuses a flattened token with extra or missing members', () => {
    const [p, payload, signature] = parts;
    const member = fc.constantFrom('header', 'unprotected', 'signatures', 'kid', 'alg', 'protected2', 'Payload');
    fc.assert(
      fc.property(fc.oneof(fc.record({ add: member, value: fc.jsonValue() }), fc.record({ drop: fc.constantFrom('protected', 'payload', 'signature') })), (m) => {
        const o: Record<string, unknown> = { protected: p, payload, signature };
        if ('add' in m) o[m.add] = m.value;
        else delete o[m.drop];
        expect(refusal(JSON.stringify(o))).toBe('malformed');
      }),
      fcParams(300),
    );
  });

  it('accepts what it signed, in both forms, and returns exactly the signed claims', async () => {
    const text = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 60 });
    await fc.assert(
      fc.asyncProperty(text, fc.record({ namespace: text, pod: text, pod_uid: text, service_account: text, authenticator: text, cluster: text }), fc.integer({ min: 1, max: 18_000 }), async (hostId, k, ttl) => {
        const t = await signToken({ signer, issuer: 'https://podid.test', audience: 'podid', hostId, k8s: k, ttlSeconds: ttl, now });
        expect(verifyToken(t.compact, { ...opts, audience: 'podid' })).toEqual(t.claims);
        expect(verifyToken(t.flattened, { ...opts, audience: 'podid' })).toEqual(t.claims);
        expect(t.claims).toMatchObject({ sub: `host/${hostId}`, k8s: k, exp: now / 1000 + ttl });
      }),
      fcParams(200),
    );
  });
});
