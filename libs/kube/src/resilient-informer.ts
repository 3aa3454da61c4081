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
 * One list+watch cache. client-node's informer stops on an error; this one
 * restarts it with exponential backoff, and reports `synced` once the first
 * list has landed in the cache.
 */
export class ResilientInformer {
  private readonly informer: Informer<KubernetesObject> & ObjectCache<KubernetesObject>;
  private listedOnce = false;
  private isSynced = false;
  private stopped = false;
  private delayMs: number;
  private timer: NodeJS.Timeout | undefined;
  private readonly listedListeners = new Set<() => void>();

  constructor(
    kc: KubeConfig,
    private readonly spec: ResourceSpec,
    private readonly namespace: string | undefined,
    private readonly log: Logger,
    private readonly backoff: Backoff = DEFAULT_BACKOFF,
  ) {
    this.delayMs = backoff.initialMs;
    this.informer = makeInformer(kc, spec.path(namespace), async () => {
      const list = await spec.list(namespace);
      this.listedOnce = true;
      this.delayMs = backoff.initialMs;
      return list;
    });
    this.informer.on('error', (err: unknown) => this.onError(err));
  }

  get synced(): boolean {
    return this.isSynced;
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
    this.log.event('K8S_INFORMER_ERROR', { resource: this.spec.resource, namespace: this.namespace, status, cause, retryInMs: this.delayMs });
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.start(), this.delayMs);
    this.timer.unref();
    this.delayMs = Math.min(this.delayMs * 2, this.backoff.maxMs);
  }
}
