import { InvalidArgumentError } from '@podid/errors';
import { splitUsername } from './username';

describe('splitUsername', () => {
  it.each([
    ['host/conjur/authn-k8s/prod/apps/myapp', 'host.conjur.authn-k8s', 'prod.apps.myapp'],
    ['host/myapp', 'host', 'myapp'],
    ['host/a/b', 'host.a', 'b'],
    ['host/a/b/c', 'host', 'a.b.c'],
  ])('%s -> %s / %s (as conjur-authn-k8s-client)', (login, prefix, suffix) => {
    expect(splitUsername(login)).toEqual({ prefix, suffix });
  });

  it('refuses a login that does not start with host/ (CAKC032)', () => {
    expect(() => splitUsername('user/alice')).toThrow(InvalidArgumentError);
    expect(() => splitUsername('host//a')).toThrow(/empty path segment/);
  });
});
