import type { TokenTimes } from './renewal-time';

/**
 * Reads iat and exp from a token body without verifying it (the client only
 * needs to know when to refresh). Accepts the flattened JWS JSON that Conjur
 * and podid return, or a compact JWS. Returns undefined for anything else.
 */
export function readTokenTimes(body: Buffer | string): TokenTimes | undefined {
  const text = body.toString().trim();
  let payload: string | undefined;
  if (text.startsWith('{')) {
    try {
      const obj = JSON.parse(text) as { payload?: unknown };
      if (typeof obj.payload === 'string') payload = obj.payload;
    } catch {
      return undefined;
    }
  } else if (/^[\w-]+\.[\w-]+\.[\w-]*$/.test(text)) {
    payload = text.split('.')[1];
  }
  if (payload === undefined) return undefined;
  try {
    // Conjur keeps `=` padding and may use either alphabet; normalise to base64url.
    const json = Buffer.from(payload.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, ''), 'base64url').toString('utf8');
    const claims = JSON.parse(json) as Record<string, unknown>;
    const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
    return { iat: num(claims['iat']), exp: num(claims['exp']) };
  } catch {
    return undefined;
  }
}
