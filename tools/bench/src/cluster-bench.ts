import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { startSimulator, type Simulator } from '@podid/k8s-sim';
import { ClusterSet, clusterKubeConfig, InformerPodDirectory } from '@podid/kube';
import { createLogger } from '@podid/logging';
import { DEFAULT_CLUSTER } from '@podid/policy-model';
import { tmpDir } from '@podid/testkit';

// Per-cluster figures (docs/performance.md, "Many clusters"): BENCH_CLUSTERS simulated clusters of BENCH_PODS pods
// each, served by pod-verifier's informer set per cluster (ClusterSet + InformerPodDirectory, in this process).
// Baseline, in the same run: one plain list of the same pods through @kubernetes/client-node, held in memory.
// Run: npm run bench:clusters   (BENCH_CLUSTERS=2, BENCH_PODS=10000)
const clusters = Number(process.env['BENCH_CLUSTERS'] ?? 2);
const podsPerCluster = Number(process.env['BENCH_PODS'] ?? 10_000);
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc (npm run bench:clusters does)');

const heapMiB = () => {
  gc!();
  gc!();
  return process.memoryUsage().heapUsed / 2 ** 20;
};

async function seed(sim: Simulator, n: number): Promise<void> {
  await sim.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'bench' } });
  await sim.apply({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'app-sa', namespace: 'bench' } });
  for (let i = 0; i < n; i++) {
    await sim.apply({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: `app-${i}`, namespace: 'bench', uid: randomUUID(), labels: { app: 'bench', 'pod-template-hash': '5c7d9' } },
      spec: { serviceAccountName: 'app-sa', containers: [{ name: 'app', image: 'busybox' }, { name: 'authenticator', image: 'podid/authn-client' }] },
      status: { phase: 'Running', podIP: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}` },
    });
  }
}

async function main(): Promise<void> {
  const dir = tmpDir('podid-cluster-bench-');
  const sims: Simulator[] = [];
  try {
    const seeded = Date.now();
    for (let c = 0; c < clusters; c++) {
      const sim = await startSimulator({ stateDir: join(dir, `c${c}`), manifests: [], rbac: false, images: {} });
      sims.push(sim);
      await seed(sim, podsPerCluster);
    }
    const seedSeconds = (Date.now() - seeded) / 1000;

    // Baseline: one list of every pod of cluster 0, kept.
    const admin = new KubeConfig();
    admin.loadFromString(sims[0]!.adminKubeconfigYaml());
    const before = heapMiB();
    const listStart = process.hrtime.bigint();
    const list = await admin.makeApiClient(CoreV1Api).listPodForAllNamespaces();
    const listMs = Number(process.hrtime.bigint() - listStart) / 1e6;
    // `list` stays referenced until the report, so this heap figure measures it.
    const listHeap = heapMiB() - before;
    if (list.items.length < podsPerCluster) throw new Error(`listed ${list.items.length} pods, expected ${podsPerCluster}`);

    const file = join(dir, 'clusters.yaml');
    writeFileSync(
      file,
      `clusters:\n${sims
        .map((s, i) => {
          const kc = join(dir, `c${i}.kubeconfig`);
          writeFileSync(kc, s.adminKubeconfigYaml(), { mode: 0o600 });
          return `  - name: c${i}\n    kubeconfig: ${kc}\n`;
        })
        .join('')}`,
    );
    const log = createLogger({ service: 'pod-verifier', level: 'silent' });
    const heapBefore = heapMiB();
    const started = process.hrtime.bigint();
    const syncedAfterMs = new Map<string, number>();
    const set = new ClusterSet<InformerPodDirectory>({
      file,
      fallback: { name: DEFAULT_CLUSTER, trustDomain: 'cluster.local', credentials: { kind: 'in-cluster' } },
      defaultTrustDomain: 'cluster.local',
      log,
      open: (decl) => {
        const pods = new InformerPodDirectory({ kc: clusterKubeConfig(decl).kc, log });
        pods.start();
        return pods;
      },
      close: (pods) => pods.stop(),
    });
    await set.start();
    await new Promise<void>((resolve) => {
      const timer = setInterval(() => {
        for (const { decl, value } of set.list()) {
          if (value?.synced && !syncedAfterMs.has(decl.name)) syncedAfterMs.set(decl.name, Number(process.hrtime.bigint() - started) / 1e6);
        }
        if (syncedAfterMs.size === clusters) {
          clearInterval(timer);
          resolve();
        }
      }, 5);
    });
    const informerHeap = heapMiB() - heapBefore;
    await set.stop();
    const perCluster = informerHeap / clusters;
    const times = [...syncedAfterMs.values()];
    const report = {
      clusters,
      pods_per_cluster: podsPerCluster,
      seed_seconds: Math.round(seedSeconds),
      baseline: { list_ms: Math.round(listMs), list_heap_mib: round(listHeap), pods_listed: list.items.length },
      informers: {
        heap_mib_per_cluster: round(perCluster),
        heap_mib_per_10k_pods: round((perCluster * 10_000) / podsPerCluster),
        ms_to_first_ready_by_cluster: Object.fromEntries([...syncedAfterMs].map(([k, v]) => [k, Math.round(v)])),
      },
      ratios: {
        heap_per_cluster_vs_plain_list: round(perCluster / listHeap),
        first_ready_vs_plain_list: round(Math.max(...times) / listMs),
      },
    };
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  } finally {
    await Promise.all(sims.map((s) => s.stop()));
  }
}

const round = (x: number) => Math.round(x * 100) / 100;


main().catch((e: unknown) => {
  process.stderr.write(`cluster-bench: ${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
