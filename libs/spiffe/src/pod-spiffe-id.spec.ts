import { InvalidArgumentError } from '@podid/errors';
import { formatPodSpiffeId, parsePodSpiffeId, requirePodSpiffeId, spiffeTrustDomainOf } from './pod-spiffe-id';
import { formatPodUidUri, parsePodUidUri } from './pod-uid-uri';
import { isDnsLabel, isDnsSubdomain } from './dns-names';

describe('pod SPIFFE id', () => {
  it('parses the form the Conjur client sends', () => {
    expect(parsePodSpiffeId('spiffe://cluster.local/namespace/demo/podname/app-7f9c-x1')).toEqual({
      ok: true,
      value: { trustDomain: 'cluster.local', namespace: 'demo', pod: 'app-7f9c-x1' },
    });
    expect(requirePodSpiffeId('spiffe://prod.example/namespace/a/podname/b.c', 'prod.example').pod).toBe('b.c');
  });

  it.each([
    ['spiffe://cluster.local/namespace/demo/pod/app', 'wrong path form'],
    ['spiffe://cluster.local/namespace/demo/podname/app/extra', 'wrong path form'],
    ['spiffe://other.td/namespace/demo/podname/app', 'wrong trust domain'],
    ['https://cluster.local/namespace/demo/podname/app', 'not a spiffe URI'],
    ['spiffe://cluster.local/namespace/Demo/podname/app', 'namespace is not'],
    ['spiffe://cluster.local/namespace/demo/podname/-app', 'pod is not'],
    ['spiffe://cluster.local/namespace//podname/app', 'namespace is not'],
    ['spiffe://cluster.local/namespace/demo/podname/', 'pod is not'],
    ['spiffe://cluster.local/namespace/demo/podname/app%2F..', 'pod is not'],
  ])('refuses %s (%s), saying expected vs got', (uri, why) => {
    const r = parsePodSpiffeId(uri);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.reason).toContain(why);
      expect(r.reason).toContain('exp="spiffe://cluster.local/namespace/<ns>/podname/<pod>"');
      expect(r.reason).toContain(`got=${JSON.stringify(uri)}`);
    }
  });

  it('throws a typed error from requirePodSpiffeId and formatPodSpiffeId', () => {
    expect(() => requirePodSpiffeId('nope')).toThrow(InvalidArgumentError);
    expect(() => formatPodSpiffeId({ namespace: 'a/b', pod: 'c' })).toThrow(InvalidArgumentError);
    expect(formatPodSpiffeId({ namespace: 'demo', pod: 'app-1' })).toBe('spiffe://cluster.local/namespace/demo/podname/app-1');
  });

  it('checks Kubernetes name rules', () => {
    expect(isDnsLabel('a'.repeat(63))).toBe(true);
    expect(isDnsLabel('a'.repeat(64))).toBe(false);
    expect(isDnsLabel('a.b')).toBe(false);
    expect(isDnsSubdomain('a.b-c')).toBe(true);
    expect(isDnsSubdomain(`${'a'.repeat(63)}.${'b'.repeat(63)}`)).toBe(true);
    expect(isDnsSubdomain('a'.repeat(64))).toBe(false);
    expect(isDnsSubdomain('a..b')).toBe(false);
  });
});

describe('spiffeTrustDomainOf', () => {
  it('reads a well-formed trust domain only', () => {
    expect(spiffeTrustDomainOf('spiffe://us.example/namespace/a/podname/b')).toBe('us.example');
    for (const uri of ['spiffe:///namespace/a', 'spiffe://US/x', 'spiffe://a b/x', 'https://a/x', 'spiffe://a']) expect(spiffeTrustDomainOf(uri)).toBeUndefined();
  });
});

describe('pod uid URI', () => {
  const uid = '3f1c2a4e-9b7d-4c1e-8a2b-0123456789ab';
  it('round-trips', () => {
    const uri = formatPodUidUri(uid);
    expect(uri).toBe(`urn:podid:pod-uid:${uid}`);
    expect(parsePodUidUri(uri)).toEqual({ ok: true, value: uid });
  });
  it('refuses what is not a uid', () => {
    expect(() => formatPodUidUri('x')).toThrow(InvalidArgumentError);
    expect(parsePodUidUri(`urn:podid:pod-uid:${uid.toUpperCase()}`).ok).toBe(false);
    expect(parsePodUidUri(`urn:other:${uid}`).ok).toBe(false);
  });
});
