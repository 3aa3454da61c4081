import type { JwtBindings, ReviewTokenResponse } from '@podid/contracts';
import { UnauthenticatedError } from '@podid/errors';
import { checkJwtHostBound, jwtHostId } from './jwt-bindings';

const bindings: JwtBindings = { audience: 'podid', namespaces: ['demo'], serviceAccounts: [], podNames: [], maxTokenAgeSeconds: 0, identityClaim: 'service_account', hostPrefix: 'authn-jwt/dev-jwt' };
const evil: ReviewTokenResponse = { namespace: 'demo', serviceAccount: 'evil-sa', podName: 'evil-pod', podUid: 'u1', expiresAt: 0 };

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    if (e instanceof UnauthenticatedError) return e.code;
    throw e;
  }
  return undefined;
}

describe('the authn-jwt host binding decision', () => {
  it("refuses a token that names another service account's unrestricted host in the URL", () => {
    const hostId = jwtHostId(encodeURIComponent('host/authn-jwt/dev-jwt/demo-sa'), bindings, evil);
    expect(codeOf(() => checkJwtHostBound(hostId, false, bindings, evil))).toBe('AUTHN_JWT_HOST_UNBOUND');
  });

  it('refuses an unrestricted host outside the prefix, even one ending in the token’s own claim', () => {
    for (const hostId of ['evil-sa', 'other/evil-sa', 'authn-jwt/dev-jwt/evil-sa/x', 'authn-jwt/dev-jwt']) {
      expect(codeOf(() => checkJwtHostBound(hostId, false, bindings, evil))).toBe('AUTHN_JWT_HOST_UNBOUND');
    }
  });

  it('binds the implicit host, named in the URL or not, to its own token', () => {
    expect(codeOf(() => checkJwtHostBound(jwtHostId(undefined, bindings, evil), false, bindings, evil))).toBeUndefined();
    expect(codeOf(() => checkJwtHostBound(jwtHostId(encodeURIComponent('host/authn-jwt/dev-jwt/evil-sa'), bindings, evil), false, bindings, evil))).toBeUndefined();
  });

  it('follows the identity claim the authenticator names', () => {
    const byPod = { ...bindings, identityClaim: 'pod_name', hostPrefix: 'pods' };
    expect(codeOf(() => checkJwtHostBound('pods/evil-pod', false, byPod, evil))).toBeUndefined();
    expect(codeOf(() => checkJwtHostBound('pods/evil-sa', false, byPod, evil))).toBe('AUTHN_JWT_HOST_UNBOUND');
  });

  it('leaves a host with declared restrictions to the pod check', () => {
    expect(codeOf(() => checkJwtHostBound('jwt/named-app', true, bindings, evil))).toBeUndefined();
  });
});
