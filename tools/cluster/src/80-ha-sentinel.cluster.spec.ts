import { mkdirSync, chownSync, rmSync } from 'node:fs';
import path from 'node:path';
import { adminKubeconfig, apply, kubectl, kubectlJson, kubectlOk, repoRoot, stateDir, until } from './support/tier';
import { bootstrapSecrets, gateway, ns, waitAvailable } from './support/podid';
import { demoNs, exampleManifest, prepareDemoNamespace, readyPod, waitForToken } from './support/demo';

const REDIS_PODS = 3;

/** A fresh hostPath volume per Redis pod of the ha overlay (a bare cluster has no provisioner). */
async function offerRedisVolumes(): Promise<void> {
  for (let i = 0; i < REDIS_PODS; i++) {
    const dir = path.join(stateDir, 'volumes', `ha-redis-${i}`);
    rmSync(dir, { recursive: true, force: true });
    // A volume released by an earlier install keeps its claimRef and binds nothing: start anew.
    await kubectl(['delete', 'persistentvolume', `podid-tier-ha-redis-${i}`, '--ignore-not-found', '--wait=true']);
    mkdirSync(dir, { recursive: true });
    chownSync(dir, 999, 999);
    await apply(`apiVersion: v1
kind: PersistentVolume
metadata: { name: podid-tier-ha-redis-${i} }
spec:
  capacity: { storage: 1Gi }
  accessModes: [ReadWriteOnce]
  persistentVolumeReclaimPolicy: Retain
  hostPath: { path: ${dir}, type: Directory }
`);
  }
}

async function sentinel(args: string[]): Promise<string> {
  return kubectlOk(['-n', ns, 'exec', 'redis-sentinel-0', '--', 'redis-cli', '-p', '26379', ...args]);
}

// Issue 13 item 3, second half: deploy/overlays/ha with Redis Sentinel really running.
describe('deploy/overlays/ha on a real cluster', () => {
  beforeAll(async () => {
    // Start from nothing: the dev install's namespace, Redis volume and the demo app go.
    await kubectl(['delete', 'namespace', ns, demoNs, '--ignore-not-found', '--timeout=240s'], { timeoutMs: 250_000 });
    await kubectl(['delete', 'persistentvolume', 'podid-tier-redis-0', '--ignore-not-found']);
    await bootstrapSecrets(adminKubeconfig);
    await offerRedisVolumes();
  });

  it('kubectl apply -k deploy/overlays/ha: every Deployment Available, 3 Redis and 3 Sentinels that agree on one master', async () => {
    await kubectlOk(['apply', '-k', path.join(repoRoot, 'deploy/overlays/ha')], { timeoutMs: 180_000 });
    for (const sts of ['redis', 'redis-sentinel']) {
      await kubectlOk(['-n', ns, 'rollout', 'status', `statefulset/${sts}`, '--timeout=300s'], { timeoutMs: 310_000 });
    }
    await waitAvailable();
    const master = await until('a master known to Sentinel', async () => {
      const addr = (await sentinel(['sentinel', 'get-master-addr-by-name', 'podid'])).trim().split('\n');
      return addr.length === 2 && addr[0] ? addr : undefined;
    }, 120_000, 3000);
    expect(master[1]).toBe('6379');
    const replicas = await until('two replicas known to Sentinel', async () => {
      const out = await sentinel(['sentinel', 'replicas', 'podid']);
      const count = (out.match(/^name$/gm) ?? []).length;
      return count === REDIS_PODS - 1 ? count : undefined;
    }, 120_000, 3000);
    expect(replicas).toBe(2);
    expect((await sentinel(['sentinel', 'sentinels', 'podid'])).match(/^name$/gm)?.length).toBe(2); // the other two
    expect((await gateway('GET', '/readyz')).status).toBe(200);
  });

  it('the example app logs in through the ha install; after the Redis master is killed, Sentinel fails over and logins go on', async () => {
    await prepareDemoNamespace();
    await kubectlOk(['apply', '-f', '-'], { input: exampleManifest() });
    const first = await readyPod('app=demo-app');
    await waitForToken(first.name);

    // The Sentinels announce host names (redis-N.redis), or an IP where a pod announces one.
    const [masterIp] = (await sentinel(['sentinel', 'get-master-addr-by-name', 'podid'])).trim().split('\n');
    const pods = await kubectlJson<{ items: Array<{ metadata: { name: string }; status: { podIP: string } }> }>(['-n', ns, 'get', 'pods', '-l', 'app.kubernetes.io/name=redis']);
    const masterPod = pods.items.find((p) => p.status.podIP === masterIp || masterIp?.split('.')[0] === p.metadata.name)?.metadata.name;
    expect(masterPod).toMatch(/^redis-\d$/);
    await kubectlOk(['-n', ns, 'delete', 'pod', masterPod!, '--grace-period=0', '--force']);
    const promoted = await until('a new master', async () => {
      const [ip] = (await sentinel(['sentinel', 'get-master-addr-by-name', 'podid'])).trim().split('\n');
      return ip && ip !== masterIp ? ip : undefined;
    }, 120_000, 2000);
    expect(promoted).not.toBe(masterIp);

    // A new pod logs in after the failover.
    await kubectlOk(['-n', demoNs, 'delete', 'pod', first.name, '--wait=false']);
    const second = await until('a new ready demo pod', async () => {
      const p = await readyPod('app=demo-app', demoNs, 10_000).catch(() => undefined);
      return p && p.uid !== first.uid ? p : undefined;
    }, 240_000, 3000);
    expect((await waitForToken(second.name)).claims['k8s']).toMatchObject({ pod: second.name, pod_uid: second.uid });
  });
});
