/** Workload facts carried in every token (docs/api.md). */
export interface K8sClaims {
  readonly namespace: string;
  readonly pod: string;
  readonly pod_uid: string;
  readonly service_account: string;
  /** `type/id`, for example `authn-k8s/dev-cluster`. */
  readonly authenticator: string;
  /** The pod's cluster (clusters file name, `default` without one); empty in a token issued before clusters. */
  readonly cluster: string;
}

/** The claims of a podid access token. Times are unix seconds. */
export interface TokenClaims {
  readonly iss: string;
  /** `host/<id>`. */
  readonly sub: string;
  readonly aud: string;
  readonly iat: number;
  readonly nbf: number;
  readonly exp: number;
  /** 128 random bits, base64url. */
  readonly jti: string;
  readonly k8s: K8sClaims;
}

/** The JWS protected header podid writes and accepts. */
export interface TokenHeader {
  readonly alg: 'ES256';
  readonly typ: 'JWT';
  /** RFC 7638 thumbprint of the signing key. */
  readonly kid: string;
}

const K8S_FIELDS = ['namespace', 'pod', 'pod_uid', 'service_account', 'authenticator'] as const;

/** Narrows a parsed payload to TokenClaims; returns the name of the first bad claim, or the claims. */
export function asTokenClaims(value: unknown): TokenClaims | string {
  const v = value as Record<string, unknown>;
  if (!v || typeof v !== 'object' || Array.isArray(v)) return 'payload';
  for (const name of ['iss', 'sub', 'aud', 'jti'] as const) if (typeof v[name] !== 'string' || v[name] === '') return name;
  for (const name of ['iat', 'nbf', 'exp'] as const) if (!Number.isSafeInteger(v[name])) return name;
  if (!(v['sub'] as string).startsWith('host/')) return 'sub';
  const k8s = v['k8s'] as Record<string, unknown>;
  if (!k8s || typeof k8s !== 'object') return 'k8s';
  for (const name of K8S_FIELDS) if (typeof k8s[name] !== 'string') return `k8s.${name}`;
  // Tokens signed before clusters existed stay valid until they expire; they name no cluster.
  if (k8s['cluster'] === undefined) return { ...(v as unknown as TokenClaims), k8s: { ...(k8s as unknown as K8sClaims), cluster: '' } };
  if (typeof k8s['cluster'] !== 'string') return 'k8s.cluster';
  return v as unknown as TokenClaims;
}
