import { createHash, createHmac, createPublicKey, randomUUID, sign, timingSafeEqual, verify, type KeyObject } from 'node:crypto';

/** `iss` of service-account tokens, and the default API audience (as kube-apiserver defaults --api-audiences to the issuer). */
export const SA_ISSUER = 'https://kubernetes.default.svc.cluster.local';
export const API_AUDIENCES = [SA_ISSUER];
/** Longer bearer tokens are refused before any parsing. */
const MAX_TOKEN_LENGTH = 16 * 1024;
/** Clock skew tolerated on `nbf`/`iat`, in seconds. */
const NBF_LEEWAY_S = 60;
const STATIC_PREFIX = 'k8s-sim';

export interface SaClaims {
  iss: string;
  sub: string;
  aud: string[];
  exp: number;
  iat: number;
  nbf: number;
  jti: string;
  'kubernetes.io': {
    namespace: string;
    serviceaccount: { name: string; uid: string };
    pod?: { name: string; uid: string };
    node?: { name: string; uid: string };
  };
}

const b64url = (b: Buffer | string) => Buffer.from(b).toString('base64url');

function parseJsonPart(part: string | undefined): Record<string, unknown> | undefined {
  if (!part) return undefined;
  try {
    const v: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** Signs and checks ES256 service-account JWTs; serves the JWKS. */
export class TokenSigner {
  readonly kid: string;
  private readonly publicKey: KeyObject;

  constructor(
    private readonly key: KeyObject,
    readonly issuer: string = SA_ISSUER,
  ) {
    this.publicKey = createPublicKey(key);
    // kube-apiserver's key id: base64url(sha256(DER SubjectPublicKeyInfo)).
    this.kid = b64url(createHash('sha256').update(this.publicKey.export({ type: 'spki', format: 'der' })).digest());
  }

  sign(claims: Omit<SaClaims, 'iss' | 'jti'> & { jti?: string }): string {
    const header = b64url(JSON.stringify({ alg: 'ES256', kid: this.kid }));
    const payload = b64url(JSON.stringify({ ...claims, iss: this.issuer, jti: claims.jti ?? randomUUID() }));
    const sig = sign('sha256', Buffer.from(`${header}.${payload}`), { key: this.key, dsaEncoding: 'ieee-p1363' });
    return `${header}.${payload}.${b64url(sig)}`;
  }

  /** Checks form, signature, issuer and time; the caller checks audiences and bound objects. */
  verify(token: string, nowS = Math.floor(Date.now() / 1000)): { claims: SaClaims } | { error: string } {
    if (token.length > MAX_TOKEN_LENGTH) return { error: 'token too long' };
    const parts = token.split('.');
    if (parts.length !== 3) return { error: 'not a JWT' };
    const [h, p, s] = parts as [string, string, string];
    const header = parseJsonPart(h);
    if (!header || header['alg'] !== 'ES256' || header['kid'] !== this.kid) return { error: 'unknown signing key or algorithm' };
    const ok = verify('sha256', Buffer.from(`${h}.${p}`), { key: this.publicKey, dsaEncoding: 'ieee-p1363' }, Buffer.from(s, 'base64url'));
    if (!ok) return { error: 'invalid signature' };
    const c = parseJsonPart(p);
    if (!c || c['iss'] !== this.issuer) return { error: 'invalid issuer' };
    const k = c['kubernetes.io'] as SaClaims['kubernetes.io'] | undefined;
    if (typeof c['exp'] !== 'number' || typeof c['sub'] !== 'string' || !Array.isArray(c['aud']) || !k?.serviceaccount) return { error: 'malformed claims' };
    if (c['exp'] <= nowS) return { error: 'Token has expired.' };
    if (typeof c['nbf'] === 'number' && c['nbf'] > nowS + NBF_LEEWAY_S) return { error: 'Token is not valid yet.' };
    return { claims: c as unknown as SaClaims };
  }

  jwks(): { keys: object[] } {
    const jwk = this.publicKey.export({ format: 'jwk' });
    return { keys: [{ ...jwk, use: 'sig', kid: this.kid, alg: 'ES256' }] };
  }
}

/** A static kubeconfig token: the user and groups, MACed with the persisted secret, so it survives restarts. */
export function makeStaticToken(secret: Buffer, user: string, groups: string[]): string {
  const body = b64url(JSON.stringify({ u: user, g: groups }));
  const mac = b64url(createHmac('sha256', secret).update(body).digest());
  return `${STATIC_PREFIX}.${body}.${mac}`;
}

export function readStaticToken(secret: Buffer, token: string): { user: string; groups: string[] } | undefined {
  if (token.length > MAX_TOKEN_LENGTH) return undefined;
  const [prefix, body, mac, ...rest] = token.split('.');
  if (prefix !== STATIC_PREFIX || !body || !mac || rest.length) return undefined;
  const want = createHmac('sha256', secret).update(body).digest();
  const got = Buffer.from(mac, 'base64url');
  if (got.length !== want.length || !timingSafeEqual(got, want)) return undefined;
  const v = parseJsonPart(body);
  if (!v || typeof v['u'] !== 'string' || !Array.isArray(v['g'])) return undefined;
  return { user: v['u'], groups: (v['g'] as unknown[]).filter((g): g is string => typeof g === 'string') };
}
