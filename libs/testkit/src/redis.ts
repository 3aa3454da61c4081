import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, waitForPort } from './ports';

export interface RedisHandle {
  readonly url: string;
  /** False when REDIS_URL points at a server this handle does not own. */
  readonly owned: boolean;
  /** SIGKILL the server (to test outages); restart() brings it back on the same port. */
  kill(): Promise<void>;
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * A real redis-server on a free port, or the server at REDIS_URL. Pass
 * own: true for tests that kill and restart Redis.
 */
export async function startRedis(opts: { own?: boolean } = {}): Promise<RedisHandle> {
  const external = process.env['REDIS_URL'];
  if (external && !opts.own) {
    return { url: external, owned: false, kill: notOwned, restart: notOwned, stop: async () => undefined };
  }
  if (spawnSync('redis-server', ['--version']).error) {
    throw new Error('redis-server is not installed: run `apt-get install -y redis-server` (tools/ci/setup.sh does this)');
  }
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'podid-redis-'));
  let child: ChildProcess | undefined;
  const start = async () => {
    child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], { stdio: 'ignore' });
    await waitForPort(port);
  };
  const kill = async () => {
    const c = child;
    child = undefined;
    if (!c || c.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      c.once('exit', () => resolve());
      c.kill('SIGKILL');
    });
  };
  await start();
  return { url: `redis://127.0.0.1:${port}`, owned: true, kill, restart: start, stop: kill };
}

async function notOwned(): Promise<void> {
  throw new Error('this Redis comes from REDIS_URL; use startRedis({ own: true }) to kill or restart it');
}
