import { redisPrefixField, trustDomainField } from './shared-fields';

describe('shared fields', () => {
  it('PODID_TRUST_DOMAIN: cluster.local by default, a lowercase domain, nothing else', () => {
    expect(trustDomainField.parse(undefined)).toEqual({ ok: true, value: 'cluster.local' });
    expect(trustDomainField.parse('example.org')).toEqual({ ok: true, value: 'example.org' });
    for (const bad of ['Example.org', 'a/b', 'x'.repeat(256)]) expect(trustDomainField.parse(bad).ok).toBe(false);
  });

  it('PODID_REDIS_PREFIX: podid: by default, 1..64 key-safe characters', () => {
    expect(redisPrefixField.parse('')).toEqual({ ok: true, value: 'podid:' });
    expect(redisPrefixField.parse('t1:')).toEqual({ ok: true, value: 't1:' });
    for (const bad of ['a b', 'x'.repeat(65), '{tag}']) expect(redisPrefixField.parse(bad).ok).toBe(false);
  });
});
