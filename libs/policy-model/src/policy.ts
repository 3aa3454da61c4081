/** Login methods podid implements. */
export const AUTHENTICATOR_TYPES = ['authn-k8s', 'authn-jwt'] as const;
export type AuthenticatorType = (typeof AUTHENTICATOR_TYPES)[number];

/** Privileges a host can be granted: the gateway's admin endpoints and the platform gRPC API (docs/policy.md, Grants). */
export const PRIVILEGES = ['status', 'introspect', 'revoke', 'explain', 'audit', 'read'] as const;
export type Privilege = (typeof PRIVILEGES)[number];

/** Token claims an authn-jwt authenticator can name a host by. */
export const IDENTITY_CLAIMS = ['service_account', 'pod_name', 'namespace', 'sub'] as const;
export type IdentityClaim = (typeof IDENTITY_CLAIMS)[number];

/** Where something was declared: used to name both places in duplicate errors. */
export interface SourceRef {
  readonly file: string;
  readonly line: number;
}

/** Which service-account tokens an authn-jwt authenticator accepts. Lists hold names or globs (`*`, `?`); empty means any. */
export interface JwtBindings {
  readonly audience: string;
  readonly namespaces: readonly string[];
  readonly serviceAccounts: readonly string[];
  readonly podNames: readonly string[];
  /** 0 means no limit. */
  readonly maxTokenAgeMs: number;
  readonly identityClaim: IdentityClaim;
  /** Host id prefix (no `host/`) joined with the identity claim's value when a login names no host. */
  readonly hostPrefix: string;
}

export interface Authenticator {
  readonly type: AuthenticatorType;
  /** Service id, e.g. `dev-cluster`; unique across types because hosts name it alone. */
  readonly id: string;
  readonly enabled: boolean;
  readonly certTtlMs: number;
  readonly tokenTtlMs: number;
  readonly jwt?: JwtBindings;
  /** The Kubernetes cluster it serves (clusters.ts): as named in policy, or the only one declared. */
  readonly cluster: string;
  /** That cluster's SPIFFE trust domain. */
  readonly trustDomain: string;
  readonly source: SourceRef;
}

/** Kubernetes facts a pod must match. An absent field is not checked. */
export interface Restrictions {
  readonly namespace?: string;
  readonly namespaceLabelSelector?: string;
  readonly serviceAccount?: string;
  readonly pod?: string;
  readonly deployment?: string;
  readonly statefulSet?: string;
  readonly daemonSet?: string;
  readonly job?: string;
  readonly cronJob?: string;
  readonly podLabelSelector?: string;
}

/** What a host gets on one authenticator, computed once when the policy loads. */
export interface HostBinding {
  readonly restrictions: Restrictions;
  readonly containerName: string;
  /** Where the restrictions came from: annotations, the legacy `<ns>/<type>/<name>` host id, or none (authn-jwt only). */
  readonly restrictionsFrom: 'annotations' | 'host-id' | 'none';
}

export interface Host {
  /** Host id without `host/`, slash-separated. */
  readonly id: string;
  /** Service id -> binding, for every authenticator the host may use. */
  readonly bindings: ReadonlyMap<string, HostBinding>;
  readonly grants: readonly Privilege[];
  readonly source: SourceRef;
}

/** A fully validated policy: only ever built by parsePolicy. */
export interface Policy {
  readonly account: string;
  readonly authenticators: ReadonlyMap<string, Authenticator>;
  readonly hosts: ReadonlyMap<string, Host>;
  readonly files: readonly string[];
}

/** The answer to a permitted login. */
export interface Resolution {
  readonly hostId: string;
  readonly authenticator: Authenticator;
  readonly restrictions: Restrictions;
  readonly containerName: string;
}
