import { AuthenticatorType } from '@podid/contracts';
import { InvalidArgumentError, NotFoundError, PermissionDeniedError } from '@podid/errors';
import type { CallContext } from '@podid/grpc';
import { createLogger, LogCapture } from '@podid/logging';
import { parsePolicy } from '@podid/policy-model';
import { policyHandlers } from './service';

const policy = parsePolicy([
  {
    name: 'policy.yaml',
    text: `account: default
authenticators:
  - {type: authn-k8s, id: prod, certTtl: 1h}
  - {type: authn-jwt, id: jwt, jwt: {audience: podid, namespaces: [demo], maxTokenAge: 10m}}
hosts:
  - id: apps/web
    authenticators: [prod]
    grants: [status]
    annotations: {authn-k8s/namespace: demo, authn-k8s/daemon-set: agent}
`,
  },
]);
const h = policyHandlers({ current: () => policy });
const ctx = { caller: 'gateway', requestId: 'r1', signal: new AbortController().signal, log: createLogger({ service: 't', destination: new LogCapture() }) } satisfies CallContext;

describe('policy handlers', () => {
  it('maps a resolution to proto, with empty strings for unchecked restrictions and TTLs in seconds', async () => {
    const res = await h.resolve({ serviceId: 'prod', type: AuthenticatorType.AUTHENTICATOR_TYPE_AUTHN_K8S, hostId: 'apps/web' }, ctx);
    expect(res).toEqual({
      hostId: 'apps/web',
      authenticator: { type: AuthenticatorType.AUTHENTICATOR_TYPE_AUTHN_K8S, id: 'prod', enabled: true, certTtlSeconds: 3600, tokenTtlSeconds: 480, cluster: 'default', trustDomain: 'cluster.local', jwt: undefined },
      restrictions: { namespace: 'demo', namespaceLabelSelector: '', serviceAccount: '', pod: '', deployment: '', statefulSet: '', daemonSet: 'agent', job: '', cronJob: '', podLabelSelector: '' },
      containerName: 'authenticator',
    });
  });

  it.each([
    [{ serviceId: '', type: AuthenticatorType.AUTHENTICATOR_TYPE_AUTHN_K8S, hostId: 'a' }, 'service_id is required'],
    [{ serviceId: 'prod', type: AuthenticatorType.AUTHENTICATOR_TYPE_UNSPECIFIED, hostId: 'a' }, 'type: exp='],
    [{ serviceId: 'prod', type: AuthenticatorType.UNRECOGNIZED, hostId: 'a' }, 'type: exp='],
    [{ serviceId: 'prod', type: AuthenticatorType.AUTHENTICATOR_TYPE_AUTHN_K8S, hostId: 'x'.repeat(1025) }, 'host_id is longer than 1024'],
  ])('refuses a malformed resolve request (%#)', async (req, message) => {
    const p = h.resolve(req, ctx);
    await expect(p).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(p).rejects.toThrow(message);
  });

  it('passes typed domain refusals through', async () => {
    await expect(h.resolve({ serviceId: 'prod', type: AuthenticatorType.AUTHENTICATOR_TYPE_AUTHN_K8S, hostId: 'apps/db' }, ctx)).rejects.toBeInstanceOf(NotFoundError);
    await expect(h.authorize({ hostId: 'apps/web', privilege: 'revoke', serviceId: '' }, ctx)).rejects.toBeInstanceOf(PermissionDeniedError);
  });

  it('lists authenticators with jwt bindings', async () => {
    const res = await h.listAuthenticators({}, ctx);
    expect(res.installed).toEqual(['authn-k8s', 'authn-jwt']);
    expect(res.configured).toEqual(['authn-jwt/jwt', 'authn-k8s/prod']);
    expect(res.enabled).toEqual(res.configured);
    expect(res.authenticators[0]?.jwt).toEqual({ audience: 'podid', namespaces: ['demo'], serviceAccounts: [], podNames: [], maxTokenAgeSeconds: 600, identityClaim: 'service_account', hostPrefix: 'authn-jwt/jwt' });
  });

  it('authorizes granted privileges and refuses unknown privilege names as malformed', async () => {
    await expect(h.authorize({ hostId: 'apps/web', privilege: 'status', serviceId: 'prod' }, ctx)).resolves.toEqual({});
    await expect(h.authorize({ hostId: 'apps/web', privilege: 'admin', serviceId: '' }, ctx)).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(h.authorize({ hostId: '', privilege: 'status', serviceId: '' }, ctx)).rejects.toBeInstanceOf(InvalidArgumentError);
  });
});
