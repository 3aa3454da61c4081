import { InvalidArgumentError } from '@podid/errors';
import { AuthenticatorType as ProtoType, PolicyService, type Authenticator as ProtoAuthenticator, type Restrictions as ProtoRestrictions } from '@podid/contracts';
import { requireString, service, type Handlers } from '@podid/grpc';
import { authorizeHost, listAuthenticators, PRIVILEGES, resolveHost, type Authenticator, type AuthenticatorType, type Policy, type Restrictions } from '@podid/policy-model';

/** Service ids are at most 128 characters in policy; host ids at most 1024. */
const MAX_SERVICE_ID = 128;
const MAX_HOST_ID = 1024;

/** The authn.v1.Policy registration: who may call which method, and the handlers. */
export function policyService(deps: { current: () => Policy }) {
  return service({
    name: 'authn.v1.Policy',
    definition: PolicyService,
    allow: { resolve: ['gateway'], listAuthenticators: ['gateway', 'ca-signer'], authorize: ['gateway'] },
    handlers: policyHandlers(deps),
  });
}

/** authn.v1.Policy: validates each request, asks the policy in force, and maps the answer to proto. */
export function policyHandlers(deps: { current: () => Policy }): Handlers<typeof PolicyService> {
  return {
    async resolve(req) {
      const serviceId = requireString(req.serviceId, 'service_id', MAX_SERVICE_ID);
      const type = authenticatorTypeFromProto(req.type);
      if (!type) throw new InvalidArgumentError('BAD_REQUEST', `type: exp=AUTHENTICATOR_TYPE_AUTHN_K8S or AUTHENTICATOR_TYPE_AUTHN_JWT got=${req.type}`);
      const hostId = requireString(req.hostId, 'host_id', MAX_HOST_ID);
      const r = resolveHost(deps.current(), serviceId, type, hostId);
      return { hostId: r.hostId, authenticator: authenticatorToProto(r.authenticator), restrictions: restrictionsToProto(r.restrictions), containerName: r.containerName };
    },

    async listAuthenticators() {
      const l = listAuthenticators(deps.current());
      return { installed: [...l.installed], configured: [...l.configured], enabled: [...l.enabled], authenticators: l.authenticators.map(authenticatorToProto) };
    },

    async authorize(req) {
      const hostId = requireString(req.hostId, 'host_id', MAX_HOST_ID);
      const privilege = PRIVILEGES.find((p) => p === req.privilege);
      if (!privilege) throw new InvalidArgumentError('BAD_REQUEST', `privilege: exp=one of ${PRIVILEGES.join(', ')} got=${JSON.stringify(String(req.privilege).slice(0, 64))}`);
      if (req.serviceId.length > MAX_SERVICE_ID) throw new InvalidArgumentError('BAD_REQUEST', `service_id is longer than ${MAX_SERVICE_ID} characters`);
      authorizeHost(deps.current(), hostId, privilege, req.serviceId || undefined);
      return {};
    },
  };
}

const TO_PROTO: Record<AuthenticatorType, ProtoType> = {
  'authn-k8s': ProtoType.AUTHENTICATOR_TYPE_AUTHN_K8S,
  'authn-jwt': ProtoType.AUTHENTICATOR_TYPE_AUTHN_JWT,
};

/** The domain type of a request's enum, or undefined for UNSPECIFIED and unknown values. */
function authenticatorTypeFromProto(t: ProtoType): AuthenticatorType | undefined {
  return (Object.keys(TO_PROTO) as AuthenticatorType[]).find((k) => TO_PROTO[k] === t);
}

const seconds = (ms: number) => Math.round(ms / 1000);

function authenticatorToProto(a: Authenticator): ProtoAuthenticator {
  return {
    type: TO_PROTO[a.type],
    id: a.id,
    enabled: a.enabled,
    certTtlSeconds: seconds(a.certTtlMs),
    tokenTtlSeconds: seconds(a.tokenTtlMs),
    cluster: a.cluster,
    trustDomain: a.trustDomain,
    jwt: a.jwt
      ? {
          audience: a.jwt.audience,
          namespaces: [...a.jwt.namespaces],
          serviceAccounts: [...a.jwt.serviceAccounts],
          podNames: [...a.jwt.podNames],
          maxTokenAgeSeconds: seconds(a.jwt.maxTokenAgeMs),
          identityClaim: a.jwt.identityClaim,
          hostPrefix: a.jwt.hostPrefix,
        }
      : undefined,
  };
}

/** Absent restrictions become empty strings, which the proto contract says are not checked. */
function restrictionsToProto(r: Restrictions): ProtoRestrictions {
  return {
    namespace: r.namespace ?? '',
    namespaceLabelSelector: r.namespaceLabelSelector ?? '',
    serviceAccount: r.serviceAccount ?? '',
    pod: r.pod ?? '',
    deployment: r.deployment ?? '',
    statefulSet: r.statefulSet ?? '',
    daemonSet: r.daemonSet ?? '',
    job: r.job ?? '',
    cronJob: r.cronJob ?? '',
    podLabelSelector: r.podLabelSelector ?? '',
  };
}
