import { AuthenticatorType as ProtoType, type Authenticator as ProtoAuthenticator, type Restrictions as ProtoRestrictions } from '@podid/contracts';
import type { Authenticator, AuthenticatorType, Restrictions } from '@podid/policy-model';

const TO_PROTO: Record<AuthenticatorType, ProtoType> = {
  'authn-k8s': ProtoType.AUTHENTICATOR_TYPE_AUTHN_K8S,
  'authn-jwt': ProtoType.AUTHENTICATOR_TYPE_AUTHN_JWT,
};

/** The domain type of a request's enum, or undefined for UNSPECIFIED and unknown values. */
export function authenticatorTypeFromProto(t: ProtoType): AuthenticatorType | undefined {
  return (Object.keys(TO_PROTO) as AuthenticatorType[]).find((k) => TO_PROTO[k] === t);
}

const seconds = (ms: number) => Math.round(ms / 1000);

export function authenticatorToProto(a: Authenticator): ProtoAuthenticator {
  return {
    type: TO_PROTO[a.type],
    id: a.id,
    enabled: a.enabled,
    certTtlSeconds: seconds(a.certTtlMs),
    tokenTtlSeconds: seconds(a.tokenTtlMs),
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
export function restrictionsToProto(r: Restrictions): ProtoRestrictions {
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
