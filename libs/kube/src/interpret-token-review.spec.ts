import { interpretTokenReview, POD_NAME_EXTRA, POD_UID_EXTRA } from './interpret-token-review';
import { decodeSaTokenClaims, MAX_SA_TOKEN_BYTES } from './jwt-claims';
import { toKubeError } from './kube-error';

const jwt = (payload: object) => `${Buffer.from('{"alg":"ES256"}').toString('base64url')}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.c2ln`;
const codeOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    return (e as { code: string }).code;
  }
  return 'accepted';
};

describe('decodeSaTokenClaims', () => {
  it('reads the Kubernetes claims', () => {
    const c = decodeSaTokenClaims(jwt({ iss: 'i', sub: 's', aud: ['a', 'b'], exp: 20, iat: 10, 'kubernetes.io': { namespace: 'ns', pod: { name: 'p', uid: 'u' } } }));
    expect(c).toMatchObject({ iss: 'i', aud: ['a', 'b'], exp: 20, iat: 10, kubernetes: { namespace: 'ns', pod: { name: 'p', uid: 'u' } } });
    expect(decodeSaTokenClaims(jwt({ aud: 'single' })).aud).toEqual(['single']);
  });

  it.each([
    ['empty', ''],
    ['two parts', 'a.b'],
    ['bad characters', 'a.b c.d'],
    ['non-JSON payload', `a.${Buffer.from('nope').toString('base64url')}.c`],
    ['array payload', `a.${Buffer.from('[1]').toString('base64url')}.c`],
    ['oversized', `a.${'b'.repeat(MAX_SA_TOKEN_BYTES)}.c`],
  ])('refuses %s as SA_TOKEN_MALFORMED', (_name, token) => {
    expect(codeOf(() => decodeSaTokenClaims(token))).toBe('SA_TOKEN_MALFORMED');
  });
});

describe('interpretTokenReview', () => {
  const user = { username: 'system:serviceaccount:demo:sa', extra: { [POD_NAME_EXTRA]: ['app-1'], [POD_UID_EXTRA]: ['uid-1'] } };
  const claims = decodeSaTokenClaims(jwt({ aud: ['podid'], exp: 2000 }));

  it('accepts an authenticated, pod-bound token for our audience', () => {
    expect(interpretTokenReview({ authenticated: true, audiences: ['podid'], user }, claims, 'podid', 1000)).toEqual({
      namespace: 'demo', serviceAccount: 'sa', podName: 'app-1', podUid: 'uid-1', audiences: ['podid'],
    });
  });

  it('names why a token was not authenticated', () => {
    expect(codeOf(() => interpretTokenReview({ authenticated: false, error: 'expired' }, claims, 'podid', 2000))).toBe('SA_TOKEN_EXPIRED');
    expect(codeOf(() => interpretTokenReview({ authenticated: false }, claims, 'other', 1000))).toBe('SA_TOKEN_AUDIENCE');
    expect(codeOf(() => interpretTokenReview({ authenticated: false, error: 'invalid signature' }, claims, 'podid', 1000))).toBe('SA_TOKEN_INVALID');
    expect(codeOf(() => interpretTokenReview(undefined, claims, 'podid', 1000))).toBe('SA_TOKEN_INVALID');
  });

  it('refuses an authenticated token whose reviewed audiences lack ours', () => {
    expect(codeOf(() => interpretTokenReview({ authenticated: true, audiences: ['api'], user }, claims, 'podid', 1000))).toBe('SA_TOKEN_AUDIENCE');
  });

  it('refuses users that are not pod-bound service accounts', () => {
    const review = (u: object) => () => interpretTokenReview({ authenticated: true, audiences: ['podid'], user: u }, claims, 'podid', 1000);
    expect(codeOf(review({ username: 'alice' }))).toBe('SA_TOKEN_NOT_POD_BOUND');
    expect(codeOf(review({ username: 'system:serviceaccount:demo:sa' }))).toBe('SA_TOKEN_NOT_POD_BOUND');
    expect(codeOf(review({ ...user, extra: { [POD_NAME_EXTRA]: ['app-1'] } }))).toBe('SA_TOKEN_NOT_POD_BOUND');
  });
});

describe('toKubeError', () => {
  it('names the verb and resource on 403', () => {
    const e = toKubeError({ code: 403, message: 'HTTP-Code: 403 Headers: secret' }, 'get', 'replicasets', 'demo');
    expect(e).toMatchObject({ kind: 'unavailable', code: 'K8S_FORBIDDEN' });
    expect(e.message).toContain('"get replicasets" in namespace "demo"');
    expect(e.message).not.toContain('secret');
  });

  it('reports network failures as K8S_UNAVAILABLE with the cause', () => {
    expect(toKubeError(Object.assign(new Error('x'), { code: 'ECONNREFUSED' }), 'list', 'pods')).toMatchObject({ code: 'K8S_UNAVAILABLE', message: expect.stringContaining('ECONNREFUSED') });
    expect(toKubeError({ statusCode: 500 }, 'watch', 'pods').message).toContain('HTTP 500');
  });
});
