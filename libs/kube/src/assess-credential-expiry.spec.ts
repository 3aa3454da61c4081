import { assessCredentialExpiry } from './assess-credential-expiry';
import { describePermission, requiredPermissions } from './required-permissions';

describe('assessCredentialExpiry', () => {
  const now = new Date('2026-01-01T00:00:00Z');
  const inDays = (d: number) => new Date(now.getTime() + d * 86_400_000);

  it('is ok beyond the threshold, expiring inside it, expired at notAfter', () => {
    expect(assessCredentialExpiry(inDays(31), now, 30)).toEqual({ state: 'ok', secondsLeft: 31 * 86_400, daysLeft: 31 });
    expect(assessCredentialExpiry(inDays(30), now, 30).state).toBe('ok');
    expect(assessCredentialExpiry(inDays(29.5), now, 30)).toMatchObject({ state: 'expiring', daysLeft: 29 });
    expect(assessCredentialExpiry(new Date(now.getTime() + 1000), now, 30)).toEqual({ state: 'expiring', secondsLeft: 1, daysLeft: 0 });
    expect(assessCredentialExpiry(now, now, 30)).toMatchObject({ state: 'expired', secondsLeft: 0 });
    expect(assessCredentialExpiry(inDays(-2), now, 30)).toMatchObject({ state: 'expired', daysLeft: -2 });
  });

  it('warns only on expiry when the threshold is 0', () => {
    expect(assessCredentialExpiry(new Date(now.getTime() + 1000), now, 0).state).toBe('ok');
    expect(assessCredentialExpiry(inDays(-1), now, 0).state).toBe('expired');
  });
});

describe('requiredPermissions', () => {
  it("expands pod-verifier's rules into one check per verb and resource", () => {
    const perms = requiredPermissions();
    expect(perms).toHaveLength(9 * 3 + 1);
    expect(perms).toContainEqual({ verb: 'watch', group: 'apps', resource: 'deployments' });
    expect(perms).toContainEqual({ verb: 'list', group: '', resource: 'namespaces' });
    expect(perms).toContainEqual({ verb: 'create', group: 'authentication.k8s.io', resource: 'tokenreviews' });
  });

  it('splits subresources and names permissions as operators read them', () => {
    const [exec] = requiredPermissions([{ apiGroups: [''], resources: ['pods/exec'], verbs: ['create'] }]);
    expect(exec).toEqual({ verb: 'create', group: '', resource: 'pods', subresource: 'exec' });
    expect(describePermission(exec!)).toBe('create pods/exec');
    expect(describePermission({ verb: 'watch', group: 'batch', resource: 'jobs' })).toBe('watch batch/jobs');
  });
});
