import { AuthenticatorType, type ListAuthenticatorsResponse } from '@podid/contracts';
import { NotFoundError } from '@podid/errors';
import type { Logger } from '@podid/logging';

/** How long the list from Policy.ListAuthenticators is reused. */
export const AUTHENTICATORS_TTL_MS = 5_000;
/** A service id not in the list refetches it at most this often (a new authenticator is seen quickly; a flood of random ids costs little). */
export const AUTHENTICATORS_MISS_REFRESH_MS = 1_000;

/** What policy says of one authn-k8s authenticator that ca-signer holds a leaf to. */
export interface AuthenticatorScope {
  /** Its cluster; empty from a policy service older than clusters. */
  readonly cluster: string;
  /** Its cluster's trust domain; empty from a policy service older than clusters. */
  readonly trustDomain: string;
}

/**
 * Which service ids may have a CA: the authn-k8s authenticators in policy
 * (enabled or not, so disabling one does not break its bundle). CAs are
 * created and cached only for those, so unauthenticated callers cannot make
 * ca-signer create CAs or grow its cache. While Policy is unreachable the
 * last list is kept; with no list yet, requests fail closed (UNAVAILABLE).
 */
export class PolicyAuthenticators {
  private list?: { ids: ReadonlyMap<string, AuthenticatorScope>; freshUntil: number; missRefetchAt: number };
  private inflight?: Promise<ReadonlyMap<string, AuthenticatorScope>>;
  private readonly now: () => number;
  private readonly ttlMs: number;
  private readonly missRefreshMs: number;

  constructor(
    private readonly opts: {
      listAuthenticators: () => Promise<Pick<ListAuthenticatorsResponse, 'authenticators'>>;
      log: Logger;
      now?: () => number;
      ttlMs?: number;
      missRefreshMs?: number;
    },
  ) {
    this.now = opts.now ?? Date.now;
    this.ttlMs = opts.ttlMs ?? AUTHENTICATORS_TTL_MS;
    this.missRefreshMs = opts.missRefreshMs ?? AUTHENTICATORS_MISS_REFRESH_MS;
  }

  /** Its cluster and trust domain when serviceId is an authn-k8s authenticator in policy; throws NotFoundError(AUTHENTICATOR_NOT_FOUND) otherwise. */
  async require(serviceId: string): Promise<AuthenticatorScope> {
    let ids = this.list && this.now() < this.list.freshUntil ? this.list.ids : await this.refresh();
    if (!ids.has(serviceId) && this.list && this.now() >= this.list.missRefetchAt) ids = await this.refresh();
    const scope = ids.get(serviceId);
    if (scope) return scope;
    this.opts.log.event('CA_AUTHENTICATOR_UNKNOWN', { service_id: serviceId });
    throw new NotFoundError('AUTHENTICATOR_NOT_FOUND', `authenticator "${serviceId}": exp=an authn-k8s authenticator in policy got=none`);
  }

  private refresh(): Promise<ReadonlyMap<string, AuthenticatorScope>> {
    this.inflight ??= this.opts
      .listAuthenticators()
      .then((r) => {
        const k8s = r.authenticators.filter((a) => a.type === AuthenticatorType.AUTHENTICATOR_TYPE_AUTHN_K8S);
        const ids = new Map(k8s.map((a) => [a.id, { cluster: a.cluster, trustDomain: a.trustDomain }]));
        this.list = { ids, freshUntil: this.now() + this.ttlMs, missRefetchAt: this.now() + this.missRefreshMs };
        return ids;
      })
      .catch((e: unknown) => {
        if (!this.list) throw e;
        // Keep the last list rather than refuse every login while Policy restarts; ask again after the miss interval.
        const retryAt = this.now() + this.missRefreshMs;
        this.list = { ids: this.list.ids, freshUntil: retryAt, missRefetchAt: retryAt };
        return this.list.ids;
      })
      .finally(() => (this.inflight = undefined));
    return this.inflight;
  }
}
