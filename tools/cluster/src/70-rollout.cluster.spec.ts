import { kubectl, kubectlJson, kubectlOk, until } from './support/tier';
import { serviceLogs } from './support/podid';
import { demoNs, exampleManifest, installTier, prepareDemoNamespace } from './support/demo';

// 30 by default: at 100 this 2-CPU node, starting every pod at once, runs execs too slowly for the sidecars'
// 10 s timeout and the rollout collapses into retries (tools/cluster/README.md); PODID_TIER_ROLLOUT_REPLICAS=100 runs it.
const REPLICAS = Number(process.env['PODID_TIER_ROLLOUT_REPLICAS'] ?? 30);

/** apiserver_request_total from the API server's own /metrics, summed by a label set. */
async function apiRequests(): Promise<{ total: number; exec: number }> {
  const text = await kubectlOk(['get', '--raw', '/metrics'], { timeoutMs: 60_000 });
  let total = 0;
  let exec = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith('apiserver_request_total{')) continue;
    const value = Number(line.slice(line.lastIndexOf(' ') + 1));
    total += value;
    if (line.includes('subresource="exec"')) exec += value;
  }
  return { total, exec };
}

// Issue 13 item 8: a rollout of the example app at scale on one real node.
describe(`a rollout of ${REPLICAS} replicas of deploy/examples/app-with-sidecar.yaml`, () => {
  beforeAll(async () => {
    await installTier();
    await prepareDemoNamespace();
  });

  it('certifies and tokens every pod, refuses none for its identity; retries, API requests per pod and time to the last token', async () => {
    // From the example as shipped, whatever an earlier spec did to the Deployment.
    await kubectl(['-n', demoNs, 'delete', 'deployment', 'demo-app', '--ignore-not-found', '--wait=true', '--timeout=120s'], { timeoutMs: 130_000 });
    await kubectlOk(['apply', '-f', '-'], { input: exampleManifest() });
    await kubectlOk(['-n', demoNs, 'rollout', 'status', 'deployment/demo-app', '--timeout=240s'], { timeoutMs: 250_000 });
    // The node has 2 CPUs: the example's requests would leave most pods Pending, so the storm asks for little.
    await kubectlOk([
      '-n', demoNs, 'patch', 'deployment', 'demo-app', '--type', 'json', '-p',
      JSON.stringify([0, 1].flatMap((i) => [
        { op: 'replace', path: `/spec/template/spec/containers/${i}/resources/requests/cpu`, value: '1m' },
        { op: 'replace', path: `/spec/template/spec/containers/${i}/resources/requests/memory`, value: '8Mi' },
      ])),
    ]);
    await kubectlOk(['-n', demoNs, 'rollout', 'status', 'deployment/demo-app', '--timeout=240s'], { timeoutMs: 250_000 });
    const before = await apiRequests();
    const since = Date.now();
    await kubectlOk(['-n', demoNs, 'scale', 'deployment/demo-app', `--replicas=${REPLICAS}`]);

    // Ready means the sidecar has a fresh token on disk (its readiness) and the app's probe found it.
    const readyAt = await until(
      `${REPLICAS} ready pods`,
      async () => {
        const d = await kubectlJson<{ status: { readyReplicas?: number; updatedReplicas?: number } }>(['-n', demoNs, 'get', 'deployment', 'demo-app']);
        return (d.status.readyReplicas ?? 0) >= REPLICAS ? Date.now() : undefined;
      },
      20 * 60_000,
      5000,
    );
    const after = await apiRequests();
    const seconds = (readyAt - since) / 1000;

    const pods = await kubectlJson<{ items: Array<{ metadata: { name: string; deletionTimestamp?: string } }> }>(['-n', demoNs, 'get', 'pods', '-l', 'app=demo-app']);
    const live = pods.items.filter((p) => !p.metadata.deletionTimestamp).map((p) => p.metadata.name);
    expect(live.length).toBe(REPLICAS);
    const gateway = await serviceLogs('gateway', Math.ceil((Date.now() - since) / 1000) + 60);
    const injects = gateway.filter((l) => l.event === 'AUDIT_INJECT_CLIENT_CERT' && live.includes(String(l['pod'])));
    const failures = gateway.filter((l) => (l.event === 'AUDIT_INJECT_CLIENT_CERT' || l.event === 'AUDIT_AUTHENTICATE') && l['result'] === 'failure' && live.includes(String(l['pod'])));
    const certified = new Set(injects.filter((l) => l['result'] === 'success').map((l) => String(l['pod'])));
    const tokens = gateway.filter((l) => l.event === 'AUDIT_AUTHENTICATE' && l['result'] === 'success' && live.includes(String(l['pod'])));
    const tokened = new Set(tokens.map((l) => String(l['pod'])));
    // Each pod's first token (pino's `time`, ISO 8601); the last of them ends the rollout.
    const firstToken = new Map<string, number>();
    for (const l of tokens) firstToken.set(String(l['pod']), Math.min(Date.parse(String(l['time'])), firstToken.get(String(l['pod'])) ?? Infinity));
    for (const name of live) {
      expect(certified.has(name) || name).toBe(true);
      expect(tokened.has(name) || name).toBe(true);
    }
    const figures = {
      replicas: REPLICAS,
      seconds_to_last_token: Math.round((Math.max(...firstToken.values()) - since) / 1000),
      seconds_to_last_ready: Math.round(seconds),
      inject_attempts_per_pod: Number((injects.length / REPLICAS).toFixed(2)),
      api_requests_per_pod: Number(((after.total - before.total) / REPLICAS).toFixed(1)),
      exec_requests_per_pod: Number(((after.exec - before.exec) / REPLICAS).toFixed(2)),
      failed_logins: failures.length,
      failure_codes: [...new Set(failures.map((f) => String(f['code'])))],
    };
    console.log(`ROLLOUT ${JSON.stringify(figures)}`);
    // Attempts that a node starting 100 pods on 2 CPUs could not serve within the sidecar's 10 s are retried by the
    // sidecars (counted above; the aim is 0, not met on this node: tools/cluster/README.md). What must never happen
    // is a refusal of a pod for its identity.
    const overload = new Set(['EXEC_TIMEOUT', 'EXEC_QUEUE_FULL', 'EXEC_QUEUE_TIMEOUT', 'UPSTREAM_DEADLINE_EXCEEDED', 'RATE_LIMITED']);
    expect(figures.failure_codes.filter((c) => !overload.has(c))).toEqual([]);

    await kubectlOk(['-n', demoNs, 'scale', 'deployment/demo-app', '--replicas=1']);
  });
});
