import { rmSync } from 'node:fs';
import { Redis } from 'ioredis';
import { freePort, httpsCall, startRedis, waitFor, type RedisHandle } from '@podid/testkit';
import { HOST, POD, startE2eSuite, type Suite } from './support/e2e-suite';
import { authenticate, certificateLogin, tokenAuthorization } from './support/pod-login';

/** Invariant 3 of docs/security-model.md across restarts: Redis forgetting a revocation would revive the token. */
describe('e2e: revocations survive a restart of Redis and of local mode, and wait for a replica', () => {
  let suite: Suite;
  let stateDir: string;
  let gatewayPort: number;
  let admin: string;
  let app: { certPem: string; keyPem: string };
  let bare: { certPem: string; keyPem: string };
  let revoked: string;
  let control: string;

  beforeAll(async () => {
    // A fixed port keeps the issuer URL, so tokens of the first run verify in the second.
    gatewayPort = await freePort();
    suite = await startE2eSuite({ gatewayPort });
    stateDir = suite.stateDir;
    const a = await certificateLogin(suite, { hostId: HOST.admin, namespace: 'demo', pod: POD.admin });
    admin = (await authenticate(suite, { hostId: HOST.admin, cert: a.certPem, key: a.keyPem })).body;
    app = await certificateLogin(suite, { hostId: HOST.deployment, namespace: 'demo', pod: POD.deployment });
    bare = await certificateLogin(suite, { hostId: HOST.barePod, namespace: 'demo', pod: POD.barePod });
    revoked = (await authenticate(suite, { hostId: HOST.deployment, cert: app.certPem, key: app.keyPem })).body;
    control = (await authenticate(suite, { hostId: HOST.deployment, cert: app.certPem, key: app.keyPem })).body;
  }, 150_000);
  afterAll(async () => {
    await suite?.stop();
    if (stateDir) rmSync(stateDir, { recursive: true, force: true });
  });

  const introspect = (token: string) =>
    httpsCall(suite.gatewayUrl, {
      method: 'POST',
      path: '/tokens/introspect',
      caPem: suite.gatewayCaPem,
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...tokenAuthorization(admin) },
      body: `token=${encodeURIComponent(token)}`,
    });
  const revoke = (auth: string, contentType: string, body: string) =>
    httpsCall(suite.gatewayUrl, { method: 'POST', path: '/tokens/revoke', caPem: suite.gatewayCaPem, headers: { 'content-type': contentType, ...tokenAuthorization(auth) }, body });
  const active = async (token: string) => {
    const r = await introspect(token);
    if (r.status !== 200) throw new Error(`introspect: ${r.status} ${r.body}`);
    return (JSON.parse(r.body) as { active: boolean }).active;
  };
  /** The revoked token is inactive, the control token still active, and the revoked host refused with REVOKED. */
  const stillDead = async () => {
    // Introspect answers 503 until the services have reconnected to Redis.
    await waitFor(async () => (await introspect(control)).status === 200, { timeoutMs: 20_000, message: 'introspect answers after the restart' });
    expect(await active(control)).toBe(true);
    expect(await active(revoked)).toBe(false);
    expect(suite.logs('token-issuer').some((l) => l['event'] === 'TOKEN_INTROSPECT_INACTIVE' && l['reason'] === 'revoked')).toBe(true);
    const denied = await authenticate(suite, { hostId: HOST.barePod, cert: bare.certPem, key: bare.keyPem });
    expect(denied.status).toBe(401);
    await waitFor(
      () => suite.logs('gateway').some((l) => l['event'] === 'AUDIT_AUTHENTICATE' && l['result'] === 'failure' && l['code'] === 'REVOKED' && l['host_id'] === HOST.barePod),
      { timeoutMs: 5_000, message: 'AUDIT_AUTHENTICATE failure REVOKED for the revoked host' },
    );
    expect((await authenticate(suite, { hostId: HOST.deployment, cert: app.certPem, key: app.keyPem })).status).toBe(200);
  };

  it('revokes a token and a host', async () => {
    expect((await revoke(revoked, 'application/x-www-form-urlencoded', `token=${encodeURIComponent(revoked)}`)).status).toBe(200);
    expect((await revoke(admin, 'application/json', JSON.stringify({ host: `host/${HOST.barePod}` }))).status).toBe(200);
    expect(await active(revoked)).toBe(false);
  });

  it('a revoked token stays dead after redis-server is stopped by PID and started again on the same port and data dir', async () => {
    const pid = suite.redis!.pid!;
    process.kill(pid, 'SIGTERM');
    await waitFor(() => !alive(pid), { timeoutMs: 10_000, message: `redis-server ${pid} exits` });
    await suite.redis!.restart();
    expect(suite.redis!.pid).not.toBe(pid);
    await stillDead();
  });

  it('a revoked token stays dead after a second start of the suite with the same state dir', async () => {
    await suite.stop();
    suite = await startE2eSuite({ stateDir, gatewayPort });
    await stillDead();
  }, 150_000);

  it('with a replica, a revoke is reported only once the replica holds it, else 503 redis_replica_timeout', async () => {
    const primary = new Redis(suite.redisUrl);
    let replica: RedisHandle | undefined;
    try {
      // Sync at once rather than after the default 5 s diskless-sync delay.
      await primary.config('SET', 'repl-diskless-sync-delay', '0');
      replica = await startRedis({ own: true, args: ['--replicaof', '127.0.0.1', new URL(suite.redisUrl).port] });
      await waitFor(async () => /slave0:.*state=online/.test(await primary.info('replication')), { message: 'the replica is in sync' });
      const token = (await authenticate(suite, { hostId: HOST.deployment, cert: app.certPem, key: app.keyPem })).body;
      // A stopped replica cannot acknowledge: the revoke must not report success.
      process.kill(replica.pid!, 'SIGSTOP');
      let r;
      try {
        r = await revoke(admin, 'application/json', JSON.stringify({ pod_uid: '0b6e2a52-5f0e-4d5e-9d8e-2f7d1c3b4a59' }));
      } finally {
        process.kill(replica.pid!, 'SIGCONT');
      }
      expect({ status: r.status, code: JSON.parse(r.body).error?.code }).toEqual({ status: 503, code: 'redis_replica_timeout' });
      // A resumed replica acknowledges again once it has caught up (on a busy machine that takes a moment).
      await waitFor(
        async () => {
          const info = await primary.info('replication');
          const at = /master_repl_offset:(\d+)/.exec(info)?.[1];
          const acked = /slave0:.*state=online,offset=(\d+),lag=(\d+)/.exec(info);
          return !!acked && acked[1] === at && Number(acked[2]) <= 1;
        },
        { timeoutMs: 15_000, message: 'the resumed replica has caught up' },
      );
      expect((await revoke(token, 'application/x-www-form-urlencoded', `token=${encodeURIComponent(token)}`)).status).toBe(200);
      expect(await active(token)).toBe(false);
    } finally {
      await replica?.stop();
      primary.disconnect();
    }
  });
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
