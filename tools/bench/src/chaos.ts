import { runChaos } from './chaos-run';

// Chaos (docs/performance.md, "Chaos"): kill -9 each service in turn during a login storm. Run: npm run chaos
//   CHAOS_PHASE_SECONDS (20 per service), CHAOS_PODS (20), CHAOS_RATE (requests/s, 20), CHAOS_SENTINEL (1: Redis
//   behind Sentinels, and a last phase that kills the master during logins and revocations). Exits 1 when a failure
//   is not a 503 naming a dependency, a refused identity gets a token, the suite does not recover, or a pod
//   cannot get its certificate at the end.
const num = (name: string, def: number) => (process.env[name] ? Number(process.env[name]) : def);

runChaos({ phaseSeconds: num('CHAOS_PHASE_SECONDS', 20), pods: num('CHAOS_PODS', 20), rate: num('CHAOS_RATE', 20), sentinel: process.env['CHAOS_SENTINEL'] !== '0' })
  .then(({ ok, report }) => {
    process.stdout.write(`CHAOS ${JSON.stringify(report, null, 2)}\n`);
    if (!ok) process.stderr.write('chaos: FAILED (see the report)\n');
    process.exit(ok ? 0 : 1);
  })
  .catch((e: unknown) => {
    process.stderr.write(`chaos: ${e instanceof Error ? e.stack : String(e)}\n`);
    process.exit(1);
  });
