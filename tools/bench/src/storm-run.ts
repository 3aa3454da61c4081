import { fork, type ChildProcess } from 'node:child_process';
import { readdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { AccessLogEntry } from '@podid/k8s-sim';
import { SERVICES, startSuite, type ServiceName, type Suite } from '@podid/local';
import { httpsCall, tmpDir, waitFor } from '@podid/testkit';
import { createCsr, generateKeyPair } from '@podid/x509';
import { cryptoFloor } from './crypto-floor';
import { execFloorMs } from './exec-floor';
import { cpuSnapshot, rssMiB, sampleRssPeaks } from './proc-stats';
import type { FromLoadgen, LoginFailure, StormResult, ToLoadgen } from './storm-messages';
import { seedStormPods, STORM_HOST, STORM_NAMESPACE } from './storm-pods';

const FIXTURES = resolve(__dirname, '../../e2e/fixtures');
/** cert-injector's PODID_EXEC_CONCURRENCY default (apps/cert-injector/src/config.ts). */
const DEFAULT_EXEC_CONCURRENCY = 8;

export interface StormOptions {
  /** Pods of the Deployment that log in at once. */
  readonly pods: number;
  /** Logins in flight in the load generator (default: all pods at once). */
  readonly concurrency?: number;
  /** The sidecars retry as Conjur's client does; false (default): one attempt, any refusal is a failure. */
  readonly retry?: boolean;
  /** cert-injector's PODID_EXEC_CONCURRENCY; unset keeps its default. */
  readonly execConcurrency?: number;
  /** Sequential bare execs for the exec floor. */
  readonly floorExecs?: number;
  /** Operations per batch of the crypto floor. */
  readonly floorOps?: number;
  /** Pods in the namespace for the informer-memory figure (0: skip). */
  readonly memoryPods?: number;
  /** Idle TLS connections for the gateway-memory figure (0: skip). */
  readonly idleConnections?: number;
  /** Extra env per service (BENCH_ENV); the report then names it, as the limits are no longer the defaults. */
  readonly serviceEnv?: Partial<Record<ServiceName, Record<string, string>>>;
  /** Keep the state folder (with every service's log in logs/) and name it in the report. */
  readonly keepState?: boolean;
}

const percentile = (sorted: number[], p: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]! : NaN);
const r1 = (x: number) => +x.toFixed(1);
const countBy = <T>(xs: readonly T[], key: (x: T) => string) => {
  const out: Record<string, number> = {};
  for (const x of xs) out[key(x)] = (out[key(x)] ?? 0) + 1;
  return out;
};
const cause = (f: LoginFailure) => `${f.stage} ${f.status ?? ''} ${f.detail}`.replace(/\s+/g, ' ');
const mapValues = <T, U>(o: Record<string, T>, f: (v: T, k: string) => U) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, f(v, k)]));

function servicePids(suite: Suite): Record<ServiceName, number> {
  return Object.fromEntries(SERVICES.map((s) => [s, suite.services.get(s)!.pid!])) as Record<ServiceName, number>;
}

