import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, waitFor, waitForPort } from './ports';
import { endChild } from './process';

export interface ClusterNode {
  readonly port: number;
  /** The running redis-server's PID, or undefined once killed. */
  readonly pid: number | undefined;
}

export interface RedisClusterHandle {
  /** The REDIS_URL the services take: `redis-cluster://127.0.0.1:p1,…`. */
  readonly url: string;
  readonly nodes: readonly ClusterNode[];
  /** Runs redis-cli against a node and returns its stdout; throws on a non-zero exit or an error reply. */
  cli(port: number, ...args: string[]): string;
  /** SIGKILL one node (a crashed master). */
  kill(port: number): Promise<void>;
  /** Resolves once every live node reports cluster_state:ok and every live master has a connected replica. */
  waitHealthy(timeoutMs?: number): Promise<void>;
  /** SIGTERM every node (SIGKILL after 5 s), then removes the data dirs. */
  stop(): Promise<void>;
}

export interface StartRedisClusterOptions {
  /** How long a master may be unreachable before its replica takes over; default 2000 ms. */
  nodeTimeoutMs?: number;
}

/**
 * Six real `redis-server --cluster-enabled yes` processes on free ports
 * (three masters, one replica each) with AOF on, as a production cluster
 * runs. Each node's bus port is chosen too (`--cluster-port`), since the
 * default port+10000 may be taken or beyond 65535.
 */
export async function startRedisCluster(opts: StartRedisClusterOptions = {}): Promise<RedisClusterHandle> {
  if (spawnSync('redis-server', ['--version']).error || spawnSync('redis-cli', ['--version']).error) {
    throw new Error('redis-server/redis-cli are not installed: run `apt-get install -y redis-server` (tools/ci/setup.sh does this)');
  }
  const dir = mkdtempSync(join(tmpdir(), 'podid-redis-cluster-'));
  const children = new Map<number, ChildProcess>();
  const ports: number[] = [];
  const handle: RedisClusterHandle = {
    get url() {
      return `redis-cluster://${ports.map((p) => `127.0.0.1:${p}`).join(',')}`;
    },
    nodes: [],
    cli: (port, ...args) => redisCli(port, args),
    kill: (port) => end(children, port, 'SIGKILL'),
    waitHealthy: (timeoutMs = 30_000) => waitFor(() => healthy([...children.keys()]), { timeoutMs, intervalMs: 100, message: 'redis cluster healthy' }).then(() => undefined),
    async stop() {
      await Promise.all([...children.keys()].map((p) => end(children, p, 'SIGTERM')));
      rmSync(dir, { recursive: true, force: true });
    },
  };
  try {
    for (let i = 0; i < 6; i++) {
      const [port, bus] = await distinctFreePorts(2, ports);
      ports.push(port!);
      const nodeDir = join(dir, String(port));
      mkdirSync(nodeDir, { mode: 0o700 });
      const args = ['--port', String(port), '--cluster-port', String(bus), '--bind', '127.0.0.1', '--dir', nodeDir, '--cluster-enabled', 'yes',
        '--cluster-config-file', 'nodes.conf', '--cluster-node-timeout', String(opts.nodeTimeoutMs ?? 2000), '--save', '', '--appendonly', 'yes', '--appendfsync', 'everysec'];
      children.set(port!, spawn('redis-server', args, { stdio: 'ignore' }));
      await waitForPort(port!);
    }
    (handle.nodes as ClusterNode[]).push(...ports.map((port) => ({ port, get pid() { return children.get(port)?.pid; } })));
    const create = spawnSync('redis-cli', ['--cluster', 'create', ...ports.map((p) => `127.0.0.1:${p}`), '--cluster-replicas', '1', '--cluster-yes'], { encoding: 'utf8', timeout: 60_000 });
    if (create.status !== 0) throw new Error(`redis-cli --cluster create failed: ${create.stdout.slice(-500)} ${create.stderr.slice(-500)}`);
    await handle.waitHealthy(60_000);
    return handle;
  } catch (e) {
    await handle.stop();
    throw e;
  }
}

function redisCli(port: number, args: string[]): string {
  const r = spawnSync('redis-cli', ['-p', String(port), ...args], { encoding: 'utf8', timeout: 30_000 });
  // redis-cli exits 0 on an error reply when stdout is not a tty; the reply starts with ERR, MOVED, …
  if (r.status !== 0 || /^(ERR|MOVED|ASK|CLUSTERDOWN|TRYAGAIN|IOERR|NOKEY)\b/.test(r.stdout) || /^\(error\)/.test(r.stdout)) {
    throw new Error(`redis-cli -p ${port} ${args.join(' ')}: ${r.stdout.trim()} ${r.stderr.trim()}`.slice(0, 500));
  }
  return r.stdout;
}

/** Every node agrees the cluster is ok, every master has a replica online, and every node knows the same masters. */
function healthy(ports: number[]): boolean {
  for (const port of ports) {
    if (!/cluster_state:ok/.test(redisCli(port, ['cluster', 'info']))) return false;
    const role = redisCli(port, ['role']).split('\n');
    if (role[0] === 'master' && role.length < 4) return false;
    if (role[0] === 'slave' && role[3] !== 'connected') return false;
  }
  return true;
}

async function distinctFreePorts(n: number, taken: number[]): Promise<number[]> {
  const out: number[] = [];
  while (out.length < n) {
    const p = await freePort();
    if (!out.includes(p) && !taken.includes(p)) out.push(p);
  }
  return out;
}

function end(children: Map<number, ChildProcess>, port: number, signal: NodeJS.Signals): Promise<void> {
  const c = children.get(port);
  children.delete(port);
  return endChild(c, signal);
}
