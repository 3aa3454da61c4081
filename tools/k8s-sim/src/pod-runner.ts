import { closeSync, existsSync, openSync } from 'node:fs';
import { resolveContainerEnv } from './container-env';
import { ContainerProcess } from './container-process';
import type { PodFs } from './pod-fs';
import { podSpec, type ContainerSpec } from './pod-spec';
import { PodStatusWriter } from './pod-status-writer';
import { ProjectedTokens } from './projected-tokens';
import { resetVolumes, volumeBinds } from './pod-volumes';
import { runAsOf } from './run-as';
import { writeProjectedVolumes } from './service-account-volume';
import type { Bind, Sandbox } from './sandbox';
import type { ObjectStore } from './store';
import type { ServiceAccountTokens } from './token-request';
import type { K8sObject, LogFn } from './types';

/** How an image runs: its command (no shell), and host folders it needs read-only at their own paths. */
export interface ImageSpec {
  command: string[];
  readOnlyBinds?: string[];
  /** Like a base image: the container's own `command`/`args` replace the image's entrypoint/arguments. */
  specCommand?: boolean;
}

export interface PodRunnerDeps {
  store: ObjectStore;
  podFs: PodFs;
  sandbox: Sandbox;
  tokens: ServiceAccountTokens;
  images: Readonly<Record<string, ImageSpec>>;
  log: LogFn;
}

/** A container's argv: the image's command, or with `specCommand` the container's command and args over it. */
function argvOf(image: ImageSpec, c: ContainerSpec): string[] {
  if (!image.specCommand) return image.command;
  const args = (c as { args?: string[] }).args;
  const command = (c as { command?: string[] }).command;
  return command?.length ? [...command, ...(args ?? [])] : [...image.command, ...(args ?? [])];
}

/** Host folders every container sees read-only, for TLS trust stores. */
const SYSTEM_BINDS = ['/etc/ssl', '/etc/ca-certificates'];
/** Crash-loop backoff: 1 s doubling, capped at 10 s (the kubelet caps at 5 min); reset after a run this long. */
const BACKOFF_INITIAL_MS = 1000;
const BACKOFF_MAX_MS = 10_000;
const BACKOFF_RESET_AFTER_MS = 10_000;
/** Retry period while a container's config (ConfigMap, Secret) is missing. */
const CONFIG_RETRY_MS = 1000;

/**
 * The kubelet's work for one pod: init containers in order, each to success, then the containers, restarted per
 * restartPolicy with backoff. Only containers whose image is in `images` run; the others count as running.
 */
export class PodRunner {
  private stopped = false;
  private readonly sleepers = new Set<() => void>();
  private readonly procs = new Set<ContainerProcess>();
  private readonly restarts = new Map<string, number>();
  private readonly status: PodStatusWriter;
  private readonly projected: ProjectedTokens;
  private running: Promise<void> = Promise.resolve();
  private readonly ns: string;
  private readonly name: string;

  constructor(
    private readonly d: PodRunnerDeps,
    private readonly pod: K8sObject,
  ) {
    this.ns = pod.metadata.namespace ?? 'default';
    this.name = pod.metadata.name ?? '';
    this.status = new PodStatusWriter(d.store, this.ns, this.name, pod.metadata.uid);
    this.projected = new ProjectedTokens(d.podFs, d.tokens, pod, (ms) => this.sleep(ms), () => this.stopped, d.log);
  }

  /** Whether `pod` has anything to run under `images`. */
  static wants(pod: K8sObject, images: Readonly<Record<string, ImageSpec>>): boolean {
    const spec = podSpec(pod);
    return [...(spec.containers ?? []), ...(spec.initContainers ?? [])].some((c) => typeof c.image === 'string' && Object.hasOwn(images, c.image));
  }

  start(): void {
    this.running = this.run().catch((e: unknown) => {
      this.d.log('SIM_INTERNAL_ERROR', `pod ${this.ns}/${this.name}: runner failed`, { error: (e as Error)?.message });
    });
  }

