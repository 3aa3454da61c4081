import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { LogFn } from './types';

export type SandboxMode = 'bwrap' | 'none';

const BWRAP = '/usr/bin/bwrap';
/** Host folders the sandbox sees read-only, so that the container root needs no binaries of its own. */
const PROBE_TIMEOUT_MS = 10_000;

/** A host folder mounted into the sandbox (volumes, image binds). */
export interface Bind {
  hostPath: string;
  path: string;
  readOnly: boolean;
}

/** Extra mounts and options of a sandboxed process. `newSession` is for exec (no terminal reachable); containers keep one group. */
interface SpawnExtras {
  binds?: readonly Bind[];
  newSession?: boolean;
  user?: RunAs;
}

/** A non-root uid/gid to run as, from the pod's securityContext (a user namespace maps it onto the simulator's user). */
export interface RunAs {
  uid: number;
  gid: number;
}

/** Host folders bound read-only into every sandbox, for resolving a command's path like the sandbox will. */
export const SANDBOX_SYSTEM_DIRS: readonly string[] = ['/usr', '/bin', '/sbin', '/lib', '/lib64', '/lib32', '/libx32', '/etc/alternatives'];

function bwrapArgs(root: string, hostname: string, argv: string[], extras: SpawnExtras = { newSession: true }): string[] {
  const args = ['--bind', root, '/'];
  for (const p of SANDBOX_SYSTEM_DIRS) args.push(p === '/usr' ? '--ro-bind' : '--ro-bind-try', p, p);
  for (const b of extras.binds ?? []) args.push(b.readOnly ? '--ro-bind' : '--bind', b.hostPath, b.path);
  args.push('--proc', '/proc', '--dev', '/dev', '--unshare-pid', '--unshare-uts', '--hostname', hostname);
  if (extras.user) args.push('--unshare-user', '--uid', String(extras.user.uid), '--gid', String(extras.user.gid));
  args.push('--die-with-parent', ...(extras.newSession === false ? [] : ['--new-session']), '--chdir', '/', '--', ...argv);
  return args;
}

/**
 * Runs exec'd commands inside a container root.
 * - 'bwrap': bubblewrap makes `root` the filesystem root (host /usr, /bin, /lib read-only on top), in its own pid and uts namespaces.
 * - 'none': the command runs on the host with cwd=root and PODID_SANDBOX_ROOT=root; absolute paths are NOT confined.
 */
export class Sandbox {
  private constructor(
    readonly mode: SandboxMode,
    private readonly bwrap: string,
  ) {}

  /**
   * Resolves 'auto' by running `true` under bwrap in a probe root; falls back to 'none' with a SIM_SANDBOX_FALLBACK warning.
   * `bwrap` is the bubblewrap binary (a parameter so that tests can make it fail).
   */
  static create(requested: 'auto' | 'bwrap' | 'none', stateDir: string, log: LogFn, bwrap = BWRAP): Sandbox {
    if (requested === 'none') return new Sandbox('none', bwrap);
    const probeRoot = join(stateDir, 'k8s-sim', 'sandbox-probe');
    mkdirSync(join(probeRoot, 'tmp'), { recursive: true });
    const problem = Sandbox.probe(bwrap, probeRoot);
    if (!problem) return new Sandbox('bwrap', bwrap);
    if (requested === 'bwrap') throw new Error(`k8s-sim: sandbox 'bwrap' requested but bubblewrap does not work here: ${problem}`);
    log(
      'SIM_SANDBOX_FALLBACK',
      `bubblewrap is unusable (${problem}); exec runs commands on the host with cwd=<container root> and PODID_SANDBOX_ROOT set. ` +
        'Absolute paths are NOT confined to the container root in this mode; tests of injection paths require bwrap (see tools/k8s-sim/README.md).',
      { problem },
    );
    return new Sandbox('none', bwrap);
  }

  private static probe(bwrap: string, root: string): string | undefined {
    if (!existsSync(bwrap)) return `${bwrap} not found`;
    const r = spawnSync(bwrap, bwrapArgs(root, 'probe', ['true']), { timeout: PROBE_TIMEOUT_MS, encoding: 'utf8', env: { PATH: '/usr/bin:/bin' } });
    if (r.error) return r.error.message;
    if (r.status !== 0) return `exit ${r.status}: ${(r.stderr ?? '').trim().slice(0, 300)}`;
    return undefined;
  }

  /** Starts `argv` in its own process group (so {@link kill} reaches all of it), with exactly `env`. `binds` apply in bwrap mode only. */
  spawn(root: string, hostname: string, argv: string[], env: Record<string, string>, binds: readonly Bind[] = [], user?: RunAs): ChildProcess {
    const opts = { env, stdio: ['pipe', 'pipe', 'pipe'] as Array<'pipe'>, detached: true };
    if (this.mode === 'bwrap') return spawn(this.bwrap, bwrapArgs(root, hostname, argv, { binds, newSession: true, ...(user ? { user } : {}) }), opts);
    const [cmd = 'true', ...args] = argv;
    return spawn(cmd, args, { ...opts, cwd: root, env: { ...env, PODID_SANDBOX_ROOT: root } });
  }

  /**
   * Starts a long-running container process (bwrap mode only): one process group, stdout and stderr to `logFd`.
   * The host network is shared so that the process reaches services on 127.0.0.1.
   */
  spawnContainer(root: string, hostname: string, argv: string[], env: Record<string, string>, binds: readonly Bind[], logFd: number, user?: RunAs): ChildProcess {
    if (this.mode !== 'bwrap') throw new Error('k8s-sim: containers run only in the bwrap sandbox');
    return spawn(this.bwrap, bwrapArgs(root, hostname, argv, { binds, newSession: false, ...(user ? { user } : {}) }), { env, stdio: ['ignore', logFd, logFd], detached: true });
  }

  static kill(child: ChildProcess): void {
    if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      child.kill('SIGKILL');
    }
  }
}
