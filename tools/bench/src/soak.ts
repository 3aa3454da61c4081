import { runSoak } from './soak-run';

// Soak (docs/performance.md, "Soak"): mixed traffic at about half of capacity. Run: npm run soak
//   SOAK_SECONDS (600; CI runs 120), SOAK_PODS (20), SOAK_RATE (requests/s; default half the measured capacity),
//   SOAK_CALIBRATE_SECONDS (10). Exits 1 on any error or a file-descriptor leak.
const num = (name: string, def?: number) => (process.env[name] ? Number(process.env[name]) : def);

runSoak({ seconds: num('SOAK_SECONDS', 600)!, pods: num('SOAK_PODS', 20)!, rate: num('SOAK_RATE'), calibrateSeconds: num('SOAK_CALIBRATE_SECONDS', 10)! })
  .then(({ ok, report }) => {
    process.stdout.write(`SOAK ${JSON.stringify(report, null, 2)}\n`);
    if (!ok) process.stderr.write('soak: FAILED (errors or a descriptor leak; see the report)\n');
    process.exit(ok ? 0 : 1);
  })
  .catch((e: unknown) => {
    process.stderr.write(`soak: ${e instanceof Error ? e.stack : String(e)}\n`);
    process.exit(1);
  });
