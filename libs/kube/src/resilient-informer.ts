import { makeInformer, type Informer, type KubeConfig, type KubernetesObject, type ObjectCache } from '@kubernetes/client-node';
import type { Logger } from '@podid/logging';
import { kubeStatusOf } from './kube-error';
import type { ResourceSpec } from './kube-resources';

/** Restart delays after an informer error, doubled each time up to the cap. */
export interface Backoff {
  readonly initialMs: number;
  readonly maxMs: number;
}

export const DEFAULT_BACKOFF: Backoff = { initialMs: 200, maxMs: 30_000 };

/**
 * How long a cache that has lost its API server may still answer. A short outage must not stop logins; a long one
 * would let a deleted pod log in from a cache that never heard of the deletion, so past this the cache fails closed.
 */
export const DEFAULT_STALE_AFTER_MS = 60_000;

/**
 * One list+watch cache. client-node's informer stops on an error; this one
 * restarts it with exponential backoff, and reports `synced` once the first
 * list has landed in the cache, and again no longer once it has failed to list
 * for `staleAfterMs` (it may have missed deletions since).
 */
export class ResilientInformer {
  private readonly informer: Informer<KubernetesObject> & ObjectCache<KubernetesObject>;
  private listedOnce = false;
  private isSynced = false;
  private stopped = false;
  private delayMs: number;
  private timer: NodeJS.Timeout | undefined;
  private readonly listedListeners = new Set<() => void>();
  /** When the informer last went from working to failing; undefined while it works. */
  private failingSince: number | undefined;
  private staleLogged = false;

  constructor(
    kc: KubeConfig,
    private readonly spec: ResourceSpec,
    private readonly namespace: string | undefined,
    private readonly log: Logger,
    private readonly backoff: Backoff = DEFAULT_BACKOFF,
    private readonly staleAfterMs = DEFAULT_STALE_AFTER_MS,
    private readonly now: () => number = Date.now,
  ) {
    this.delayMs = backoff.initialMs;
    this.informer = makeInformer(kc, spec.path(namespace), async () => {
      const list = await spec.list(namespace);
      this.listedOnce = true;
      this.delayMs = backoff.initialMs;
      this.failingSince = undefined;
      this.staleLogged = false;
      return list;
    });
    this.informer.on('error', (err: unknown) => this.onError(err));
  }

  get synced(): boolean {
    if (!this.isSynced) return false;
    if (this.failingSince === undefined || this.now() - this.failingSince < this.staleAfterMs) return true;
    if (!this.staleLogged) {
      this.staleLogged = true;
      this.log.event('K8S_CACHE_STALE', { resource: this.spec.resource, namespace: this.namespace, failing_for_ms: this.now() - this.failingSince });
    }
    return false;
  }

  start(): void {
    if (this.stopped) return;
    this.informer.start().then(
      () => {
        if (this.listedOnce && !this.isSynced && !this.stopped) {
          this.isSynced = true;
          this.log.event('K8S_INFORMER_SYNCED', { resource: this.spec.resource, namespace: this.namespace, objects: this.informer.list().length });
        }
        // The list has landed in the cache by now.
        if (this.listedOnce && !this.stopped) this.listedListeners.forEach((l) => l());
      },
      (err: unknown) => this.onError(err),
    );
  }

  get(namespace: string | undefined, name: string): KubernetesObject | undefined {
    return this.informer.get(name, namespace);
  }

  onDelete(cb: (obj: KubernetesObject) => void): void {
    this.informer.on('delete', cb);
  }

  /**
   * Called after each (re)start's list has landed in the cache: the first,
   * and each after an error. (Relists inside a running watch report the
   * objects they find gone as deletes.)
   */
  onListed(cb: () => void): void {
    this.listedListeners.add(cb);
  }

  /** Every cached object. */
  list(): readonly KubernetesObject[] {
    return this.informer.list();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.informer.stop();
  }

  private onError(err: unknown): void {
    if (this.stopped) return;
    const status = kubeStatusOf(err);
    const cause = (err as { code?: unknown; cause?: { code?: unknown } })?.cause?.code;
    this.failingSince ??= this.now();
    this.log.event('K8S_INFORMER_ERROR', { resource: this.spec.resource, namespace: this.namespace, status, cause, retry_in_ms: this.delayMs });
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.start(), this.delayMs);
    this.timer.unref();
    this.delayMs = Math.min(this.delayMs * 2, this.backoff.maxMs);
  }
}
