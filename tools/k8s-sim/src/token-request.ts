import { resourceByName } from './resources';
import { nowTimestamp, type ObjectStore } from './store';
import { StatusError, badRequest, invalid, notFound } from './status';
import { API_AUDIENCES, type SaClaims, type TokenSigner } from './tokens';
import type { K8sObject } from './types';

const PODS = resourceByName('pods');
const NODES = resourceByName('nodes');
const SERVICE_ACCOUNTS = resourceByName('serviceaccounts');
const DEFAULT_TTL_S = 3600;
/** TokenRequest limits of the real API (10 minutes .. 2^32 s). */
const MIN_TTL_S = 600;
const MAX_TTL_S = 2 ** 32;

export interface TokenSpec {
  namespace: string;
  serviceAccount: string;
  audiences: string[];
  expirationSeconds: number;
  pod?: { name: string; uid?: string };
}

/** Issues bound service-account tokens, as the serviceaccounts/{name}/token subresource does. */
export class ServiceAccountTokens {
  constructor(
    private readonly store: ObjectStore,
    private readonly signer: TokenSigner,
  ) {}

  issue(s: TokenSpec): { token: string; expiresAt: Date } {
    const sa = this.store.get(SERVICE_ACCOUNTS, s.namespace, s.serviceAccount);
    if (!sa) throw notFound('serviceaccounts', '', s.serviceAccount);
    const now = Math.floor(Date.now() / 1000);
    const k: SaClaims['kubernetes.io'] = { namespace: s.namespace, serviceaccount: { name: s.serviceAccount, uid: sa.metadata.uid ?? '' } };
    if (s.pod) {
      const pod = this.store.get(PODS, s.namespace, s.pod.name);
      if (!pod) throw notFound('pods', '', s.pod.name);
      if (s.pod.uid && s.pod.uid !== pod.metadata.uid)
        throw new StatusError(409, 'Conflict', `the UID in the bound object reference (${s.pod.uid}) does not match the UID in record. The object might have been deleted and then recreated`);
      k.pod = { name: s.pod.name, uid: pod.metadata.uid ?? '' };
      const nodeName = (pod['spec'] as { nodeName?: string } | undefined)?.nodeName;
      const node = nodeName ? this.store.get(NODES, undefined, nodeName) : undefined;
      if (node && nodeName) k.node = { name: nodeName, uid: node.metadata.uid ?? '' };
    }
    const exp = now + s.expirationSeconds;
    const token = this.signer.sign({ sub: `system:serviceaccount:${s.namespace}:${s.serviceAccount}`, aud: s.audiences, exp, iat: now, nbf: now, 'kubernetes.io': k });
    return { token, expiresAt: new Date(exp * 1000) };
  }

  /** POST /api/v1/namespaces/{ns}/serviceaccounts/{name}/token with a TokenRequest body. */
  handleTokenRequest(namespace: string, serviceAccount: string, body: unknown): K8sObject {
    if (body === null || typeof body !== 'object' || Array.isArray(body)) throw badRequest('expected a TokenRequest object');
    const spec = ((body as { spec?: unknown }).spec ?? {}) as { audiences?: unknown; expirationSeconds?: unknown; boundObjectRef?: unknown };
    const audiences = spec.audiences === undefined || (Array.isArray(spec.audiences) && spec.audiences.length === 0) ? API_AUDIENCES : spec.audiences;
    if (!Array.isArray(audiences) || audiences.some((a) => typeof a !== 'string')) throw invalid('TokenRequest', serviceAccount, 'spec.audiences', 'expected a list of strings');
    const ttl = spec.expirationSeconds ?? DEFAULT_TTL_S;
    if (typeof ttl !== 'number' || !Number.isInteger(ttl)) throw invalid('TokenRequest', serviceAccount, 'spec.expirationSeconds', 'expected an integer');
    if (ttl < MIN_TTL_S) throw invalid('TokenRequest', serviceAccount, 'spec.expirationSeconds', `Invalid value: ${ttl}: may not specify a duration less than 10 minutes`);
    if (ttl > MAX_TTL_S) throw invalid('TokenRequest', serviceAccount, 'spec.expirationSeconds', `Invalid value: ${ttl}: may not specify a duration larger than 2^32 seconds`);
    const ref = spec.boundObjectRef as { kind?: unknown; name?: unknown; uid?: unknown } | undefined;
    let pod: TokenSpec['pod'];
    if (ref) {
      if (ref.kind !== 'Pod') throw badRequest(`boundObjectRef kind ${String(ref.kind)} is not supported by the simulator (only Pod)`);
      if (typeof ref.name !== 'string' || !ref.name) throw invalid('TokenRequest', serviceAccount, 'spec.boundObjectRef.name', 'Required value');
      pod = { name: ref.name, ...(typeof ref.uid === 'string' && ref.uid ? { uid: ref.uid } : {}) };
    }
    const issued = this.issue({ namespace, serviceAccount, audiences: audiences as string[], expirationSeconds: ttl, ...(pod ? { pod } : {}) });
    const boundUid = pod ? this.store.get(PODS, namespace, pod.name)?.metadata.uid : undefined;
    return {
      kind: 'TokenRequest',
      apiVersion: 'authentication.k8s.io/v1',
      metadata: { name: serviceAccount, namespace, creationTimestamp: nowTimestamp() },
      spec: { audiences, expirationSeconds: ttl, boundObjectRef: ref ? { kind: 'Pod', apiVersion: 'v1', name: pod?.name, uid: boundUid } : null },
      status: { token: issued.token, expirationTimestamp: nowTimestamp(issued.expiresAt) },
    };
  }
}
