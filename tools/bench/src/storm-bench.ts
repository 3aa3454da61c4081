import { runStorm } from './storm-run';

// Rollout storm: BENCH_PODS pods of one Deployment log in at once under the default limits
// (docs/performance.md, "Rollout storm"). Run: npm run bench:storm
//   BENCH_PODS (1000), BENCH_C logins in flight (all pods), BENCH_RETRY=1 (sidecars retry with Conjur's backoff; default one attempt each), BENCH_EXEC_CONCURRENCY (cert-injector's default),
//   BENCH_FLOOR_EXECS (20), BENCH_MEMORY_PODS (10000; 0 skips), BENCH_IDLE_CONNS (10000; 0 skips),
//   BENCH_ENV a JSON object of extra env per service ({"cert-injector":{"PODID_EXEC_QUEUE":"2000"}}),
//   BENCH_KEEP_STATE=1 keeps the state folder with every service's log.
const num = (name: string, def?: number) => (process.env[name] ? Number(process.env[name]) : def);

runStorm({
  pods: num('BENCH_PODS', 1000)!,
  concurrency: num('BENCH_C'),
  retry: process.env['BENCH_RETRY'] === '1',
  execConcurrency: num('BENCH_EXEC_CONCURRENCY'),
  floorExecs: num('BENCH_FLOOR_EXECS', 20),
  memoryPods: num('BENCH_MEMORY_PODS', 10_000),
  idleConnections: num('BENCH_IDLE_CONNS', 10_000),
  serviceEnv: process.env['BENCH_ENV'] ? (JSON.parse(process.env['BENCH_ENV']) as Record<string, Record<string, string>>) : undefined,
  keepState: process.env['BENCH_KEEP_STATE'] === '1',
})
  .then((report) => process.stdout.write(`${JSON.stringify(report, null, 2)}\n`))
  .catch((e: unknown) => {
    process.stderr.write(`storm-bench: ${e instanceof Error ? e.stack : String(e)}\n`);
    process.exit(1);
  });
