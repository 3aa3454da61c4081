import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { resourceByName } from './resources';
import type { ObjectStore } from './store';
import { API_AUDIENCES, readStaticToken, type TokenSigner } from './tokens';
import type { UserInfo } from './types';

const AUTHENTICATED = 'system:authenticated';
const PODS = resourceByName('pods');
const SERVICE_ACCOUNTS = resourceByName('serviceaccounts');

export type TokenResult = { user: UserInfo; audiences: string[] } | { error: string };

function intersect(a: string[], b: string[]): string[] {
  return a.filter((x) => b.includes(x));
}

function withAuthenticated(groups: string[]): string[] {
  return groups.includes(AUTHENTICATED) ? groups : [...groups, AUTHENTICATED];
}

/** Authenticates API requests (client certificate, then bearer token) and answers TokenReviews. */
export class Authenticator {
  constructor(
    private readonly store: ObjectStore,
    private readonly signer: TokenSigner,
    private readonly tokenSecret: Buffer,
  ) {}

  /** The requesting user, or undefined (401). */
  authenticateRequest(req: IncomingMessage): UserInfo | undefined {
    const sock = req.socket as TLSSocket;
    if (sock.authorized) {
      const cert = sock.getPeerCertificate();
      const cn = cert?.subject?.CN;
      const o = cert?.subject?.O as string | string[] | undefined;
      if (typeof cn === 'string' && cn) return { username: cn, groups: withAuthenticated(o === undefined ? [] : Array.isArray(o) ? o : [o]) };
    }
    const auth = req.headers.authorization;
    const m = auth ? /^Bearer\s+(\S+)\s*$/i.exec(auth) : null;
    if (!m?.[1]) return undefined;
    const r = this.reviewToken(m[1], API_AUDIENCES);
    return 'user' in r ? r.user : undefined;
  }

  /**
   * Validates a bearer token for `audiences` (default: the API audiences), like the API server's token authenticators:
   * a static kubeconfig token, or a service-account JWT whose service account (and bound pod) still exist with the same uid.
   */
  reviewToken(token: string, audiences: string[] = []): TokenResult {
    const want = audiences.length ? audiences : API_AUDIENCES;
    const st = readStaticToken(this.tokenSecret, token);
    if (st) {
      const auds = intersect(want, API_AUDIENCES);
      if (!auds.length) return { error: `token audiences ${JSON.stringify(API_AUDIENCES)} is invalid for the target audiences ${JSON.stringify(want)}` };
      return { user: { username: st.user, groups: withAuthenticated(st.groups) }, audiences: auds };
    }
    const v = this.signer.verify(token);
    if ('error' in v) return { error: `invalid bearer token, ${v.error}` };
    const c = v.claims;
    const auds = intersect(want, c.aud);
    if (!auds.length) return { error: `invalid bearer token, token audiences ${JSON.stringify(c.aud)} is invalid for the target audiences ${JSON.stringify(want)}` };
    const k = c['kubernetes.io'];
    const sa = this.store.get(SERVICE_ACCOUNTS, k.namespace, k.serviceaccount.name);
    if (!sa) return { error: `invalid bearer token, serviceaccounts "${k.serviceaccount.name}" not found` };
    if (sa.metadata.uid !== k.serviceaccount.uid)
      return { error: `invalid bearer token, service account UID (${sa.metadata.uid}) does not match claim (${k.serviceaccount.uid})` };
    const extra: Record<string, string[]> = { 'authentication.kubernetes.io/credential-id': [`JTI=${c.jti}`] };
    if (k.pod) {
      const pod = this.store.get(PODS, k.namespace, k.pod.name);
      if (!pod) return { error: `invalid bearer token, pods "${k.pod.name}" not found` };
      if (pod.metadata.uid !== k.pod.uid) return { error: `invalid bearer token, pod UID (${pod.metadata.uid}) does not match claim (${k.pod.uid})` };
      // A terminating pod's tokens stay valid until its deletionTimestamp (the end of its grace period), as in Kubernetes.
      if (pod.metadata.deletionTimestamp && Date.parse(pod.metadata.deletionTimestamp) <= Date.now()) return { error: 'invalid bearer token, Token has been invalidated' };
      extra['authentication.kubernetes.io/pod-name'] = [k.pod.name];
      extra['authentication.kubernetes.io/pod-uid'] = [k.pod.uid];
    }
    if (k.node) {
      extra['authentication.kubernetes.io/node-name'] = [k.node.name];
      extra['authentication.kubernetes.io/node-uid'] = [k.node.uid];
    }
    const groups = ['system:serviceaccounts', `system:serviceaccounts:${k.namespace}`, AUTHENTICATED];
    return { user: { username: c.sub, uid: k.serviceaccount.uid, groups, extra }, audiences: auds };
  }
}
