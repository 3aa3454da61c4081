import { rmSync } from 'node:fs';
import { SERVICES, type ServiceName, type Suite } from '@podid/local';
import { startRedisSentinels, tmpDir, waitFor, type RedisSentinels } from '@podid/testkit';
import { seedStormPods, STORM_NAMESPACE } from './storm-pods';
import { authenticate, certificateLogin, isActive, LoginRefused, openLoop, revokeOwnToken, startLoadSuite, type Login } from './soak-traffic';

/** A host of the fixture policy that no storm pod may be (StatefulSet demo-db): presenting for it must always fail. */
const OTHER_HOST = 'conjur/authn-k8s/dev/apps/demo-db';

export interface ChaosOptions {
  /** Seconds of traffic per service killed. */
  readonly phaseSeconds: number;
  readonly pods: number;
  /** Requests per second during each phase. */
  readonly rate: number;
  /** Redis behind three Sentinels, and a last phase that kills its master during logins and revocations. */
  readonly sentinel: boolean;
}

interface FailoverPhase {
  ok: number;
  failures: Record<string, number>;
  /** Failures that are not 503s naming Redis. */
  unexpected: number;
  /** From the first failure after the kill to the last one: the window clients saw. */
  windowSeconds: number;
  revocationsAnswered200: number;
  /** Revocations answered 200 whose token is active afterwards: must be 0. */
  revocationsLost: number;
  failuresAfterRecovery: number;
}

interface Phase {
  service: ServiceName;
  ok: number;
  /** Answers by cause while the service was down or coming back; only 503s (naming the dependency) and, for the gateway itself, refused connections are allowed. */
  failures: Record<string, number>;
  unexpected: number;
  /** A refused identity that got a token: must stay 0. */
  failOpen: number;
  restartSeconds: number;
  /** From the kill to the first success after the restart. */
  recoverySeconds: number;
  /** Failures in the last 5 s of the phase, after recovery: must be 0. */
  failuresAfterRecovery: number;
}

/**
 * `npm run chaos`: kill -9 each service in turn during a login storm whose clients retry, restart it as kubelet
 * would, and require that every failure is a 503 naming a dependency (or a refused connection to the gateway
 * itself), that the suite recovers by itself, that no refused identity ever gets a token, and that every pod can
 * still get its certificate at the end (docs/performance.md, "Chaos").
 */
export async function runChaos(o: ChaosOptions): Promise<{ ok: boolean; report: Record<string, unknown> }> {
  const stateDir = tmpDir('podid-chaos-');
  const sentinels = o.sentinel ? await startRedisSentinels({ replicas: 2 }) : undefined;
  const suite = await startLoadSuite(stateDir, sentinels?.url);
  try {
    const pods = await seedStormPods(suite.sim, 0, o.pods + 1);
    const logins = await Promise.all(pods.map((p) => certificateLogin(suite, p)));
    // The fail-closed probe: the certificate of a pod that is gone.
    const gone = logins.pop()!;
    await suite.sim.remove('Pod', STORM_NAMESPACE, gone.pod.name);
    await waitFor(async () => ((await authenticate(suite, gone)).status === 401 ? true : undefined), { timeoutMs: 30_000, message: 'the deleted pod refused' });

    const phases: Phase[] = [];
    for (const service of SERVICES) phases.push(await chaosPhase(suite, service, logins, gone, o));
    const failover = sentinels ? await redisFailoverPhase(suite, sentinels, logins, o) : undefined;
    const certified = await Promise.all(logins.map((l) => retry(() => certificateLogin(suite, l.pod), 30_000).then(() => true, () => false)));
    const report = { phase_seconds: o.phaseSeconds, pods: o.pods, rate_per_s: o.rate, phases, ...(failover ? { redis_failover: failover } : {}), pods_certified_at_end: certified.filter(Boolean).length };
    const ok =
      phases.every((p) => p.failOpen === 0 && p.unexpected === 0 && p.failuresAfterRecovery === 0 && Number.isFinite(p.recoverySeconds)) &&
      (!failover || (failover.unexpected === 0 && failover.revocationsLost === 0 && failover.failuresAfterRecovery === 0 && failover.revocationsAnswered200 > 0)) &&
      certified.every(Boolean);
    return { ok, report };
  } finally {
    await suite.stop();
    await sentinels?.stop();
    rmSync(stateDir, { recursive: true, force: true });
  }
}

