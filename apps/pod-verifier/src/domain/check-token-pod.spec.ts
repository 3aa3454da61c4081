import type { PodFacts, ReviewedToken } from '@podid/kube';
import { checkTokenPod } from './check-token-pod';

const token: ReviewedToken = { namespace: 'demo', serviceAccount: 'sa', podName: 'app-1', podUid: 'uid-1', audiences: ['podid'] };
const pod = (over: Partial<PodFacts> = {}): PodFacts => ({
  namespace: 'demo', name: 'app-1', uid: 'uid-1', serviceAccountName: 'sa', labels: {}, ownerRefs: [], containers: ['c'], initContainers: [], podIP: '', ...over,
});
const code = (fn: () => void) => {
  try {
    fn();
  } catch (e) {
    return (e as { code: string }).code;
  }
  return 'accepted';
};

describe('checkTokenPod', () => {
  const t = { iat: 1000, nowSec: 1100, maxAgeSeconds: 0 };
  it('accepts a live pod with the same uid', () => expect(code(() => checkTokenPod(token, pod(), t))).toBe('accepted'));
  it('refuses a deleted pod', () => expect(code(() => checkTokenPod(token, undefined, t))).toBe('SA_TOKEN_POD_GONE'));
  it('refuses a recreated pod (other uid)', () => expect(code(() => checkTokenPod(token, pod({ uid: 'uid-2' }), t))).toBe('SA_TOKEN_POD_GONE'));
  it('refuses a pod being deleted', () => expect(code(() => checkTokenPod(token, pod({ deletionTimestamp: 'x' }), t))).toBe('SA_TOKEN_POD_GONE'));
  it('enforces the maximum age from iat', () => {
    expect(code(() => checkTokenPod(token, pod(), { ...t, maxAgeSeconds: 100 }))).toBe('accepted');
    expect(code(() => checkTokenPod(token, pod(), { ...t, maxAgeSeconds: 99 }))).toBe('SA_TOKEN_TOO_OLD');
    expect(code(() => checkTokenPod(token, pod(), { nowSec: 1100, maxAgeSeconds: 99 }))).toBe('SA_TOKEN_TOO_OLD');
  });
});
