import { DeadlineExceededError, DependencyUnavailableError, InvalidArgumentError, PodidError } from '@podid/errors';
import type { ClusterLookup } from '@podid/kube';
import type { Logger } from '@podid/logging';
import { isDnsLabel, isDnsSubdomain, isPodUid } from '@podid/spiffe';
import { checkCertTarget, type InjectTarget } from './check-cert-target';
import { parseClientPem } from './client-pem';
import { ExecStartError, type ContainerExec, type ExecResult } from './container-exec';
import type { ExecLimiter } from './exec-limiter';
import type { InjectObserver } from './inject-metrics';
import { CLIENT_CERT_PATH, injectCommand, injectStdin, newTempSuffix } from './inject-script';
import { exitToPodidError, startErrorToPodidError } from './to-inject-error';

/** What cert-injector holds for one cluster. */
export interface InjectCluster {
  readonly exec: ContainerExec;
}

export interface CertInjectorOptions {
  /** The cluster a request names, or the only one (ClusterSet.lookup); its declaration gives the trust domain. */
  readonly clusters: (name: string | undefined) => ClusterLookup<InjectCluster>;
  readonly limiter: ExecLimiter;
  /** Budget of one injection's exec, retries included, in ms (queue wait excluded). */
  readonly timeoutMs: number;
  /** Extra attempts after an exec that did not start (connection error or 5xx). Default 2. */
  readonly retries?: number;
  /** Pause before the first retry, doubled each time, in ms. Default 100. */
  readonly retryDelayMs?: number;
  readonly log: Logger;
  /** Receives every outcome that reached the exec stage (metrics). */
  readonly observer?: InjectObserver;
  /** Clock in ms, injected for durations. */
  readonly now?: () => number;
}

export interface InjectRequest extends InjectTarget {
  readonly certificatePem: string;
  /** The cluster of the pod; empty = the only one declared. */
  readonly cluster?: string;
}

export interface InjectResult {
  readonly path: string;
  readonly durationMs: number;
}

/**
 * Writes a pod's certificate into that pod only: the request is checked,
 * the leaf's SANs must name the target pod and its cluster (invariant 1),
 * and then one exec in that cluster, under the limiter, replaces
 * /etc/conjur/ssl/client.pem atomically.
 */
export class CertInjector {
  private readonly now: () => number;

  constructor(private readonly opts: CertInjectorOptions) {
    this.now = opts.now ?? Date.now;
  }

  async inject(req: InjectRequest, signal?: AbortSignal): Promise<InjectResult> {
    const target = checkRequest(req);
    const pem = parseClientPem(req.certificatePem);
    const found = this.opts.clusters(req.cluster || undefined);
    if (!found.ok) throw new DependencyUnavailableError('K8S_UNAVAILABLE', found.reason);
    const cluster = found.decl;
    const exec = found.value.exec;
    const fields = { cluster: cluster.name, namespace: target.namespace, pod: target.pod, container: target.container };
    let leaf;
    try {
      leaf = checkCertTarget(pem.certs[0]!, target, cluster);
    } catch (e) {
      if (e instanceof PodidError && e.code === 'CERT_TARGET_MISMATCH') this.opts.log.event('CERT_TARGET_MISMATCH', { ...fields, reason: e.message });
      throw e;
    }
    const certFields = { ...fields, cert_serial: leaf.serial, cert_sha256: leaf.sha256 };
    const started = this.now();
    try {
      const res = await this.opts.limiter.run(() => this.execWithRetries(exec, target, injectStdin(pem.text)), signal);
      if (res.exitCode !== 0) throw exitToPodidError(res.exitCode, res.stderr, target);
      const durationMs = Math.max(0, Math.round(this.now() - started));
      this.opts.log.event('CERT_INJECTED', { ...certFields, path: CLIENT_CERT_PATH, duration_ms: durationMs });
      this.opts.observer?.observe('OK', durationMs);
      return { path: CLIENT_CERT_PATH, durationMs };
    } catch (e) {
      const err = namingCluster(e instanceof ExecStartError ? startErrorToPodidError(e, target) : e, cluster.name);
      const code = err instanceof PodidError ? err.code : 'INTERNAL';
      const durationMs = Math.round(this.now() - started);
      this.opts.log.event(code === 'EXEC_QUEUE_FULL' ? 'EXEC_QUEUE_FULL' : 'CERT_INJECT_FAILED', { ...certFields, code, reason: err instanceof Error ? err.message : String(err), duration_ms: durationMs });
      this.opts.observer?.observe(code, durationMs);
      throw err;
    }
  }

  /** Retries only an exec that never started; a command that ran is never re-run. */
  private async execWithRetries(exec: ContainerExec, target: InjectTarget, stdin: string): Promise<ExecResult> {
    const deadline = this.now() + this.opts.timeoutMs;
    const retries = this.opts.retries ?? 2;
    let delay = this.opts.retryDelayMs ?? 100;
    const command = injectCommand(newTempSuffix());
    for (let attempt = 0; ; attempt++) {
      const left = deadline - this.now();
      if (left <= 0) throw new DeadlineExceededError('EXEC_TIMEOUT', `exec in ${target.namespace}/${target.pod}/${target.container} did not finish within ${this.opts.timeoutMs}ms`);
      try {
        return await exec.run(target, command, stdin, left);
      } catch (e) {
        if (!(e instanceof ExecStartError) || !e.retryable || attempt >= retries || deadline - this.now() <= delay) throw e;
        this.opts.log.event('EXEC_RETRY', { namespace: target.namespace, pod: target.pod, attempt: attempt + 1, status: e.status, reason: e.reason });
        await new Promise((r) => setTimeout(r, delay));
        delay *= 2;
      }
    }
  }
}

/** A Kubernetes API failure names its cluster, so an operator sees which API server failed. */
function namingCluster(err: unknown, cluster: string): unknown {
  if (err instanceof DependencyUnavailableError && !err.message.startsWith('cluster "')) return new DependencyUnavailableError(err.code, `cluster "${cluster}": ${err.message}`);
  return err;
}

/** Names must be Kubernetes names: they become URL path segments of the exec request. */
function checkRequest(req: InjectRequest): InjectTarget {
  const bad = (field: string, exp: string, got: string) =>
    new InvalidArgumentError('BAD_REQUEST', `${field}: exp=${exp} got=${JSON.stringify(got.slice(0, 80))}`);
  if (!isDnsLabel(req.namespace)) throw bad('namespace', 'a DNS label', req.namespace);
  if (!isDnsSubdomain(req.pod)) throw bad('pod', 'a DNS subdomain', req.pod);
  if (!isDnsLabel(req.container)) throw bad('container', 'a DNS label', req.container);
  if (req.podUid && !isPodUid(req.podUid)) throw bad('pod_uid', 'a lowercase UUID', req.podUid);
  if (req.cluster && !isDnsLabel(req.cluster)) throw bad('cluster', 'a DNS label', req.cluster);
  return { namespace: req.namespace, pod: req.pod, container: req.container, podUid: req.podUid || undefined };
}
