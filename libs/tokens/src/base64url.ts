/** RFC 4648 section 5 base64url without padding, as JWS (RFC 7515) requires. */
export function toBase64url(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64url');
}

const B64URL = /^[A-Za-z0-9_-]*$/;

/** Decodes strict unpadded base64url; returns undefined for any other alphabet or a non-canonical length. */
export function fromBase64url(text: string): Uint8Array | undefined {
  if (!B64URL.test(text) || text.length % 4 === 1) return undefined;
  const bytes = Buffer.from(text, 'base64url');
  // Reject non-canonical trailing bits, so one token has exactly one spelling.
  return toBase64url(bytes) === text ? new Uint8Array(bytes) : undefined;
}