  /** Stops every container (SIGTERM, SIGKILL after the grace period) and waits for all of it. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const wake of [...this.sleepers]) wake();
    await Promise.all([...this.procs].map((p) => p.terminate()));
    await this.running;
  }

  private async run(): Promise<void> {
    resetVolumes(this.d.podFs, this.pod);
    try {
      writeProjectedVolumes(this.d.podFs, this.d.store, this.d.tokens, this.pod);
    } catch {
      // ProjectedTokens retries (and logs) the tokens; ConfigMap and downward-API files are written when they can be.
    }
    await this.projected.start();
    const spec = podSpec(this.pod);
    const inits = (spec.initContainers ?? []).filter((c) => this.imageOf(c));
    if (inits.length) this.status.phase('Pending');
    for (const c of inits) {
      const ok = await this.runContainer(c, true);
      if (this.stopped) return;
      if (!ok) return this.status.phase('Failed');
    }
    if (inits.length) this.status.phase('Running');
    const containers = spec.containers ?? [];
    const mapped = containers.filter((c) => this.imageOf(c));
    const results = await Promise.all(mapped.map((c) => this.runContainer(c, false)));
    // Every container ran here and none restarts any more: the pod is done, as the kubelet reports it.
    if (!this.stopped && mapped.length === containers.length && containers.length) this.status.phase(results.every(Boolean) ? 'Succeeded' : 'Failed');
  }

  private imageOf(c: ContainerSpec): ImageSpec | undefined {
    return typeof c.image === 'string' && Object.hasOwn(this.d.images, c.image) ? this.d.images[c.image] : undefined;
  }

  /** Runs one container until it is done under the restart policy; true if it ended well (an init container succeeded). */
  private async runContainer(c: ContainerSpec, init: boolean): Promise<boolean> {
    const name = c.name ?? '';
    const image = this.imageOf(c);
    const policy = podSpec(this.pod).restartPolicy ?? 'Always';
    let attempt = 0;
    let lastConfigError = '';
    while (!this.stopped && image) {
      const pod = this.status.current();
      if (!pod) return false;
      const env = resolveContainerEnv(this.d.store, pod, c);
      if ('error' in env) {
        if (env.error !== lastConfigError) {
          lastConfigError = env.error;
          this.d.log('SIM_CONTAINER_CONFIG_ERROR', `${this.where(name)}: ${env.error}; retrying`, { namespace: this.ns, pod: this.name, container: name });
          this.status.container(name, init, c.image ?? '', { kind: 'waiting', reason: 'CreateContainerConfigError', message: env.error }, this.restarts.get(name) ?? 0);
        }
        await this.sleep(CONFIG_RETRY_MS);
        continue;
      }
      lastConfigError = '';
      const started = Date.now();
      const code = await this.spawn(pod, c, init, image, env.env);
      if (this.stopped) return false;
      const again = init ? code !== 0 && policy !== 'Never' : policy === 'Always' || (policy === 'OnFailure' && code !== 0);
      if (!again) return code === 0;
      this.restarts.set(name, (this.restarts.get(name) ?? 0) + 1);
      if (Date.now() - started >= BACKOFF_RESET_AFTER_MS) attempt = 0;
      const delay = Math.min(BACKOFF_INITIAL_MS * 2 ** attempt, BACKOFF_MAX_MS);
      attempt += 1;
      this.d.log('SIM_CONTAINER_BACKOFF', `${this.where(name)} exited ${code}; restarting in ${delay} ms`, { namespace: this.ns, pod: this.name, container: name, exit_code: code, delay_ms: delay });
      this.status.container(name, init, c.image ?? '', { kind: 'waiting', reason: 'CrashLoopBackOff' }, this.restarts.get(name) ?? 0);
      await this.sleep(delay);
    }
    return false;
  }

  private async spawn(pod: K8sObject, c: ContainerSpec, init: boolean, image: ImageSpec, env: Record<string, string>): Promise<number> {
    const name = c.name ?? '';
    const root = this.d.podFs.ensure(this.ns, this.name, name);
    const binds: Bind[] = [
      ...SYSTEM_BINDS.filter((p) => existsSync(p)).map((p) => ({ hostPath: p, path: p, readOnly: true })),
      ...(image.readOnlyBinds ?? []).map((p) => ({ hostPath: p, path: p, readOnly: true })),
      ...volumeBinds(this.d.podFs, pod, name),
    ];
    const fd = openSync(this.d.podFs.logFile(this.ns, this.name, name), 'a', 0o640);
    let proc: ContainerProcess;
    try {
      proc = new ContainerProcess(this.d.sandbox.spawnContainer(root, this.name, argvOf(image, c), env, binds, fd, runAsOf(pod, name)));
    } finally {
      closeSync(fd); // the child has its own copy
    }
    this.procs.add(proc);
    const restarts = this.restarts.get(name) ?? 0;
    this.status.container(name, init, c.image ?? '', { kind: 'running' }, restarts);
    this.d.log('SIM_CONTAINER_STARTED', `${this.where(name)} started`, { namespace: this.ns, pod: this.name, container: name, pid: proc.pid, restarts });
    const code = await proc.exited;
    this.procs.delete(proc);
    this.d.log('SIM_CONTAINER_EXITED', `${this.where(name)} exited ${code}`, { namespace: this.ns, pod: this.name, container: name, exit_code: code });
    this.status.container(name, init, c.image ?? '', { kind: 'terminated', exitCode: code, reason: code === 0 ? 'Completed' : 'Error' }, restarts);
    return code;
  }

  private where(container: string): string {
    return `container ${this.ns}/${this.name}/${container}`;
  }

  /** Waits `ms`, or less when the runner stops. */
  private sleep(ms: number): Promise<void> {
    if (this.stopped) return Promise.resolve();
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.sleepers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.sleepers.add(wake);
    });
  }
}
