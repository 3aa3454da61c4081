import { createCa } from '@podid/x509';
import { BundleCache, splitPem } from './bundle-cache';

describe('BundleCache', () => {
  it('reuses a bundle for its TTL, shares concurrent misses, and does not cache failures', async () => {
    const ca = await createCa({ commonName: 'bundle', now: new Date(), ttlMs: 86_400_000 });
    let t = 0;
    let calls = 0;
    let fail = true;
    const cache = new BundleCache(
      {
        getBundle: async () => {
          calls++;
          if (fail) throw new Error('ca-signer down');
          return { bundlePem: `${ca.certPem}${ca.certPem}`, notAfter: 0 };
        },
      },
      () => t,
      1000,
    );
    await expect(cache.get('dev')).rejects.toThrow('ca-signer down');
    fail = false;
    const [a, b] = await Promise.all([cache.get('dev'), cache.get('dev')]);
    expect(a).toBe(b);
    expect(a).toHaveLength(2);
    expect(calls).toBe(2);
    t = 999;
    await cache.get('dev');
    expect(calls).toBe(2);
    t = 1000;
    await cache.get('dev');
    expect(calls).toBe(3);
    expect(splitPem('junk')).toEqual([]);
  });

  it('stays bounded under many service ids, dropping the least recently used', async () => {
    const ca = await createCa({ commonName: 'bundle', now: new Date(), ttlMs: 86_400_000 });
    const asked: string[] = [];
    const cache = new BundleCache(
      {
        getBundle: async ({ serviceId }) => {
          asked.push(serviceId);
          return { bundlePem: ca.certPem, notAfter: 0 };
        },
      },
      () => 0,
      60_000,
      3,
    );
    await cache.get('dev');
    for (let i = 0; i < 50; i++) {
      await cache.get(`random-${i}`);
      await cache.get('dev');
      expect(cache.size).toBeLessThanOrEqual(3);
    }
    // 'dev' was used all along, so it was never evicted and asked for once.
    expect(asked.filter((s) => s === 'dev')).toHaveLength(1);
    expect(asked).toHaveLength(51);
  });
});
