import { toBase64url } from './base64url';

/**
 * Encodes a JSON value as a JWS segment that is at the same time valid
 * RFC 7515 base64url (no padding) and valid standard base64 (RFC 4648
 * section 4, padded), so conjur-api-go, which decodes `payload` with Go's
 * StdEncoding, reads it too (docs/conjur-compatibility.md section 6).
 *
 * Tradeoff: base64url of ASCII can differ from standard base64 only where a
 * 6-bit group is 62 or 63, which for ASCII input happens only for the
 * characters `>`, `?`, `~` and DEL; we escape those (and all non-ASCII) as
 * JSON `\uXXXX`, and pad the JSON with trailing spaces to a multiple of 3
 * bytes, so the encoding needs no `=`. The JSON means the same to every
 * parser; it is only a few bytes longer.
 */
export function encodeJsonSegment(value: unknown): string {
  let json = JSON.stringify(value).replace(/[>?~\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  while (json.length % 3 !== 0) json += ' ';
  return toBase64url(Buffer.from(json, 'ascii'));
}
