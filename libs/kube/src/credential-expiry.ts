import type { Logger } from '@podid/logging';
import { Gauge, type Registry } from 'prom-client';
import { DEFAULT_CLUSTER } from '@podid/policy-model';
import { assessCredentialExpiry } from './assess-credential-expiry';
import type { KubeClientCert } from './kube-client-cert';

/** Re-check hourly: a warning repeats while the credential is inside the threshold. */
export const CREDENTIAL_CHECK_INTERVAL_MS = 3_600_000;
export const CLIENT_CERT_EXPIRY_METRIC = 'podid_k8s_client_cert_expiry_seconds';

export interface CredentialExpiryOptions {
  /** Reads the certificate now (so a rotated file is picked up); undefined = no client certificate. */
  read: () => KubeClientCert | undefined;
  log: Logger;
  /** Warn when fewer days than this remain; 0 = only report expiry. */
  warnDays: number;
  /** The service's ops registry; the gauge is registered there. */
  registry?: Registry;
  /** The cluster this credential reaches: the gauge's `cluster` label and the log lines' `cluster` field. */
  cluster?: string;
  now?: () => number;
  intervalMs?: number;
}

export interface CredentialExpiryWatch {
  /** The certificate as last read, or undefined. */
  readonly current: KubeClientCert | undefined;
  /** Reads and reports now (also runs at start and every interval). */
  check(): void;
  stop(): void;
}

/**
 * Watches the client certificate podid uses for Kubernetes: logs
 * K8S_CLIENT_CERT_EXPIRING (warn) or K8S_CLIENT_CERT_EXPIRED (error) at start
 * and on every check while inside the threshold, and exports
 * `podid_k8s_client_cert_expiry_seconds{cluster}` (seconds left, computed at
 * scrape time; one gauge for every cluster of the registry). Does nothing
 * when the kubeconfig uses no client certificate.
 */
export function watchCredentialExpiry(opts: CredentialExpiryOptions): CredentialExpiryWatch {
  const now = opts.now ?? Date.now;
  const cluster = opts.cluster ?? DEFAULT_CLUSTER;
  let current: KubeClientCert | undefined;
  let lastValid: string | undefined;
  let gauged = false;
  const secondsLeft = () => (current ? Math.floor((current.notAfter.getTime() - now()) / 1000) : undefined);

  const check = () => {
    try {
      current = opts.read();
    } catch (e) {
      opts.log.event('K8S_CLIENT_CERT_UNREADABLE', { cluster, reason: (e as Error).message });
      return;
    }
    if (!current) return;
    if (!gauged && opts.registry) {
      expiryGauge(opts.registry).set(cluster, secondsLeft);
      gauged = true;
    }
    const r = assessCredentialExpiry(current.notAfter, new Date(now()), opts.warnDays);
    const fields = { cluster, days_left: r.daysLeft, seconds_left: r.secondsLeft, not_after: current.notAfter.toISOString(), subject_cn: current.subjectCn, cert_serial: current.serial, warn_days: opts.warnDays };
    if (r.state === 'expired') opts.log.event('K8S_CLIENT_CERT_EXPIRED', fields);
    else if (r.state === 'expiring') opts.log.event('K8S_CLIENT_CERT_EXPIRING', fields);
    // A healthy credential is logged once per certificate, not every hour.
    else if (lastValid !== current.serial) opts.log.event('K8S_CLIENT_CERT_VALID', fields);
    lastValid = r.state === 'ok' ? current.serial : undefined;
  };

  check();
  const timer = setInterval(check, opts.intervalMs ?? CREDENTIAL_CHECK_INTERVAL_MS);
  timer.unref();
  return {
    get current() {
      return current;
    },
    check,
    stop: () => {
      clearInterval(timer);
      if (gauged && opts.registry) expiryGauge(opts.registry).delete(cluster, secondsLeft);
    },
  };
}

type SecondsLeft = () => number | undefined;

/** One gauge per registry, one series per cluster: each watch adds its cluster's reader and removes it on stop. */
const gauges = new WeakMap<Registry, Map<string, SecondsLeft>>();

function expiryGauge(registry: Registry): { set(cluster: string, read: SecondsLeft): void; delete(cluster: string, read: SecondsLeft): void } {
  let readers = gauges.get(registry);
  if (!readers) {
    const byCluster = new Map<string, SecondsLeft>();
    readers = byCluster;
    gauges.set(registry, byCluster);
    new Gauge({
      name: CLIENT_CERT_EXPIRY_METRIC,
      help: 'Seconds until the Kubernetes client certificate podid uses for a cluster expires (negative once expired).',
      labelNames: ['cluster'],
      registers: [registry],
      collect() {
        // Computed at scrape time; a removed cluster leaves no stale series.
        this.reset();
        for (const [cluster, read] of byCluster) {
          const v = read();
          if (v !== undefined) this.set({ cluster }, v);
        }
      },
    });
  }
  const map = readers;
  return {
    set: (cluster, read) => void map.set(cluster, read),
    delete: (cluster, read) => {
      // A reopened cluster may have registered its new reader already.
      if (map.get(cluster) === read) map.delete(cluster);
      if (map.size === 0) {
        registry.removeSingleMetric(CLIENT_CERT_EXPIRY_METRIC);
        gauges.delete(registry);
      }
    },
  };
}
