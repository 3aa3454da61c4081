import { DeadlineExceededError, InvalidArgumentError, PodidError } from '@podid/errors';
import type { Logger } from '@podid/logging';
import { isDnsLabel, isDnsSubdomain, isPodUid } from '@podid/spiffe';
import { checkCertTarget, type InjectTarget } from './check-cert-target';
import { parseClientPem } from './client-pem';
import { ExecStartError, type ContainerExec, type ExecResult } from './container-exec';
import type { ExecLimiter } from './exec-limiter';
import type { InjectObserver } from './inject-metrics';
import { CLIENT_CERT_PATH, injectCommand, injectStdin, newTempSuffix } from './inject-script';
import { exitToPodidError, startErrorToPodidError } from './to-inject-error';

export interface CertInjectorOptions {
  readonly exec: ContainerExec;
  readonly limiter: ExecLimiter;
  /** Budget of one injection's exec, retries included, in ms (queue wait excluded). */
  readonly timeoutMs: number;
  /** Extra attempts after an exec that did not start (connection error or 5xx). Default 2. */
  readonly retries?: number;
  /** Pause before the first retry, doubled each time, in ms. Default 100. */
  readonly retryDelayMs?: number;
  /** PODID_TRUST_DOMAIN; required so no service silently checks another domain than the gateway. */
  readonly trustDomain: string;
  readonly log: Logger;
  /** Receives every outcome that reached the exec stage (metrics). */
  readonly observer?: InjectObserver;
  /** Clock in ms, injected for durations. */
  readonly now?: () => number;
}

export interface InjectRequest extends InjectTarget {
  readonly certificatePem: string;
}

export interface InjectResult {
  readonly path: string;
  readonly durationMs: number;
}

/**
 * Writes a pod's certificate into that pod only: the request is checked,
 * the leaf's SAN must name the target pod (invariant 1), and then one exec,
 * under the limiter, replaces /etc/conjur/ssl/client.pem atomically.
 */
export class CertInjector {
  private readonly now: () => number;

  constructor(private readonly opts: CertInjectorOptions) {
    this.now = opts.now ?? Date.now;
  }

  async inject(req: InjectRequest, signal?: AbortSignal): Promise<InjectResult> {
    const target = checkRequest(req);
    const pem = parseClientPem(req.certificatePem);
    const fields = { namespace: target.namespace, pod: target.pod, container: target.container };
    let leaf;
    try {
      leaf = checkCertTarget(pem.certs[0]!, target, this.opts.trustDomain);
    } catch (e) {
      if (e instanceof PodidError && e.code === 'CERT_TARGET_MISMATCH') this.opts.log.event('CERT_TARGET_MISMATCH', { ...fields, reason: e.message });
      throw e;
    }
    const certFields = { ...fields, cert_serial: leaf.serial, cert_sha256: leaf.sha256 };
    const started = this.now();
    try {
      const res = await this.opts.limiter.run(() => this.execWithRetries(target, injectStdin(pem.text)), signal);
      if (res.exitCode !== 0) throw exitToPodidError(res.exitCode, res.stderr, target);
      const durationMs = Math.max(0, Math.round(this.now() - started));
      this.opts.log.event('CERT_INJECTED', { ...certFields, path: CLIENT_CERT_PATH, duration_ms: durationMs });
      this.opts.observer?.observe('OK', durationMs);
      return { path: CLIENT_CERT_PATH, durationMs };
    } catch (e) {
      const err = e instanceof ExecStartError ? startErrorToPodidError(e, target) : e;
      const code = err instanceof PodidError ? err.code : 'INTERNAL';
      const durationMs = Math.round(this.now() - started);
      this.opts.log.event(code === 'EXEC_QUEUE_FULL' ? 'EXEC_QUEUE_FULL' : 'CERT_INJECT_FAILED', { ...certFields, code, reason: err instanceof Error ? err.message : String(err), duration_ms: durationMs });
      this.opts.observer?.observe(code, durationMs);
      throw err;
    }
  }

  /** Retries only an exec that never started; a command that ran is never re-run. */
  private async execWithRetries(target: InjectTarget, stdin: string): Promise<ExecResult> {
    const deadline = this.now() + this.opts.timeoutMs;
    const retries = this.opts.retries ?? 2;
    let delay = this.opts.retryDelayMs ?? 100;
    const command = injectCommand(newTempSuffix());
    for (let attempt = 0; ; attempt++) {
      const left = deadline - this.now();
      if (left <= 0) throw new DeadlineExceededError('EXEC_TIMEOUT', `exec in ${target.namespace}/${target.pod}/${target.container} did not finish within ${this.opts.timeoutMs}ms`);
      try {
        return await this.opts.exec.run(target, command, stdin, left);
      } catch (e) {
        if (!(e instanceof ExecStartError) || !e.retryable || attempt >= retries || deadline - this.now() <= delay) throw e;
        this.opts.log.event('EXEC_RETRY', { namespace: target.namespace, pod: target.pod, attempt: attempt + 1, status: e.status, reason: e.reason });
        await new Promise((r) => setTimeout(r, delay));
        delay *= 2;
      }
    }
  }
}

/** Names must be Kubernetes names: they become URL path segments of the exec request. */
function checkRequest(req: InjectRequest): InjectTarget {
  const bad = (field: string, exp: string, got: string) =>
    new InvalidArgumentError('BAD_REQUEST', `${field}: exp=${exp} got=${JSON.stringify(got.slice(0, 80))}`);
  if (!isDnsLabel(req.namespace)) throw bad('namespace', 'a DNS label', req.namespace);
  if (!isDnsSubdomain(req.pod)) throw bad('pod', 'a DNS subdomain', req.pod);
  if (!isDnsLabel(req.container)) throw bad('container', 'a DNS label', req.container);
  if (req.podUid && !isPodUid(req.podUid)) throw bad('pod_uid', 'a lowercase UUID', req.podUid);
  return { namespace: req.namespace, pod: req.pod, container: req.container, podUid: req.podUid || undefined };
}
