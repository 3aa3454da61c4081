import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { loadManifests, startSimulator, type Simulator, type SimulatorOptions } from '@podid/k8s-sim';
import { freePort, startRedis, type RedisHandle } from '@podid/testkit';
import { ServiceProcess } from './service-process';
import { loadOrCreateCa, writeAtomic, writeServiceCert } from './state-pki';

export type ServiceName = 'policy' | 'pod-verifier' | 'ca-signer' | 'cert-injector' | 'token-issuer' | 'gateway';

/** Start order: the gateway last, so that its upstreams are up when it reports ready. */
export const SERVICES: readonly ServiceName[] = ['policy', 'pod-verifier', 'ca-signer', 'cert-injector', 'token-issuer', 'gateway'];

/** Services that talk to Kubernetes, as the service accounts deploy/base/rbac.yaml binds. */
const KUBE_USERS: Partial<Record<ServiceName, string>> = {
  'pod-verifier': 'system:serviceaccount:podid:pod-verifier',
  'cert-injector': 'system:serviceaccount:podid:cert-injector',
};

export interface SuiteOptions {
  stateDir: string;
  policyPath: string;
  manifests: string[];
  redisUrl?: string;
  /** 0 picks a free port. */
  gatewayPort?: number;
  /** The platform gRPC API's port; 0 (the default) picks a free port. */
  platformPort?: number;
  logLevel?: string;
  env?: Partial<Record<ServiceName, Record<string, string>>>;
  simRbac?: boolean;
  /** Also write each service's log to <stateDir>/logs/<service>.log. */
  logToFiles?: boolean;
  /** Images the simulator really runs, besides `podid/authn-client` (= apps/authn-client/dist/main.js). `false`: none at all. */
  images?: SimulatorOptions['images'] | false;
  /** The simulator's watch history window and stream drops (default: the API server's, no drops); tests shorten them to exercise relists. */
  simWatch?: Pick<SimulatorOptions, 'watchHistoryWindowMs' | 'watchDropAfterMs'>;
  /**
   * Several simulated clusters, each with its manifests (`manifests` above is then unused); the first is `sim`.
   * podid gets a clusters file naming them (docs/clusters.md). Unset: one cluster and no clusters file.
   */
  clusters?: ReadonlyArray<{ readonly name: string; readonly manifests: string[] }>;
}

export interface Suite {
  readonly gatewayUrl: string;
  readonly gatewayCaPem: string;
  /** `127.0.0.1:<port>` of the gateway's platform gRPC API (the same serving certificate as gatewayUrl). */
  readonly platformAddr: string;
  /** The first cluster's simulator. */
  readonly sim: Simulator;
  /** Every simulated cluster by name; without `clusters`, the one cluster is `default`. */
  readonly sims: ReadonlyMap<string, Simulator>;
  /** The clusters file the services read, when `clusters` was given. */
  readonly clustersFile: string | undefined;
  readonly redis: RedisHandle | undefined;
  readonly redisUrl: string;
  readonly stateDir: string;
  readonly services: ReadonlyMap<ServiceName, ServiceProcess>;
  logs(service: ServiceName): Array<Record<string, unknown>>;
  /** Restarts a service with extra env; until: 'live' does not wait for readiness (for outage tests). */
  restart(service: ServiceName, env?: Record<string, string>, opts?: { until?: 'ready' | 'live' }): Promise<void>;
  stopService(service: ServiceName): Promise<void>;
  startService(service: ServiceName, env?: Record<string, string>, opts?: { until?: 'ready' | 'live' }): Promise<void>;
  /** A second gateway replica sharing Redis and the upstreams. */
  startExtraGateway(): Promise<{ url: string; platformAddr: string; stop(): Promise<void> }>;
  stop(): Promise<void>;
}

const REPO = resolve(__dirname, '../../..');
const appScript = (name: string) => join(REPO, 'apps', name, 'dist', 'main.js');

/** The sidecar image: the built authn-client, with the repo and node's folder visible read-only in the sandbox. */
export function sidecarImages(): NonNullable<SimulatorOptions['images']> {
  return { 'podid/authn-client': { command: [process.execPath, appScript('authn-client')], readOnlyBinds: [REPO, dirname(process.execPath)] } };
}

/** ConfigMap `podid-gateway-ca` (key ca.pem) in `demo` and every namespace of the manifests, for CONJUR_SSL_CERTIFICATE. */
async function applyGatewayCa(sim: Simulator, manifests: string[], caPem: string): Promise<void> {
  const namespaces = new Set(['demo']);
  for (const o of (await loadManifests(manifests)) as Array<{ kind?: string; metadata?: { name?: string; namespace?: string } }>) {
    if (o.kind === 'Namespace' && o.metadata?.name) namespaces.add(o.metadata.name);
    else if (o.metadata?.namespace) namespaces.add(o.metadata.namespace);
  }
  for (const namespace of namespaces)
    await sim.apply({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'podid-gateway-ca', namespace }, data: { 'ca.pem': caPem } });
}

