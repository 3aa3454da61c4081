/** How a token goes on the wire (docs/conjur-compatibility.md section 6, docs/api.md). */
export interface TokenRepresentation {
  /** `json`: flattened JWS `{"protected","payload","signature"}`; `compact`: `a.b.c`. */
  form: 'json' | 'compact';
  /** Conjur's `Accept-Encoding: base64`: body is base64 text with `Content-Encoding: base64`. */
  base64: boolean;
}

/**
 * Picks the token representation from Accept and Accept-Encoding. Conjur splits
 * Accept-Encoding on commas and looks for `base64` case-insensitively; Go's
 * default `gzip` does not count.
 */
export function tokenRepresentation(accept: string | undefined, acceptEncoding: string | undefined): TokenRepresentation {
  const base64 = (acceptEncoding ?? '')
    .split(',')
    .map((s) => s.split(';')[0]!.trim().toLowerCase())
    .includes('base64');
  const compact = (accept ?? '')
    .split(',')
    .some((s) => s.split(';')[0]!.trim().toLowerCase() === 'application/jwt');
  return { form: compact ? 'compact' : 'json', base64 };
}

/** Body and headers of a token answer. */
export function renderToken(token: { flattenedJson: string; compact: string }, rep: TokenRepresentation): { body: string; headers: Record<string, string> } {
  const text = rep.form === 'compact' ? token.compact : token.flattenedJson;
  if (rep.base64) return { body: Buffer.from(text, 'utf8').toString('base64'), headers: { 'content-type': 'text/plain', 'content-encoding': 'base64' } };
  return { body: text, headers: { 'content-type': rep.form === 'compact' ? 'application/jwt' : 'application/json' } };
}