async function chaosPhase(suite: Suite, service: ServiceName, logins: Login[], gone: Login, o: ChaosOptions): Promise<Phase> {
  const phase: Phase = { service, ok: 0, failures: {}, unexpected: 0, failOpen: 0, restartSeconds: NaN, recoverySeconds: Infinity, failuresAfterRecovery: 0 };
  const start = Date.now();
  const killAt = start + 3000;
  const tailFrom = start + (o.phaseSeconds - 5) * 1000;
  let killedAt = 0;
  let restarted = false;
  const record = (cause: string, allowed: boolean) => {
    if (Date.now() >= tailFrom) phase.failuresAfterRecovery++;
    phase.failures[cause] = (phase.failures[cause] ?? 0) + 1;
    if (!allowed) phase.unexpected++;
  };
  const op = async (i: number) => {
    // One request in ten is a probe that must fail: the gone pod's certificate, or a certificate for another host.
    if (i % 10 === 3 || i % 10 === 8) {
      const r = await authenticate(suite, i % 10 === 3 ? gone : logins[i % logins.length]!, i % 10 === 3 ? undefined : OTHER_HOST).catch(() => undefined);
      if (r?.status === 200) phase.failOpen++;
      return;
    }
    const login = logins[i % logins.length]!;
    try {
      // One in ten is a certificate login, so that ca-signer and cert-injector are on the path.
      // Its pod rotates slowly, so that two certificate logins of one pod never overlap (both would wait for one file).
      const r =
        i % 10 === 5
          ? await certificateLogin(suite, logins[Math.floor(i / 10) % logins.length]!.pod).then(() => ({ status: 200, body: '' }), (e: unknown) => refusedAnswer(e))
          : await authenticate(suite, login);
      if (r.status === 200) {
        phase.ok++;
        if (restarted && phase.recoverySeconds === Infinity) phase.recoverySeconds = +((Date.now() - killedAt) / 1000).toFixed(1);
        return;
      }
      const code = r.status === 503 ? (JSON.parse(r.body) as { error?: { code?: string } }).error?.code : undefined;
      record(`${r.status} ${code ?? r.body.slice(0, 60)}`, r.status === 503 && !!code?.endsWith('_unavailable'));
    } catch (e) {
      const cause = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
      // While the gateway itself is down, a client sees a refused or reset connection, and retries.
      record(`network ${cause}`, service === 'gateway' && ['ECONNREFUSED', 'ECONNRESET', 'EPIPE'].includes(cause));
    }
  };
  const chaos = (async () => {
    await new Promise((r) => setTimeout(r, killAt - Date.now()));
    const proc = suite.services.get(service)!;
    killedAt = Date.now();
    process.kill(proc.pid!, 'SIGKILL');
    await waitFor(() => !proc.running, { timeoutMs: 5000, message: `${service} gone after kill -9` });
    // kubelet restarts a crashed container after a short backoff.
    await new Promise((r) => setTimeout(r, 1000));
    await suite.startService(service);
    phase.restartSeconds = +((Date.now() - killedAt) / 1000).toFixed(1);
    restarted = true;
  })();
  await openLoop(op, o.rate, o.phaseSeconds * 1000);
  await chaos;
  return phase;
}

/**
 * The Redis master killed while pods log in and revoke their own tokens: Sentinel promotes a replica, the services
 * find it by themselves, and every revocation that was answered 200 holds afterwards.
 */
async function redisFailoverPhase(suite: Suite, sentinels: RedisSentinels, logins: Login[], o: ChaosOptions): Promise<FailoverPhase> {
  const phaseMs = Math.max(o.phaseSeconds, 40) * 1000;
  const phase: FailoverPhase = { ok: 0, failures: {}, unexpected: 0, windowSeconds: 0, revocationsAnswered200: 0, revocationsLost: 0, failuresAfterRecovery: 0 };
  const admin = await certificateLogin(suite, { name: 'admin-pod', uid: '', address: '127.0.0.1' }, 'conjur/authn-k8s/dev/apps/admin');
  const adminToken = (await authenticate(suite, admin, 'conjur/authn-k8s/dev/apps/admin')).body;
  const revoked: string[] = [];
  const start = Date.now();
  let killedAt = 0;
  let firstFailure = 0;
  let lastFailure = 0;
  const record = (cause: string, allowed: boolean) => {
    const now = Date.now();
    if (now >= start + phaseMs - 5000) phase.failuresAfterRecovery++;
    if (killedAt && !firstFailure) firstFailure = now;
    lastFailure = now;
    phase.failures[cause] = (phase.failures[cause] ?? 0) + 1;
    if (!allowed) phase.unexpected++;
  };
  const answered = (r: { status: number; body: string }, what: string): boolean => {
    if (r.status === 200) return true;
    const code = r.status === 503 ? (JSON.parse(r.body) as { error?: { code?: string } }).error?.code : undefined;
    record(`${what} ${r.status} ${code ?? r.body.slice(0, 60)}`, r.status === 503 && !!code?.startsWith('redis_'));
    return false;
  };
  const op = async (i: number) => {
    const login = logins[i % logins.length]!;
    try {
      const r = await authenticate(suite, login);
      if (!answered(r, 'authenticate')) return;
      phase.ok++;
      // One login in four revokes its new token at once.
      if (i % 4 === 1 && answered(await revokeOwnToken(suite, r.body), 'revoke')) revoked.push(r.body);
    } catch (e) {
      record(`network ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, false);
    }
  };
  const kill = (async () => {
    await new Promise((r) => setTimeout(r, 5000));
    killedAt = Date.now();
    await sentinels.master.kill();
  })();
  await openLoop(op, o.rate, phaseMs);
  await kill;
  phase.windowSeconds = firstFailure ? +((lastFailure - firstFailure) / 1000).toFixed(1) : 0;
  phase.revocationsAnswered200 = revoked.length;
  for (const token of revoked) if (await isActive(suite, adminToken, token)) phase.revocationsLost++;
  return phase;
}

/** A refused certificate login as its answer; anything else (a network error) goes on up. */
function refusedAnswer(e: unknown): { status: number; body: string } {
  if (e instanceof LoginRefused) return e.answer;
  throw e;
}

async function retry<T>(fn: () => Promise<T>, ms: number): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    try {
      return await fn();
    } catch (e) {
      if (Date.now() > end) throw e;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}
