import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Logger } from '@podid/logging';
import { formatProblem, parseClustersFile, pickCluster, type ClusterDeclaration } from '@podid/policy-model';

/** What a service holds per cluster (clients, informers, ...), built by `open` and released by `close`. */
export interface ClusterSetOptions<T> {
  /** PODID_CLUSTERS_FILE; unset = one cluster, `fallback`. */
  readonly file?: string;
  readonly fallback: ClusterDeclaration;
  readonly defaultTrustDomain: string;
  /** How often the file is read again; kubelet swaps a mounted ConfigMap's files, so reading beats fs.watch. */
  readonly pollMs?: number;
  readonly log: Logger;
  open(decl: ClusterDeclaration): T | Promise<T>;
  close(value: T): void | Promise<void>;
}

export type ClusterLookup<T> = { readonly ok: true; readonly decl: ClusterDeclaration; readonly value: T } | { readonly ok: false; readonly reason: string };

interface Entry<T> {
  readonly decl: ClusterDeclaration;
  readonly key: string;
  value?: T;
  error?: string;
}

/**
 * The clusters a service serves, kept in step with the clusters file: a cluster added there is opened, one removed
 * is closed, one changed (its entry, or the content of a credential file it names) is reopened, all without a restart. An invalid file at start throws (the service exits with
 * the problems); later, it is logged and the clusters in use stay. A cluster that fails to open fails only its own
 * lookups, and is retried at every poll.
 */
export class ClusterSet<T> {
  private entries = new Map<string, Entry<T>>();
  private lastText: string | undefined;
  private timer: NodeJS.Timeout | undefined;
  private sync: Promise<void> = Promise.resolve();

  constructor(private readonly opts: ClusterSetOptions<T>) {}

  async start(): Promise<void> {
    const decls = this.read();
    if (decls.problems.length > 0) throw new Error(`PODID_CLUSTERS_FILE=${this.opts.file}: ${decls.problems.join('; ')}`);
    await this.apply(decls.clusters);
    if (this.opts.file) {
      this.timer = setInterval(() => void this.refresh(), this.opts.pollMs ?? 5000);
      this.timer.unref();
    }
  }

  /** Reads the file again now (the poll does this too); resolves once the clusters match it. */
  refresh(): Promise<void> {
    this.sync = this.sync.then(async () => {
      const decls = this.read();
      if (decls.problems.length > 0) return void this.opts.log.event('CLUSTERS_FILE_INVALID', { file: this.opts.file, problems: decls.problems });
      await this.apply(decls.clusters);
    });
    return this.sync;
  }

  /** The cluster a request names, or the only one when it names none. */
  lookup(name: string | undefined): ClusterLookup<T> {
    const all = [...this.entries.values()];
    const entry = pickCluster(all.map((e) => ({ name: e.decl.name, e })), name)?.e;
    const declared = all.map((e) => e.decl.name).join(', ') || 'none';
    if (!entry) return { ok: false, reason: name ? `cluster "${name}" is not declared (declared: ${declared})` : `the request names no cluster and ${all.length} are declared (${declared})` };
    if (entry.value === undefined) return { ok: false, reason: `cluster "${entry.decl.name}" is not connected: ${entry.error ?? 'opening'}` };
    return { ok: true, decl: entry.decl, value: entry.value };
  }

  /** Every declared cluster, with its value or why it has none. */
  list(): Array<{ readonly decl: ClusterDeclaration; readonly value?: T; readonly error?: string }> {
    return [...this.entries.values()].map((e) => ({ decl: e.decl, ...(e.value !== undefined ? { value: e.value } : {}), ...(e.error ? { error: e.error } : {}) }));
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.sync;
    const open = [...this.entries.values()];
    this.entries = new Map();
    await Promise.all(open.map((e) => this.closeEntry(e)));
  }

  private read(): { clusters: readonly ClusterDeclaration[]; problems: string[] } {
    if (!this.opts.file) return { clusters: [this.opts.fallback], problems: [] };
    let text: string;
    try {
      text = readFileSync(this.opts.file, 'utf8');
    } catch (e) {
      return { clusters: [], problems: [`cannot read the clusters file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`] };
    }
    // Unchanged text: the same clusters (those that failed to open are retried by apply).
    if (text === this.lastText) return { clusters: [...this.entries.values()].map((e) => e.decl), problems: [] };
    const c = parseClustersFile(this.opts.file, text, this.opts.defaultTrustDomain);
    if (c.problems.length === 0) this.lastText = text;
    return { clusters: c.clusters, problems: c.problems.map(formatProblem) };
  }

  private async apply(decls: readonly ClusterDeclaration[]): Promise<void> {
    const next = new Map(decls.map((d) => [d.name, { d, key: entryKey(d) }]));
    for (const [name, e] of [...this.entries]) {
      const d = next.get(name);
      if (d && d.key === e.key) continue;
      this.entries.delete(name);
      await this.closeEntry(e);
      if (!d) this.opts.log.event('CLUSTER_REMOVED', { cluster: name });
    }
    for (const d of decls) {
      const e = this.entries.get(d.name) ?? { decl: d, key: next.get(d.name)!.key };
      if (e.value !== undefined) continue;
      const isNew = !this.entries.has(d.name);
      this.entries.set(d.name, e);
      try {
        e.value = await this.opts.open(d);
        delete e.error;
        this.opts.log.event('CLUSTER_ADDED', { cluster: d.name, trust_domain: d.trustDomain, credentials: d.credentials.kind });
      } catch (err) {
        const message = (err as Error).message;
        if (isNew || e.error !== message) this.opts.log.event('CLUSTER_OPEN_FAILED', { cluster: d.name, reason: message });
        e.error = message;
      }
    }
  }

  private async closeEntry(e: Entry<T>): Promise<void> {
    if (e.value === undefined) return;
    const v = e.value;
    delete e.value;
    try {
      await this.opts.close(v);
    } catch (err) {
      this.opts.log.event('CLUSTER_CLOSE_FAILED', { cluster: e.decl.name, reason: (err as Error).message });
    }
  }
}

/** A cluster's entry and the digest of its credential files, so that a rotated Secret reconnects it. */
function entryKey(d: ClusterDeclaration): string {
  const c = d.credentials;
  const files = c.kind === 'in-cluster' ? [] : c.kind === 'kubeconfig' ? [c.kubeconfig] : c.kind === 'token' ? [c.caFile, c.tokenFile] : [c.caFile, c.clientCertFile, c.clientKeyFile];
  const digest = createHash('sha256');
  for (const f of files) {
    try {
      digest.update(readFileSync(f));
    } catch (e) {
      digest.update(`unreadable:${(e as NodeJS.ErrnoException).code ?? 'error'}`);
    }
    digest.update('\0');
  }
  return `${JSON.stringify(d)}|${digest.digest('hex')}`;
}