function startLoadgen(): { child: ChildProcess; ask(m: ToLoadgen, want: FromLoadgen['type']): Promise<FromLoadgen> } {
  const child = fork(join(__dirname, 'storm-loadgen.ts'), [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const ask = (m: ToLoadgen, want: FromLoadgen['type']) =>
    new Promise<FromLoadgen>((ok, fail) => {
      const onMsg = (a: FromLoadgen) => {
        if (a.type !== want && a.type !== 'error') return;
        child.off('message', onMsg);
        child.off('exit', onExit);
        if (a.type === 'error') fail(new Error(`load generator: ${a.message}`));
        else ok(a);
      };
      const onExit = (code: number | null) => fail(new Error(`load generator exited with ${code}`));
      child.on('message', onMsg);
      child.once('exit', onExit);
      child.send(m);
    });
  return { child, ask };
}

/** Seeds a probe pod after the others and waits until pod-verifier's informer knows it (watch events arrive in order, so it then knows them all). */
async function waitForInformer(suite: Suite, index: number): Promise<void> {
  const [probe] = await seedStormPods(suite.sim, index, index + 1);
  const keys = await generateKeyPair('ec-p256');
  const csrPem = await createCsr({ keys, algorithm: 'ec-p256', commonName: 'dev.apps.demo-app', sans: [{ type: 'url', value: `spiffe://cluster.local/namespace/${STORM_NAMESPACE}/podname/${probe!.name}` }] });
  await waitFor(
    async () =>
      (
        await httpsCall(suite.gatewayUrl, {
          method: 'POST',
          path: '/authn-k8s/dev/inject_client_cert',
          caPem: suite.gatewayCaPem,
          headers: { 'content-type': 'text/plain', 'host-id-prefix': 'host.conjur.authn-k8s' },
          body: csrPem,
          localAddress: probe!.address,
        })
      ).status === 202 || undefined,
    { timeoutMs: 120_000, intervalMs: 1000, message: `pod-verifier's informer holding ${probe!.name}` },
  );
}

function kubeCounts(log: ReadonlyArray<AccessLogEntry>, pods: number) {
  const ours = log.filter((e) => e.user.startsWith('system:serviceaccount:podid:'));
  const execs = ours.filter((e) => e.subresource === 'exec' && e.verb === 'create').length;
  const reads = ours.filter((e) => e.subresource !== 'exec' && ['get', 'list', 'watch'].includes(e.verb));
  const byKind = countBy(reads, (e) => `${e.user.split(':').pop()} ${e.verb} ${e.resource}${e.subresource ? `/${e.subresource}` : ''}`);
  return { execs, execs_per_pod: +(execs / pods).toFixed(3), api_reads: reads.length, api_reads_per_pod: +(reads.length / pods).toFixed(3), api_reads_by_kind: byKind };
}

/**
 * The rollout storm (docs/performance.md): `pods` pods of one Deployment log in
 * at once under the default limits, against the whole suite as real processes.
 */
export async function runStorm(o: StormOptions): Promise<Record<string, unknown>> {
  const cluster = join(FIXTURES, 'cluster');
  const stateDir = tmpDir('podid-storm-');
  const suite = await startSuite({
    stateDir,
    policyPath: join(FIXTURES, 'policy.yaml'),
    manifests: readdirSync(cluster).sort().map((f) => join(cluster, f)),
    gatewayPort: 0,
    logLevel: 'info',
    images: false,
    logToFiles: true,
    env: { ...o.serviceEnv, 'cert-injector': { ...o.serviceEnv?.['cert-injector'], ...(o.execConcurrency ? { PODID_EXEC_CONCURRENCY: String(o.execConcurrency) } : {}) } },
  });
  const lg = startLoadgen();
  try {
    const pods = await seedStormPods(suite.sim, 0, o.pods);
    await waitForInformer(suite, o.pods);
    const execConcurrency = o.execConcurrency ?? DEFAULT_EXEC_CONCURRENCY;
    const floor = await execFloorMs(join(stateDir, 'kubeconfigs', 'cert-injector.yaml'), { namespace: 'demo', pod: 'demo-pod', container: 'authenticator' }, o.floorExecs ?? 20, execConcurrency);
    const floorMs = floor.sequentialMs;
    const crypto = await cryptoFloor(o.floorOps);
    const concurrency = o.concurrency ?? o.pods;
    const loadPods = pods.map((p) => ({ name: p.name, namespace: STORM_NAMESPACE, address: p.address, root: suite.sim.podRoot(STORM_NAMESPACE, p.name, 'authenticator') }));
    const ready = await lg.ask({ type: 'prepare', gatewayUrl: suite.gatewayUrl, caPem: suite.gatewayCaPem, hostId: STORM_HOST, pods: loadPods, concurrency, retry: o.retry ?? false }, 'ready');

    const pids = servicePids(suite);
    const rssIdle = mapValues(pids, (pid) => r1(rssMiB(pid)));
    // Not podid: the simulator runs in this process (its execs' sandboxes are children, counted once reaped), the sidecars in the load generator.
    const others = { 'k8s-sim': process.pid, 'load-generator': lg.child.pid!, ...(suite.redis?.pid ? { redis: suite.redis.pid } : {}) };
    suite.sim.clearAccessLog();
    const cpu0 = cpuSnapshot(pids);
    const others0 = cpuSnapshot(others);
    const peaks = sampleRssPeaks(pids);
    const done = (await lg.ask({ type: 'go' }, 'done')) as { result: StormResult };
    const rssPeak = mapValues(peaks.stop(), r1);
    const cpu1 = cpuSnapshot(pids);
    const others1 = cpuSnapshot(others);
    const res = done.result;
    const kube = kubeCounts(suite.sim.accessLog, o.pods);
    const ok = res.loginMs.length;
    // Per pod that attempted a login: with failures, per successful login would overstate it.
    const cpuPerLogin = mapValues(cpu1, (v, k) => +((v - cpu0[k]!) / o.pods).toFixed(2));
    const serviceSum = Object.values(cpuPerLogin).reduce((a, b) => a + b, 0);
    const execBound = (floorMs * o.pods) / execConcurrency;
    const lat = [...res.loginMs].sort((a, b) => a - b);
    const inj = [...res.injectMs].sort((a, b) => a - b);

    const memory: Record<string, unknown> = { rss_idle_mib: rssIdle, rss_storm_peak_mib: rssPeak };
    if (o.memoryPods && o.memoryPods > o.pods + 1) {
      await seedStormPods(suite.sim, o.pods + 1, o.memoryPods);
      await waitForInformer(suite, o.memoryPods);
      memory['informer_pods'] = o.memoryPods + 1;
      memory['rss_with_informer_pods_mib'] = mapValues(servicePids(suite), (pid) => r1(rssMiB(pid)));
    }
    if (o.idleConnections) memory['gateway_idle_tls'] = await idleTlsMemory(suite, lg, o.idleConnections, (o.memoryPods ?? o.pods) + 1);

    return {
      pods: o.pods,
      client_concurrency: concurrency,
      exec_concurrency: execConcurrency,
      limits: o.serviceEnv ? { defaults_except: o.serviceEnv } : 'defaults (no PODID_RATE_LIMIT_*, PODID_EXEC_QUEUE or connection cap set)',
      sidecar_retries: o.retry ? 'as Conjur\'s client: 10 s per request, backoff 2 s doubling to 15 s, 2 min in all' : 'none',
      failures: res.failures.length,
      failures_by_cause: countBy(res.failures, cause),
      attempts_per_pod: { mean: +(res.attempts.reduce((a, b) => a + b, 0) / Math.max(1, res.attempts.length)).toFixed(2), max: Math.max(0, ...res.attempts) },
      refused_attempts: res.refusals.length,
      refused_attempts_by_cause: countBy(res.refusals, cause),
      kube,
      first_request_to_last_token_ms: Math.round(res.wallMs),
      exec_floor_ms: r1(floorMs),
      exec_floor_x_pods_over_concurrency_ms: Math.round(execBound),
      wall_over_exec_bound: +(res.wallMs / execBound).toFixed(2),
      // The bare execs run `exec_concurrency` at once: if they do not scale (CPU, sandbox setup), this is the real bound.
      exec_floor_parallel_ms_per_exec: r1(floor.parallelMsPerExec),
      exec_floor_parallel_x_pods_ms: Math.round(floor.parallelMsPerExec * o.pods),
      login_ms: { n: ok, p50: r1(percentile(lat, 50)), p99: r1(percentile(lat, 99)), max: r1(lat[lat.length - 1] ?? NaN) },
      inject_request_ms: { p50: r1(percentile(inj, 50)), p99: r1(percentile(inj, 99)), over_10s_client_timeout: inj.filter((x) => x > 10_000).length },
      cpu_ms_per_login: cpuPerLogin,
      cpu_ms_per_login_services_sum: +serviceSum.toFixed(2),
      cpu_ms_per_login_not_podid: mapValues(others1, (v, k) => +((v - others0[k]!) / o.pods).toFixed(2)),
      physical_floor_ms: crypto,
      services_sum_over_floor: +(serviceSum / crypto.sum_ms).toFixed(1),
      key_and_csr_generation_ms: Math.round((ready as { prepareMs: number }).prepareMs),
      memory,
      ...(o.keepState ? { state_dir: stateDir } : {}),
    };
  } finally {
    if (lg.child.connected) lg.child.send({ type: 'close-idle' } satisfies ToLoadgen);
    lg.child.kill();
    await suite.stop();
    if (!o.keepState) rmSync(stateDir, { recursive: true, force: true });
  }
}

/**
 * The gateway's RSS with `n` idle TLS connections (handshake done, no request).
 * The default caps (4096 in total, and the headers timeout) would close them, so
 * the gateway is restarted with caps and timeouts raised for this figure only.
 */
async function idleTlsMemory(suite: Suite, lg: ReturnType<typeof startLoadgen>, n: number, firstAddress: number): Promise<Record<string, unknown>> {
  const env = {
    PODID_GATEWAY_MAX_CONNECTIONS: String(n + 100),
    PODID_GATEWAY_HEADERS_TIMEOUT: '10m',
    PODID_GATEWAY_REQUEST_TIMEOUT: '10m',
    PODID_GATEWAY_IDLE_TIMEOUT: '10m',
    PODID_GATEWAY_HANDSHAKE_TIMEOUT: '1m',
  };
  await suite.restart('gateway', env);
  const pid = suite.services.get('gateway')!.pid!;
  const before = rssMiB(pid);
  const opened = (await lg.ask({ type: 'open-idle', n, firstAddress, concurrency: 64 }, 'idle-open')) as { open: number; refused: number };
  const after = rssMiB(pid);
  return {
    restarted_with: env,
    asked: n,
    open: opened.open,
    refused: opened.refused,
    rss_before_mib: r1(before),
    rss_with_connections_mib: r1(after),
    kib_per_connection: opened.open ? +(((after - before) * 1024) / opened.open).toFixed(1) : null,
  };
}
