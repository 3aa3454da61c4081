import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, waitForPort } from './ports';
import { endChild } from './process';

export interface RedisHandle {
  readonly url: string;
  /** False when REDIS_URL points at a server this handle does not own. */
  readonly owned: boolean;
  /** The running redis-server's PID, or undefined while it is down (or not owned). */
  readonly pid: number | undefined;
  /** SIGKILL the server (to test outages). */
  kill(): Promise<void>;
  /** Stops the server if it runs (SIGTERM), then starts it again on the same port and data dir. */
  restart(): Promise<void>;
  /** SIGTERM (a clean shutdown that flushes the AOF); removes the data dir unless the caller gave it. */
  stop(): Promise<void>;
}

export interface StartRedisOptions {
  /** Own the server (tests that kill and restart Redis), even when REDIS_URL is set. */
  own?: boolean;
  /** Data dir kept after stop (local mode's state dir); default a temp dir removed on stop. */
  dir?: string;
  /** Append-only file on (default): revocations survive a restart. false only to test the status warning. */
  persistent?: boolean;
  /** Extra redis-server arguments, e.g. ['--replicaof', '127.0.0.1', '6379']. */
  args?: string[];
}

/**
 * A real redis-server on a free port, or the server at REDIS_URL. It runs
 * with AOF (appendfsync everysec) as deploy/components/redis does, because a
 * revocation is a security fact, not a cache.
 */
export async function startRedis(opts: StartRedisOptions = {}): Promise<RedisHandle> {
  const external = process.env['REDIS_URL'];
  if (external && !opts.own) {
    return { url: external, owned: false, pid: undefined, kill: notOwned, restart: notOwned, stop: async () => undefined };
  }
  if (spawnSync('redis-server', ['--version']).error) {
    throw new Error('redis-server is not installed: run `apt-get install -y redis-server` (tools/ci/setup.sh does this)');
  }
  const port = await freePort();
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'podid-redis-'));
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const persistence = opts.persistent === false ? ['--appendonly', 'no'] : ['--appendonly', 'yes', '--appendfsync', 'everysec'];
  let child: ChildProcess | undefined;
  const start = async () => {
    child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', ...persistence, '--dir', dir, ...(opts.args ?? [])], { stdio: 'ignore' });
    await waitForPort(port);
  };
  const end = (signal: NodeJS.Signals) => {
    const c = child;
    child = undefined;
    return endChild(c, signal);
  };
  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    owned: true,
    get pid() {
      return child?.pid;
    },
    kill: () => end('SIGKILL'),
    async restart() {
      await end('SIGTERM');
      await start();
    },
    async stop() {
      await end('SIGTERM');
      if (!opts.dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function notOwned(): Promise<void> {
  throw new Error('this Redis comes from REDIS_URL; use startRedis({ own: true }) to kill or restart it');
}
