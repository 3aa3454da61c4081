/**
 * DER encoding of the few ASN.1 types a leaf needs. Elements are built as a
 * tree whose lengths are known up front, then written in one pass into one
 * Buffer (encodeDer): far fewer allocations than concatenating at each level.
 * A Buffer in the tree is already-encoded DER, copied as is. Inputs are
 * trusted (built by podid).
 */
export type Der = DerElement | Buffer;

export class DerElement {
  readonly length: number;
  constructor(
    readonly tag: number,
    readonly parts: readonly Der[],
    readonly contentLength = parts.reduce((n, p) => n + p.length, 0),
  ) {
    this.length = headerLength(contentLength) + contentLength;
  }
}

const headerLength = (len: number): number => (len < 0x80 ? 2 : len < 0x100 ? 3 : len < 0x10000 ? 4 : 5);

function write(d: Der, out: Buffer, at: number): number {
  if (Buffer.isBuffer(d)) return at + d.copy(out, at);
  out[at++] = d.tag;
  const len = d.contentLength;
  if (len < 0x80) out[at++] = len;
  else {
    const n = headerLength(len) - 2;
    out[at++] = 0x80 | n;
    for (let i = n - 1; i >= 0; i--) out[at++] = (len >>> (8 * i)) & 0xff;
  }
  for (const p of d.parts) at = write(p, out, at);
  return at;
}

export function encodeDer(d: Der): Buffer {
  if (Buffer.isBuffer(d)) return d;
  const out = Buffer.allocUnsafe(d.length);
  write(d, out, 0);
  return out;
}

/** One element: tag, definite length, the parts in order. */
export const tlv = (tag: number, ...parts: Der[]): DerElement => new DerElement(tag, parts);
export const seq = (...parts: Der[]): DerElement => tlv(0x30, ...parts);
export const set = (...parts: Der[]): DerElement => tlv(0x31, ...parts);
export const octetString = (b: Der): DerElement => tlv(0x04, b);
const NO_UNUSED_BITS = Buffer.from([0]);
/** A BIT STRING of whole bytes (no unused bits). */
export const bitString = (b: Buffer): DerElement => tlv(0x03, NO_UNUSED_BITS, b);
/** [n] EXPLICIT. */
export const explicit = (n: number, inner: Der): DerElement => tlv(0xa0 | n, inner);
export const TRUE = Buffer.from([0x01, 0x01, 0xff]);

/** A non-negative INTEGER from big-endian bytes, minimally encoded. */
export function unsignedInteger(b: Buffer): DerElement {
  let i = 0;
  while (i < b.length - 1 && b[i] === 0) i++;
  const v = b.subarray(i);
  return ((v[0] as number) & 0x80) !== 0 ? tlv(0x02, NO_UNUSED_BITS, v) : tlv(0x02, v);
}

/** OBJECT IDENTIFIER from dotted text, encoded. */
export function oid(dotted: string): Buffer {
  const arcs = dotted.split('.').map(Number);
  const out: number[] = [];
  const push = (v: number) => {
    const bytes = [v & 0x7f];
    for (let n = Math.floor(v / 128); n > 0; n = Math.floor(n / 128)) bytes.unshift(0x80 | (n & 0x7f));
    out.push(...bytes);
  };
  push((arcs[0] as number) * 40 + (arcs[1] as number));
  for (const a of arcs.slice(2)) push(a);
  return encodeDer(tlv(0x06, Buffer.from(out)));
}

const PRINTABLE = /^[A-Za-z0-9 '()+,\-./:=?]*$/;

/** PrintableString when the text allows it, else UTF8String (the choice @peculiar/x509 makes). */
export const directoryString = (s: string): DerElement => (PRINTABLE.test(s) ? tlv(0x13, Buffer.from(s, 'latin1')) : tlv(0x0c, Buffer.from(s, 'utf8')));

const two = (n: number) => (n < 10 ? `0${n}` : `${n}`);

/** RFC 5280 4.1.2.5: UTCTime through 2049, GeneralizedTime from 2050; whole seconds, Zulu. */
export function time(d: Date): DerElement {
  const y = d.getUTCFullYear();
  const rest = `${two(d.getUTCMonth() + 1)}${two(d.getUTCDate())}${two(d.getUTCHours())}${two(d.getUTCMinutes())}${two(d.getUTCSeconds())}Z`;
  return y < 2050 ? tlv(0x17, Buffer.from(`${two(y % 100)}${rest}`, 'latin1')) : tlv(0x18, Buffer.from(`${y}${rest}`, 'latin1'));
}
