import { fromBase64url } from './base64url';
import { TokenInvalidError } from './token-invalid-error';
import type { TokenHeader } from './token-claims';

/**
 * Largest token accepted, in characters, checked before any parsing. A podid
 * token is about 700 characters; 8 KiB leaves room for long host ids while
 * bounding the work an attacker can cause.
 */
export const MAX_TOKEN_CHARS = 8 * 1024;

/** A structurally valid ES256 JWS whose signature is not yet checked. */
export interface ParsedJws {
  readonly header: TokenHeader;
  readonly payload: unknown;
  /** `<protected>.<payload>` exactly as received: the bytes that were signed. */
  readonly signingInput: string;
  readonly signature: Uint8Array;
}

/** Parses a compact JWS or a flattened JSON JWS `{"protected","payload","signature"}`. */
export function parseJws(text: string): ParsedJws {
  if (typeof text !== 'string' || text.length > MAX_TOKEN_CHARS) throw new TokenInvalidError('too_large', `exp <= ${MAX_TOKEN_CHARS} chars`);
  const t = text.trim();
  const [p, payload, sig] = t.startsWith('{') ? flattenedParts(t) : compactParts(t);
  const header = decodeJson(p, 'protected header') as Record<string, unknown>;
  checkHeader(header);
  const signature = fromBase64url(sig);
  if (!signature || signature.length !== 64) throw new TokenInvalidError('malformed', 'signature is not 64 bytes of base64url');
  return { header: { alg: header.alg, typ: 'JWT', kid: header.kid }, payload: decodeJson(payload, 'payload'), signingInput: `${p}.${payload}`, signature };
}

function compactParts(t: string): [string, string, string] {
  const parts = t.split('.');
  if (parts.length !== 3) throw new TokenInvalidError('malformed', `exp 3 dot-separated parts, got ${parts.length}`);
  return parts as [string, string, string];
}

function flattenedParts(t: string): [string, string, string] {
  let obj: unknown;
  try {
    obj = JSON.parse(t);
  } catch {
    throw new TokenInvalidError('malformed', 'flattened JWS is not JSON');
  }
  const o = obj as Record<string, unknown>;
  const keys = o && typeof o === 'object' && !Array.isArray(o) ? Object.keys(o).sort().join(',') : '';
  if (keys !== 'payload,protected,signature') throw new TokenInvalidError('malformed', `exp members payload,protected,signature, got "${keys}"`);
  const parts = [o['protected'], o['payload'], o['signature']];
  if (!parts.every((x) => typeof x === 'string')) throw new TokenInvalidError('malformed', 'flattened JWS members must be strings');
  return parts as [string, string, string];
}

function decodeJson(segment: string, what: string): unknown {
  const bytes = fromBase64url(segment);
  if (!bytes) throw new TokenInvalidError('malformed', `${what} is not base64url`);
  try {
    return JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch {
    throw new TokenInvalidError('malformed', `${what} is not JSON`);
  }
}

function checkHeader(h: Record<string, unknown>): asserts h is TokenHeader & Record<string, unknown> {
  if (!h || typeof h !== 'object' || Array.isArray(h)) throw new TokenInvalidError('bad_header', 'header is not an object');
  // alg is pinned: no "none", no HMAC confusion with the public key.
  if (h['alg'] !== 'ES256') throw new TokenInvalidError('bad_header', `alg: exp "ES256", got ${JSON.stringify(h['alg'])}`);
  if (typeof h['kid'] !== 'string' || h['kid'] === '') throw new TokenInvalidError('bad_header', 'kid is missing');
  if (h['typ'] !== undefined && h['typ'] !== 'JWT') throw new TokenInvalidError('bad_header', `typ: exp "JWT", got ${JSON.stringify(h['typ'])}`);
  // We understand no critical extensions, so RFC 7515 says refuse any.
  if ('crit' in h) throw new TokenInvalidError('bad_header', 'crit is not supported');
}
