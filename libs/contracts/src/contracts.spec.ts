import { CaSignerService, PodVerifierService, PolicyService, ResolveRequest, RevokeRequest, TokenIssuerService, CertInjectorService, AuthenticatorType } from './index';

describe('generated contracts', () => {
  it('round-trips a message through the wire format', () => {
    const req = { serviceId: 'dev-cluster', type: AuthenticatorType.AUTHENTICATOR_TYPE_AUTHN_K8S, hostId: 'apps/demo' };
    expect(ResolveRequest.decode(ResolveRequest.encode(req).finish())).toEqual(req);
  });

  it('keeps oneof targets as tagged unions', () => {
    const req = { target: { $case: 'podUid' as const, value: '6a1b4a0e-0d5c-4c43-9a51-2f0e6f9b0a03' }, expiresAt: 0 };
    expect(RevokeRequest.decode(RevokeRequest.encode(req).finish()).target).toEqual(req.target);
  });

  it('serves every RPC the design names, under package authn.v1', () => {
    const paths = [PolicyService, PodVerifierService, CaSignerService, CertInjectorService, TokenIssuerService].flatMap((s) => Object.values(s).map((m) => m.path));
    expect(paths).toEqual(
      expect.arrayContaining([
        '/authn.v1.Policy/Resolve',
        '/authn.v1.Policy/ListAuthenticators',
        '/authn.v1.PodVerifier/VerifyPod',
        '/authn.v1.PodVerifier/ReviewToken',
        '/authn.v1.CaSigner/Sign',
        '/authn.v1.CaSigner/GetBundle',
        '/authn.v1.CertInjector/Inject',
        '/authn.v1.TokenIssuer/Issue',
        '/authn.v1.TokenIssuer/Introspect',
        '/authn.v1.TokenIssuer/Revoke',
        '/authn.v1.TokenIssuer/GetJwks',
      ]),
    );
  });

  it('rejects a truncated message with an error rather than garbage', () => {
    const bytes = ResolveRequest.encode({ serviceId: 'x'.repeat(40), type: 1, hostId: 'h' }).finish();
    expect(() => ResolveRequest.decode(bytes.subarray(0, 10))).toThrow();
  });
});
