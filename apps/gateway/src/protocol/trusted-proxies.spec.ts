import fc from 'fast-check';
import { fcParams } from '@podid/testkit';
import { ipBytes, isIpOrCidr, isTrustedProxy, parseProxyList } from './trusted-proxies';

describe('trusted proxy match', () => {
  const nets = parseProxyList(['10.0.0.0/8', '192.168.1.7', 'fd00::/8', '::1'])!;
  it.each([
    ['10.1.2.3', true],
    ['::ffff:10.1.2.3', true],
    ['11.0.0.1', false],
    ['192.168.1.7', true],
    ['192.168.1.8', false],
    ['fd12:3456::1', true],
    ['fe80::1', false],
    ['::1', true],
    ['127.0.0.1', false],
    ['', false],
    ['garbage', false],
  ])('%s -> %s', (ip, want) => expect(isTrustedProxy(ip, nets)).toBe(want));

  it('trusts nobody by default', () => expect(isTrustedProxy('127.0.0.1', parseProxyList([])!)).toBe(false));

  it('refuses what is not an IP or CIDR', () => {
    for (const bad of ['10.0.0.0/33', '1.2.3', 'host.example', '10.0.0.0/8/1', '::/129', '10.0.0.0/x']) expect(isIpOrCidr(bad)).toBe(false);
    expect(parseProxyList(['10.0.0.1', 'nope'])).toBeUndefined();
  });

  it('expands :: and embedded IPv4', () => {
    expect(Array.from(ipBytes('::1')!)).toEqual([...Array(15).fill(0), 1]);
    expect(Array.from(ipBytes('64:ff9b::1.2.3.4')!).slice(12)).toEqual([1, 2, 3, 4]);
  });

  it('matches a /n block exactly on its prefix bits (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 4, maxLength: 4 }), fc.integer({ min: 0, max: 32 }), (b, n) => {
        const ip = b.join('.');
        const [net] = parseProxyList([`${ip}/${n}`])!;
        expect(isTrustedProxy(ip, [net!])).toBe(true);
        if (n > 0) {
          // Flip the last prefix bit: outside the block.
          const v = ((b[0]! << 24) | (b[1]! << 16) | (b[2]! << 8) | b[3]!) >>> 0;
          const flipped = (v ^ (1 << (32 - n))) >>> 0;
          const other = [flipped >>> 24, (flipped >>> 16) & 255, (flipped >>> 8) & 255, flipped & 255].join('.');
          expect(isTrustedProxy(other, [net!])).toBe(false);
        }
      }),
      fcParams(),
    );
  });
});
