import type { KubeConfig, KubernetesObject } from '@kubernetes/client-node';
import type { KubeApiTimer } from './kube-api-timer';
import type { Logger } from '@podid/logging';
import { kubeStatusOf, toKubeError } from './kube-error';
import { makeResources, RESOURCE_OF_KIND, type ResourceName, type ResourceSpec } from './kube-resources';
import type { PodCache, PodDeletedListener, PodDirectory } from './pod-directory';
import { toNamespaceFacts, toOwnerFacts, toPodFacts, toServiceAccountFacts, type NamespaceFacts, type OwnerFacts, type OwnerKind, type PodFacts, type ServiceAccountFacts } from './pod-facts';
import { DEFAULT_BACKOFF, ResilientInformer, type Backoff } from './resilient-informer';

export interface InformerPodDirectoryOptions {
  kc: KubeConfig;
  log: Logger;
  /** Watch only these namespaces; pods elsewhere are reported as not found. Empty = all. */
  namespaces?: readonly string[];
  backoff?: Backoff;
  /** How long a cache that cannot reach its API server still answers (DEFAULT_STALE_AFTER_MS). */
  staleAfterMs?: number;
  /** Times the API reads made on a cache miss. */
  apiTimer?: KubeApiTimer;
}

const CACHED: readonly ResourceName[] = ['pods', 'serviceaccounts', 'replicasets', 'deployments', 'statefulsets', 'daemonsets', 'jobs', 'cronjobs'];

/**
 * PodDirectory backed by informers (list + watch) for every resource it
 * reads. Gets answer from the cache and read the API server only on a miss,
 * so a pod created a moment ago is still found.
 */
export class InformerPodDirectory implements PodDirectory, PodCache {
  private readonly specs: Record<ResourceName, ResourceSpec>;
  private readonly informers = new Map<ResourceName, ResilientInformer[]>();
  private readonly listeners = new Set<PodDeletedListener>();
  private readonly listedListeners = new Set<() => void>();
  private readonly namespaces: readonly string[];

  constructor(private readonly opts: InformerPodDirectoryOptions) {
    this.specs = makeResources(opts.kc);
    this.namespaces = opts.namespaces ?? [];
    const scopes: Array<string | undefined> = this.namespaces.length ? [...this.namespaces] : [undefined];
    const make = (r: ResourceName, ns: string | undefined) => new ResilientInformer(opts.kc, this.specs[r], ns, opts.log, opts.backoff ?? DEFAULT_BACKOFF, opts.staleAfterMs);
    for (const r of CACHED) this.informers.set(r, scopes.map((ns) => make(r, ns)));
    // Restricted to namespaces, we may lack cluster-wide list on namespaces: read them on demand.
    if (!this.namespaces.length) this.informers.set('namespaces', [make('namespaces', undefined)]);
    for (const inf of this.informers.get('pods') ?? []) {
      inf.onDelete((obj) => {
        const m = obj.metadata ?? {};
        for (const l of this.listeners) l(m.uid ?? '', m.namespace ?? '', m.name ?? '');
      });
      inf.onListed(() => this.listedListeners.forEach((l) => l()));
    }
  }

  /** Starts every informer; returns at once (see `synced`). */
  start(): void {
    for (const list of this.informers.values()) for (const inf of list) inf.start();
  }

  /** True once every informer has finished its first list. */
  get synced(): boolean {
    return [...this.informers.values()].every((list) => list.every((inf) => inf.synced));
  }

  get podsSynced(): boolean {
    return (this.informers.get('pods') ?? []).every((inf) => inf.synced);
  }

  async stop(): Promise<void> {
    this.listeners.clear();
    this.listedListeners.clear();
    await Promise.all([...this.informers.values()].flat().map((inf) => inf.stop()));
  }

  async getPod(namespace: string, name: string, opts?: { fresh?: boolean }): Promise<PodFacts | undefined> {
    const obj = await this.lookup('pods', namespace, name, opts?.fresh === true);
    return obj && toPodFacts(obj);
  }

  async getOwner(namespace: string, kind: OwnerKind, name: string): Promise<OwnerFacts | undefined> {
    const obj = await this.lookup(RESOURCE_OF_KIND[kind], namespace, name, false);
    return obj && toOwnerFacts(kind, obj);
  }

  async getNamespace(name: string): Promise<NamespaceFacts | undefined> {
    if (!this.watches(name)) return undefined;
    const obj = await this.lookup('namespaces', undefined, name, false);
    return obj && toNamespaceFacts(obj);
  }

  async getServiceAccount(namespace: string, name: string): Promise<ServiceAccountFacts | undefined> {
    const obj = await this.lookup('serviceaccounts', namespace, name, false);
    return obj && toServiceAccountFacts(obj);
  }

  onPodDeleted(listener: PodDeletedListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  hasPod(namespace: string, name: string, uid: string): boolean {
    if (!this.watches(namespace)) return false;
    return (this.informers.get('pods') ?? []).some((inf) => inf.get(namespace, name)?.metadata?.uid === uid);
  }

  podUids(): Set<string> {
    const uids = new Set<string>();
    for (const inf of this.informers.get('pods') ?? []) for (const p of inf.list()) if (p.metadata?.uid) uids.add(p.metadata.uid);
    return uids;
  }

  onPodsListed(listener: () => void): () => void {
    this.listedListeners.add(listener);
    return () => this.listedListeners.delete(listener);
  }

  watches(namespace: string): boolean {
    return this.namespaces.length === 0 || this.namespaces.includes(namespace);
  }

  private async lookup(resource: ResourceName, namespace: string | undefined, name: string, fresh: boolean): Promise<KubernetesObject | undefined> {
    if (namespace !== undefined && !this.watches(namespace)) return undefined;
    if (!fresh) {
      for (const inf of this.informers.get(resource) ?? []) {
        const hit = inf.get(namespace, name);
        if (hit) return hit;
      }
    }
    this.opts.log.event('K8S_CACHE_MISS', { resource, namespace, name, fresh });
    try {
      const read = () => this.specs[resource].read(namespace ?? '', name);
      return await (this.opts.apiTimer ? this.opts.apiTimer(`get ${resource}`, read) : read());
    } catch (err) {
      if (kubeStatusOf(err) === 404) return undefined;
      const typed = toKubeError(err, 'get', resource, namespace);
      this.opts.log.event(typed.code === 'K8S_FORBIDDEN' ? 'K8S_FORBIDDEN' : 'K8S_UNAVAILABLE', { resource, namespace, verb: 'get', status: kubeStatusOf(err) });
      throw typed;
    }
  }
}
