import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, waitForPort } from './ports';
import { endChild } from './process';
import { startRedis, type RedisHandle } from './redis';

export interface RedisSentinels {
  /** REDIS_URL of the services: `redis-sentinel://<sentinels>/podid`. */
  readonly url: string;
  /** The first master, then its replicas; after a failover one of the replicas is master. */
  readonly master: RedisHandle;
  readonly replicas: readonly RedisHandle[];
  readonly portOf: (h: RedisHandle) => number;
  stop(): Promise<void>;
}

/**
 * deploy/components/redis-sentinel on loopback, as real processes: a master, `replicas` replicas and three
 * Sentinels (quorum 2) monitoring "podid". down-after is well above a busy machine's stalls: with 1 s, a master
 * merely slow to answer PING could be failed over before the test means it to be.
 */
export async function startRedisSentinels(opts: { replicas?: number; downAfterMs?: number } = {}): Promise<RedisSentinels> {
  const portOf = (h: RedisHandle) => Number(new URL(h.url).port);
  const master = await startRedis({ own: true });
  const replicas: RedisHandle[] = [];
  const sentinels: ChildProcess[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'podid-sentinel-'));
  const stop = async () => {
    await Promise.all(sentinels.map((s) => endChild(s, 'SIGTERM')));
    for (const r of replicas) await r.stop();
    await master.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    for (let i = 0; i < (opts.replicas ?? 1); i++) replicas.push(await startRedis({ own: true, args: ['--replicaof', '127.0.0.1', String(portOf(master))] }));
    const ports: number[] = [];
    for (let i = 0; i < 3; i++) {
      const port = await freePort();
      // Sentinel rewrites its config file, so each has its own.
      const conf = join(dir, `sentinel-${i}.conf`);
      writeFileSync(conf, [`port ${port}`, 'bind 127.0.0.1', `dir ${dir}`, `sentinel monitor podid 127.0.0.1 ${portOf(master)} 2`, `sentinel down-after-milliseconds podid ${opts.downAfterMs ?? 5000}`, 'sentinel failover-timeout podid 10000', ''].join('\n'));
      sentinels.push(spawn('redis-server', [conf, '--sentinel'], { stdio: 'ignore' }));
      ports.push(port);
      await waitForPort(port);
    }
    return { url: `redis-sentinel://${ports.map((p) => `127.0.0.1:${p}`).join(',')}/podid`, master, replicas, portOf, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}
