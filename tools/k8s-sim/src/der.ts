/**
 * Minimal DER encoder and reader: enough to build X.509 certificates for any key type
 * (node-forge only handles RSA) and to read PKCS#10 requests.
 */

export function tlv(tag: number, content: Buffer): Buffer {
  const len = content.length;
  let lenBytes: Buffer;
  if (len < 0x80) lenBytes = Buffer.from([len]);
  else {
    const hex = len.toString(16);
    const b = Buffer.from(hex.length % 2 ? `0${hex}` : hex, 'hex');
    lenBytes = Buffer.concat([Buffer.from([0x80 | b.length]), b]);
  }
  return Buffer.concat([Buffer.from([tag]), lenBytes, content]);
}

export const seq = (...items: Buffer[]): Buffer => tlv(0x30, Buffer.concat(items));
export const set = (...items: Buffer[]): Buffer => tlv(0x31, Buffer.concat(items));
export const octets = (b: Buffer): Buffer => tlv(0x04, b);
export const utf8 = (s: string): Buffer => tlv(0x0c, Buffer.from(s, 'utf8'));
export const bool = (v: boolean): Buffer => tlv(0x01, Buffer.from([v ? 0xff : 0]));
export const bitString = (b: Buffer, unusedBits = 0): Buffer => tlv(0x03, Buffer.concat([Buffer.from([unusedBits]), b]));
/** Context-specific tag `[n]`, constructed (EXPLICIT / SEQUENCE-like) or primitive (IMPLICIT string). */
export const ctx = (n: number, content: Buffer, constructed = true): Buffer => tlv((constructed ? 0xa0 : 0x80) | n, content);

/** A non-negative INTEGER from big-endian bytes. */
export function uint(bytes: Buffer): Buffer {
  let i = 0;
  while (i < bytes.length - 1 && bytes[i] === 0) i++;
  let b = bytes.subarray(i);
  if ((b[0] ?? 0) & 0x80) b = Buffer.concat([Buffer.from([0]), b]);
  return tlv(0x02, b.length ? b : Buffer.from([0]));
}

export const smallInt = (n: number): Buffer => uint(Buffer.from([n & 0xff]));

export function oid(dotted: string): Buffer {
  const parts = dotted.split('.').map(Number);
  const [a = 0, b = 0, ...rest] = parts;
  const out: number[] = [a * 40 + b];
  for (const n of rest) {
    const chunk: number[] = [n & 0x7f];
    let v = Math.floor(n / 128);
    while (v > 0) {
      chunk.unshift((v & 0x7f) | 0x80);
      v = Math.floor(v / 128);
    }
    out.push(...chunk);
  }
  return tlv(0x06, Buffer.from(out));
}

/** UTCTime before 2050, GeneralizedTime from then on (RFC 5280 4.1.2.5). */
export function time(d: Date): Buffer {
  const iso = d.toISOString().replace(/[-:T]/g, '').replace(/\.\d{3}Z$/, 'Z');
  return d.getUTCFullYear() < 2050 ? tlv(0x17, Buffer.from(iso.slice(2), 'ascii')) : tlv(0x18, Buffer.from(iso, 'ascii'));
}

/** A parsed element: `raw` is its full encoding, `content` its value bytes. */
export interface Tlv {
  tag: number;
  raw: Buffer;
  content: Buffer;
}

/** Reads the element at `offset`. Throws on truncated or over-long input. */
export function readTlv(buf: Buffer, offset = 0): Tlv {
  const tag = buf[offset];
  let lenByte = buf[offset + 1];
  if (tag === undefined || lenByte === undefined) throw new Error('DER: truncated');
  let pos = offset + 2;
  let len = lenByte;
  if (lenByte & 0x80) {
    const n = lenByte & 0x7f;
    if (n === 0 || n > 4) throw new Error('DER: unsupported length');
    len = 0;
    for (let i = 0; i < n; i++) {
      lenByte = buf[pos++];
      if (lenByte === undefined) throw new Error('DER: truncated');
      len = len * 256 + lenByte;
    }
  }
  if (pos + len > buf.length) throw new Error('DER: truncated');
  return { tag, raw: buf.subarray(offset, pos + len), content: buf.subarray(pos, pos + len) };
}

/** The elements inside a constructed element. */
export function children(t: Tlv): Tlv[] {
  const out: Tlv[] = [];
  let off = 0;
  while (off < t.content.length) {
    const c = readTlv(t.content, off);
    out.push(c);
    off += c.raw.length;
  }
  return out;
}

export function decodeOid(content: Buffer): string {
  const first = content[0] ?? 0;
  const parts = [Math.floor(first / 40), first % 40];
  let v = 0;
  for (const b of content.subarray(1)) {
    v = v * 128 + (b & 0x7f);
    if (!(b & 0x80)) {
      parts.push(v);
      v = 0;
    }
  }
  return parts.join('.');
}
