import { InvalidArgumentError } from '@podid/errors';
import { CLUSTER_URN_PREFIX, formatClusterUrn, isClusterName, parseClusterUrn } from './cluster-urn';

describe('cluster URN', () => {
  it('formats and parses a DNS-label cluster name', () => {
    expect(formatClusterUrn('prod-eu')).toBe('urn:podid:cluster:prod-eu');
    expect(parseClusterUrn('urn:podid:cluster:prod-eu')).toEqual({ ok: true, value: 'prod-eu' });
    expect(isClusterName('default')).toBe(true);
  });

  it.each(['', 'Prod', 'a.b', '-a', 'a/b', 'x'.repeat(64), 'a:b'])('refuses cluster name %j', (name) => {
    expect(isClusterName(name)).toBe(false);
    expect(() => formatClusterUrn(name)).toThrow(InvalidArgumentError);
    expect(parseClusterUrn(`${CLUSTER_URN_PREFIX}${name}`)).toMatchObject({ ok: false, reason: expect.stringContaining('exp="urn:podid:cluster:<dns-label>"') });
  });

  it('refuses another URI', () => {
    expect(parseClusterUrn('urn:podid:pod-uid:0b5c3c1e-4c0e-4b8e-9a57-6c1c6f0e2a11').ok).toBe(false);
  });
});
