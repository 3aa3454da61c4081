import { InvalidArgumentError } from '@podid/errors';
import { commonNameFromCsrCn, decodeLogin, defaultHostIdPrefix, hostIdFromCommonName, hostIdFromCsrCn, hostIdFromLogin, loginToCn } from './host-id';

describe('host id helpers (Conjur rules)', () => {
  it('uses the default prefix when the header is missing or empty', () => {
    expect(defaultHostIdPrefix('dev')).toBe('host.conjur.authn-k8s.dev.apps');
    expect(hostIdFromCsrCn(undefined, 'demo', 'dev')).toBe('conjur/authn-k8s/dev/apps/demo');
    expect(hostIdFromCsrCn('', 'demo', 'dev')).toBe('conjur/authn-k8s/dev/apps/demo');
  });

  it('joins the header prefix and the CN, then turns every dot into a slash', () => {
    // The Conjur client splits host/conjur/authn-k8s/prod/apps/myapp into these two halves.
    expect(commonNameFromCsrCn('host.conjur.authn-k8s', 'prod.apps.myapp', 'x')).toBe('host.conjur.authn-k8s.prod.apps.myapp');
    expect(hostIdFromCsrCn('host.conjur.authn-k8s', 'prod.apps.myapp', 'x')).toBe('conjur/authn-k8s/prod/apps/myapp');
    expect(hostIdFromCsrCn('host', 'myapp', 'x')).toBe('myapp');
    expect(hostIdFromCommonName('app.v1.demo')).toBe('app/v1/demo');
  });

  it('refuses an empty CN', () => {
    expect(() => hostIdFromCsrCn(undefined, '', 'dev')).toThrow(InvalidArgumentError);
  });

  it('maps a login to the CN a certificate must carry', () => {
    expect(loginToCn('host/conjur/authn-k8s/dev/apps/demo')).toBe('host.conjur.authn-k8s.dev.apps.demo');
    expect(hostIdFromLogin('host/a/b')).toBe('a/b');
    expect(hostIdFromLogin('user/a')).toBeUndefined();
  });

  it('decodes logins the way Go url.QueryEscape encodes them', () => {
    expect(decodeLogin('host%2Fconjur%2Fauthn-k8s%2Fdev%2Fapps%2Fdemo')).toBe('host/conjur/authn-k8s/dev/apps/demo');
    expect(decodeLogin('host%2Fmy+app')).toBe('host/my app');
    expect(decodeLogin('host%2Fa%2Bb')).toBe('host/a+b');
    expect(() => decodeLogin('host%2')).toThrow(InvalidArgumentError);
    expect(() => decodeLogin('host%0Aevil')).toThrow(InvalidArgumentError);
  });
});