/**
 * Brings up the whole suite on one machine: the Kubernetes API simulator,
 * Redis, and every service as its own process over internal mTLS.
 */
export async function startSuite(opts: SuiteOptions): Promise<Suite> {
  const stateDir = resolve(opts.stateDir);
  const pkiDir = join(stateDir, 'pki');
  const logDir = opts.logToFiles ? join(stateDir, 'logs') : undefined;
  for (const d of [stateDir, pkiDir, ...(logDir ? [logDir] : [])]) mkdirSync(d, { recursive: true });

  const internalCa = await loadOrCreateCa(pkiDir, 'internal-ca', 'podid internal CA');
  const gatewayCa = await loadOrCreateCa(stateDir, 'gateway-ca', 'podid local gateway CA');
  const rbacFile = join(REPO, 'deploy', 'base', 'rbac.yaml');
  const images = opts.images === false ? {} : { ...sidecarImages(), ...opts.images };
  const clusters = opts.clusters ?? [{ name: 'default', manifests: opts.manifests }];
  const sims = new Map<string, Simulator>();
  const cleanup: Array<() => Promise<unknown>> = [async () => Promise.all([...sims.values()].map((s) => s.stop()))];
  let redis: RedisHandle | undefined;
  try {
    // Each cluster has its own state (PKI, pods) so that no credential of one works against another.
    for (const [i, c] of clusters.entries()) {
      const simDir = i === 0 ? stateDir : join(stateDir, 'clusters', c.name);
      mkdirSync(simDir, { recursive: true });
      sims.set(c.name, await startSimulator({ stateDir: simDir, manifests: [rbacFile, ...c.manifests], rbac: opts.simRbac ?? true, images, ...opts.simWatch }));
      await applyGatewayCa(sims.get(c.name)!, c.manifests, gatewayCa.certPem);
      writeAtomic(join(simDir, 'kubeconfig'), sims.get(c.name)!.adminKubeconfigYaml(), 0o600);
    }
    const sim = sims.get(clusters[0]!.name)!;
    if (!opts.redisUrl) {
      // AOF in the state dir: a second start keeps the revocations.
      redis = await startRedis({ own: true, dir: join(stateDir, 'redis') });
      cleanup.push(() => redis!.stop());
    }
    const redisUrl = opts.redisUrl ?? redis!.url;

    const ports = Object.fromEntries(await Promise.all(SERVICES.map(async (s) => [s, { grpc: await freePort(), ops: await freePort() }] as const))) as Record<
      ServiceName,
      { grpc: number; ops: number }
    >;
    const gatewayPort = opts.gatewayPort === undefined || opts.gatewayPort === 0 ? await freePort() : opts.gatewayPort;
    const gatewayUrl = `https://127.0.0.1:${gatewayPort}`;
    const platformPort = opts.platformPort ? opts.platformPort : await freePort();
    const gatewayTls = await writeServiceCert(gatewayCa, join(stateDir, 'gateway-tls'), 'gateway');
    const caFile = join(pkiDir, 'internal-ca.pem');
    const peers = {
      PODID_POLICY_ADDR: `127.0.0.1:${ports.policy.grpc}`,
      PODID_POD_VERIFIER_ADDR: `127.0.0.1:${ports['pod-verifier'].grpc}`,
      PODID_CA_SIGNER_ADDR: `127.0.0.1:${ports['ca-signer'].grpc}`,
      PODID_CERT_INJECTOR_ADDR: `127.0.0.1:${ports['cert-injector'].grpc}`,
      PODID_TOKEN_ISSUER_ADDR: `127.0.0.1:${ports['token-issuer'].grpc}`,
    };

    const envFor = async (name: ServiceName): Promise<Record<string, string>> => {
      const cert = await writeServiceCert(internalCa, join(pkiDir, 'services'), name);
      const env: Record<string, string> = {
        PODID_TLS_CA_FILE: caFile,
        PODID_TLS_CERT_FILE: cert.certFile,
        PODID_TLS_KEY_FILE: cert.keyFile,
        PODID_GRPC_HOST: '127.0.0.1',
        PODID_GRPC_PORT: String(ports[name].grpc),
        PODID_OPS_HOST: '127.0.0.1',
        PODID_OPS_PORT: String(ports[name].ops),
        PODID_LOG_LEVEL: opts.logLevel ?? 'info',
        REDIS_URL: redisUrl,
        PODID_ISSUER: gatewayUrl,
        ...peers,
      };
      const user = KUBE_USERS[name];
      if (user) env['KUBECONFIG'] = writeServiceKubeconfig(name, user, sim, opts.clusters ? clusters[0]!.name : undefined);
      if (clustersFiles && (name === 'policy' || name === 'pod-verifier' || name === 'cert-injector')) env['PODID_CLUSTERS_FILE'] = clustersFiles[name === 'cert-injector' ? 'cert-injector' : 'pod-verifier'];
      if (name === 'policy') env['PODID_POLICY'] = resolve(opts.policyPath);
      if (name === 'ca-signer') Object.assign(env, { PODID_CA_DIR: join(stateDir, 'ca'), PODID_CA_CREATE: 'true' });
      if (name === 'token-issuer') env['PODID_TOKEN_KEYS_DIR'] = join(stateDir, 'token-keys');
      if (name === 'gateway') {
        Object.assign(env, {
          PODID_GATEWAY_HOST: '127.0.0.1',
          PODID_GATEWAY_PORT: String(gatewayPort),
          PODID_PLATFORM_HOST: '127.0.0.1',
          PODID_PLATFORM_PORT: String(platformPort),
          PODID_GATEWAY_TLS_CERT_FILE: gatewayTls.certFile,
          PODID_GATEWAY_TLS_KEY_FILE: gatewayTls.keyFile,
        });
      }
      return { ...env, ...(opts.env?.[name] ?? {}) };
    };

    // One clusters file per service that connects, since each connects as its own service account (in Kubernetes,
    // one ConfigMap and a per-service Secret at the same path); policy reads pod-verifier's, for names only.
    const clustersFiles = opts.clusters ? writeClustersFiles() : undefined;
    function writeServiceKubeconfig(service: ServiceName, user: string, clusterSim: Simulator, cluster: string | undefined): string {
      const dir = join(stateDir, 'kubeconfigs', ...(cluster ? [cluster] : []));
      mkdirSync(dir, { recursive: true });
      const file = join(dir, `${service}.yaml`);
      writeFileSync(file, clusterSim.kubeconfigYaml({ user, groups: ['system:serviceaccounts', 'system:serviceaccounts:podid', 'system:authenticated'], auth: 'cert' }), { mode: 0o600 });
      return file;
    }
    function writeClustersFiles(): Record<'pod-verifier' | 'cert-injector', string> {
      const files = {} as Record<'pod-verifier' | 'cert-injector', string>;
      for (const service of ['pod-verifier', 'cert-injector'] as const) {
        const entries = clusters.map((c) => `  - name: ${c.name}\n    kubeconfig: ${writeServiceKubeconfig(service, KUBE_USERS[service]!, sims.get(c.name)!, c.name)}\n`);
        files[service] = join(stateDir, `clusters.${service}.yaml`);
        writeAtomic(files[service], `# Written by local mode (tools/local/src/suite.ts); format: docs/clusters.md.\nclusters:\n${entries.join('')}`, 0o600);
      }
      return files;
    }

    const services = new Map<ServiceName, ServiceProcess>();
    for (const name of SERVICES) services.set(name, new ServiceProcess(name, appScript(name), await envFor(name), logDir));
    cleanup.push(async () => {
      for (const name of [...SERVICES].reverse()) await services.get(name)!.stop();
      for (const s of services.values()) s.closeLog();
    });
    // Backends start in parallel; the gateway waits for them.
    await Promise.all(SERVICES.filter((s) => s !== 'gateway').map((s) => services.get(s)!.start()));
    await services.get('gateway')!.start();

    const extras: ServiceProcess[] = [];
    const stopAll = async () => {
      for (const e of extras) await e.stop();
      for (const fn of cleanup.reverse()) await fn().catch(() => undefined);
    };
    return {
      gatewayUrl,
      gatewayCaPem: gatewayCa.certPem,
      platformAddr: `127.0.0.1:${platformPort}`,
      sim,
      sims,
      clustersFile: clustersFiles?.['pod-verifier'],
      redis,
      redisUrl,
      stateDir,
      services,
      logs: (s) => services.get(s)!.lines,
      async restart(s, env, o) {
        await services.get(s)!.stop();
        await services.get(s)!.start(env, o);
      },
      stopService: async (s) => void (await services.get(s)!.stop()),
      startService: (s, env, o) => services.get(s)!.start(env, o),
      async startExtraGateway() {
        const port = await freePort();
        const platform = await freePort();
        const env = { ...(await envFor('gateway')), PODID_GATEWAY_PORT: String(port), PODID_PLATFORM_PORT: String(platform), PODID_OPS_PORT: String(await freePort()) };
        const p = new ServiceProcess(`gateway-${extras.length + 2}`, appScript('gateway'), env, logDir);
        extras.push(p);
        await p.start();
        return { url: `https://127.0.0.1:${port}`, platformAddr: `127.0.0.1:${platform}`, stop: async () => void (await p.stop()) };
      },
      stop: stopAll,
    };
  } catch (e) {
    for (const fn of cleanup.reverse()) await fn().catch(() => undefined);
    throw e;
  }
}
