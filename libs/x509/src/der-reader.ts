/** One DER element: its tag and where its header and content sit in the buffer. */
export interface Tlv {
  readonly tag: number;
  readonly start: number;
  readonly contentStart: number;
  readonly end: number;
}

/**
 * Reads the DER element at `offset`. Returns undefined for anything that is
 * not definite-length DER inside the buffer (so callers never index out of range).
 */
export function readTlv(buf: Uint8Array, offset: number, limit = buf.length): Tlv | undefined {
  if (offset + 2 > limit) return undefined;
  const tag = buf[offset] as number;
  if ((tag & 0x1f) === 0x1f) return undefined; // high tag numbers never occur in a CSR
  const first = buf[offset + 1] as number;
  let len = first;
  let header = 2;
  if (first & 0x80) {
    const n = first & 0x7f;
    if (n === 0 || n > 3 || offset + 2 + n > limit) return undefined; // indefinite or > 16 MiB
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + (buf[offset + 2 + i] as number);
    header += n;
  }
  const end = offset + header + len;
  if (end > limit) return undefined;
  return { tag, start: offset, contentStart: offset + header, end };
}

/** Dotted form of an OBJECT IDENTIFIER's content bytes, or undefined when malformed. */
export function decodeOid(content: Uint8Array): string | undefined {
  if (content.length === 0 || content.length > 64) return undefined;
  const arcs: number[] = [];
  let v = 0;
  for (let i = 0; i < content.length; i++) {
    const b = content[i] as number;
    v = v * 128 + (b & 0x7f);
    if (v > Number.MAX_SAFE_INTEGER / 128) return undefined;
    if (!(b & 0x80)) {
      arcs.push(v);
      v = 0;
    } else if (i === content.length - 1) {
      return undefined;
    }
  }
  const head = arcs.shift() as number;
  const a = head < 40 ? 0 : head < 80 ? 1 : 2;
  return [a, head - a * 40, ...arcs].join('.');
}
