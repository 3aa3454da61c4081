import { rmSync } from 'node:fs';
import { SERVICES, type ServiceName } from '@podid/local';
import { httpsCall, tmpDir } from '@podid/testkit';
import { fdCount, rssMiB, slope } from './proc-stats';
import { seedStormPods } from './storm-pods';
import { authenticate, certificateLogin, expectOk, measureCapacity, openLoop, startLoadSuite } from './soak-traffic';

/** A descriptor count that grows by more than this over the soak is a leak (sockets in TIME_WAIT are not descriptors). */
const FD_GROWTH_LIMIT = 20;

export interface SoakOptions {
  readonly seconds: number;
  readonly pods: number;
  /** Requests per second; unset: half of the capacity measured first. */
  readonly rate?: number;
  readonly calibrateSeconds: number;
}

type Op = 'authenticate' | 'certificate' | 'jwks';

/**
 * `npm run soak`: mixed traffic at about half of capacity (certificate logins, mTLS authenticates, JWKS reads) for
 * `seconds`, then a report with every error, each service's RSS slope and its file descriptors before and after.
 * It fails on any error and on a descriptor leak (docs/performance.md, "Soak").
 */
export async function runSoak(o: SoakOptions): Promise<{ ok: boolean; report: Record<string, unknown> }> {
  const stateDir = tmpDir('podid-soak-');
  const suite = await startLoadSuite(stateDir);
  try {
    const pods = await seedStormPods(suite.sim, 0, o.pods);
    const logins = await Promise.all(pods.map((p) => certificateLogin(suite, p)));
    let next = 0;
    const pick = () => logins[next++ % logins.length]!;

    const errors: Record<string, number> = {};
    const counts: Record<Op, number> = { authenticate: 0, certificate: 0, jwks: 0 };
    const run = async (op: Op, i: number): Promise<void> => {
      const login = pick();
      try {
        // The pod of a certificate login rotates slowly, so that two of one pod never overlap (both would wait for one file).
        if (op === 'certificate') {
          const target = logins[Math.floor(i / 20) % logins.length]!;
          Object.assign(target, await certificateLogin(suite, target.pod));
        }
        else expectOk(op === 'jwks' ? await httpsCall(suite.gatewayUrl, { path: '/.well-known/jwks.json', caPem: suite.gatewayCaPem }) : await authenticate(suite, login), op);
        counts[op]++;
      } catch (e) {
        const key = `${op}: ${(e as Error).message}`.slice(0, 160);
        errors[key] = (errors[key] ?? 0) + 1;
      }
    };
    // One op in 20 is a new certificate login, one in 20 a JWKS read, the rest mTLS authenticates.
    const mix = (i: number): Op => (i % 20 === 7 ? 'certificate' : i % 20 === 13 ? 'jwks' : 'authenticate');

    const capacity = o.rate ? undefined : await measureCapacity((i) => run(mix(i), i), o.calibrateSeconds);
    const rate = o.rate ?? Math.max(1, Math.floor(capacity! / 2));
    for (const k of Object.keys(errors)) delete errors[k];
    for (const k of Object.keys(counts) as Op[]) counts[k] = 0;

    const pids = Object.fromEntries(SERVICES.map((s) => [s, suite.services.get(s)!.pid!])) as Record<ServiceName, number>;
    const fdBefore = mapValues(pids, fdCount);
    const rss: Record<string, Array<[number, number]>> = mapValues(pids, () => []);
    const t0 = Date.now();
    const sampler = setInterval(() => {
      for (const [s, pid] of Object.entries(pids)) rss[s]!.push([(Date.now() - t0) / 60_000, rssMiB(pid)]);
    }, 5000);
    await openLoop((i) => run(mix(i), i), rate, o.seconds * 1000);
    clearInterval(sampler);
    // Let the last connections close before counting descriptors.
    await new Promise((r) => setTimeout(r, 2000));
    const fdAfter = mapValues(pids, fdCount);
    // The first fifth warms caches and JIT: the slope is of the rest.
    const rssSlope = mapValues(rss, (pts) => +slope(pts.slice(Math.floor(pts.length / 5))).toFixed(2));
    const fdGrowth = mapValues(fdAfter, (n, s) => n - fdBefore[s]!);
    const leaks = Object.entries(fdGrowth).filter(([, g]) => g > FD_GROWTH_LIMIT);
    const requests = Object.values(counts).reduce((a, b) => a + b, 0);
    const errorCount = Object.values(errors).reduce((a, b) => a + b, 0);
    const report = {
      seconds: o.seconds,
      pods: o.pods,
      capacity_per_s: capacity,
      rate_per_s: rate,
      requests,
      by_op: counts,
      errors: errorCount,
      error_causes: errors,
      rss_slope_mib_per_min: rssSlope,
      rss_end_mib: mapValues(pids, (pid) => +rssMiB(pid).toFixed(1)),
      fd_before: fdBefore,
      fd_after: fdAfter,
      fd_leaks: Object.fromEntries(leaks),
    };
    return { ok: errorCount === 0 && leaks.length === 0 && requests > 0, report };
  } finally {
    await suite.stop();
    rmSync(stateDir, { recursive: true, force: true });
  }
}

const mapValues = <T, U>(o: Record<string, T>, f: (v: T, k: string) => U): Record<string, U> => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, f(v, k)]));
