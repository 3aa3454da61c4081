import { readFileSync, readdirSync } from 'node:fs';

interface ProcInfo {
  pid: number;
  ppid: number;
  comm: string;
}

function readProc(pid: number): ProcInfo | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const open = stat.indexOf('(');
    const close = stat.lastIndexOf(')');
    const rest = stat.slice(close + 2).split(' ');
    return { pid, ppid: Number(rest[1]), comm: stat.slice(open + 1, close) };
  } catch {
    return undefined; // gone meanwhile
  }
}

/** All descendants of `root` (host pids), from /proc. */
export function descendants(root: number): ProcInfo[] {
  const all: ProcInfo[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const p = readProc(Number(name));
    if (p) all.push(p);
  }
  const out: ProcInfo[] = [];
  let frontier = new Set([root]);
  while (frontier.size) {
    const next = new Set<number>();
    for (const p of all) {
      if (!frontier.has(p.ppid)) continue;
      out.push(p);
      next.add(p.pid);
    }
    frontier = next;
  }
  return out;
}

function signal(pids: readonly ProcInfo[], sig: NodeJS.Signals): number {
  let sent = 0;
  for (const p of pids) {
    try {
      process.kill(p.pid, sig);
      sent++;
    } catch {
      // already gone
    }
  }
  return sent;
}

/**
 * Sends `signal` to the processes bubblewrap runs under `bwrapPid` (not to bwrap itself: it would die at once and
 * take the sandbox down with SIGKILL, so the workload could not shut down gracefully).
 */
export function signalWorkload(bwrapPid: number, sig: NodeJS.Signals): void {
  signal(descendants(bwrapPid).filter((p) => p.comm !== 'bwrap'), sig);
}

/**
 * SIGKILLs everything under the outer bwrap `bwrapPid` but not bwrap itself; false if nothing was found there.
 * The first of them is the init of the sandbox's pid namespace: the kernel kills all the namespace when it dies and
 * reaps it before the init is reaped, and only then does the outer bwrap exit. So the outer bwrap's exit means that
 * nothing of the sandbox runs any more (killing its process group at once would let bwrap exit first).
 */
export function killSandboxed(bwrapPid: number): boolean {
  return signal(descendants(bwrapPid), 'SIGKILL') > 0;
}
