import { AuthenticatorType } from '@podid/contracts';
import { DependencyUnavailableError } from '@podid/errors';
import { createLogger, LogCapture } from '@podid/logging';
import { PolicyAuthenticators } from './policy-authenticators';

const K8S = AuthenticatorType.AUTHENTICATOR_TYPE_AUTHN_K8S;
const JWT = AuthenticatorType.AUTHENTICATOR_TYPE_AUTHN_JWT;
const entry = (type: AuthenticatorType, id: string) => ({ type, id, enabled: true, certTtlSeconds: 1, tokenTtlSeconds: 1, cluster: `${id}-c`, trustDomain: 'td.example', jwt: undefined });

function setup() {
  let t = 0;
  let calls = 0;
  let down = false;
  const capture = new LogCapture();
  const listed = [entry(K8S, 'dev'), entry(JWT, 'jwt-dev')];
  const authenticators = new PolicyAuthenticators({
    listAuthenticators: async () => {
      calls++;
      if (down) throw new DependencyUnavailableError('POLICY_UNAVAILABLE', 'policy down');
      return { authenticators: [...listed] };
    },
    log: createLogger({ service: 'ca-signer', destination: capture }),
    now: () => t,
    ttlMs: 5000,
    missRefreshMs: 1000,
  });
  return { authenticators, capture, listed, calls: () => calls, at: (ms: number) => (t = ms), setDown: (d: boolean) => (down = d) };
}

describe('PolicyAuthenticators', () => {
  it('admits only authn-k8s authenticators in policy and refetches on a miss at most once a second', async () => {
    const s = setup();
    await expect(s.authenticators.require('dev')).resolves.toEqual({ cluster: 'dev-c', trustDomain: 'td.example' });
    await expect(s.authenticators.require('jwt-dev')).rejects.toMatchObject({ kind: 'not_found', code: 'AUTHENTICATOR_NOT_FOUND' });
    for (let i = 0; i < 20; i++) await expect(s.authenticators.require(`random-${i}`)).rejects.toMatchObject({ code: 'AUTHENTICATOR_NOT_FOUND' });
    expect(s.calls()).toBe(1);
    expect(s.capture.withEvent('CA_AUTHENTICATOR_UNKNOWN')).toHaveLength(21);
    s.listed.push(entry(K8S, 'new'));
    s.at(1000);
    await s.authenticators.require('new');
    expect(s.calls()).toBe(2);
  });

  it('fails closed with no list, and keeps the last list while Policy is down', async () => {
    const s = setup();
    s.setDown(true);
    await expect(s.authenticators.require('dev')).rejects.toMatchObject({ kind: 'unavailable' });
    s.setDown(false);
    await s.authenticators.require('dev');
    s.setDown(true);
    s.at(10_000);
    await s.authenticators.require('dev');
    await expect(s.authenticators.require('other')).rejects.toMatchObject({ code: 'AUTHENTICATOR_NOT_FOUND' });
  });
});
