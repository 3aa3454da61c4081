import { isIP } from 'node:net';

/** One IPv4 or IPv6 network: address bytes and prefix length. */
interface Network {
  bytes: Uint8Array;
  prefix: number;
}

/** Parses `10.0.0.0/8,192.168.1.7,::1,fd00::/8`. Returns undefined for anything that is not an IP or CIDR. */
export function parseProxyList(items: readonly string[]): Network[] | undefined {
  const out: Network[] = [];
  for (const item of items) {
    const n = parseNetwork(item);
    if (!n) return undefined;
    out.push(n);
  }
  return out;
}

/** True when `item` is an IP address or a CIDR block. */
export function isIpOrCidr(item: string): boolean {
  return parseNetwork(item) !== undefined;
}

function parseNetwork(item: string): Network | undefined {
  const [addr = '', len, extra] = item.trim().split('/');
  if (extra !== undefined) return undefined;
  const bytes = ipBytes(addr);
  if (!bytes) return undefined;
  const max = bytes.length * 8;
  if (len !== undefined && !/^\d{1,3}$/.test(len)) return undefined;
  const prefix = len === undefined ? max : Number(len);
  return prefix <= max ? { bytes, prefix } : undefined;
}

/** Address bytes; IPv4-mapped IPv6 (`::ffff:1.2.3.4`, as Node reports peers) becomes IPv4. */
export function ipBytes(addr: string): Uint8Array | undefined {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(addr);
  if (mapped) addr = mapped[1]!;
  const v = isIP(addr);
  if (v === 4) return Uint8Array.from(addr.split('.').map(Number));
  if (v !== 6) return undefined;
  const [head = '', tail] = addr.split('::');
  const groups = (s: string) => (s === '' ? [] : s.split(':'));
  let h = groups(head);
  let t = tail === undefined ? [] : groups(tail);
  // An embedded IPv4 tail (`::ffff:1.2.3.4` handled above; `64:ff9b::1.2.3.4` here) is two groups.
  const fixV4 = (g: string[]) => g.flatMap((x) => (x.includes('.') ? v4Groups(x) : [x]));
  h = fixV4(h);
  t = fixV4(t);
  const fill = tail === undefined ? [] : Array<string>(8 - h.length - t.length).fill('0');
  const all = [...h, ...fill, ...t];
  if (all.length !== 8) return undefined;
  const out = new Uint8Array(16);
  all.forEach((g, i) => {
    const n = parseInt(g, 16);
    out[i * 2] = n >> 8;
    out[i * 2 + 1] = n & 0xff;
  });
  return out;
}

function v4Groups(v4: string): string[] {
  const b = v4.split('.').map(Number);
  return [((b[0]! << 8) | b[1]!).toString(16), ((b[2]! << 8) | b[3]!).toString(16)];
}

/** True when the peer address lies in one of the networks. */
export function isTrustedProxy(peer: string | undefined, networks: readonly Network[]): boolean {
  const bytes = peer ? ipBytes(peer) : undefined;
  if (!bytes) return false;
  return networks.some((n) => n.bytes.length === bytes.length && prefixEqual(n.bytes, bytes, n.prefix));
}

function prefixEqual(a: Uint8Array, b: Uint8Array, bits: number): boolean {
  const full = Math.floor(bits / 8);
  for (let i = 0; i < full; i++) if (a[i] !== b[i]) return false;
  const rest = bits % 8;
  if (rest === 0) return true;
  const mask = (0xff << (8 - rest)) & 0xff;
  return (a[full]! & mask) === (b[full]! & mask);
}
