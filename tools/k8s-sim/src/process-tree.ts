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

/**
 * Sends `signal` to the processes bubblewrap runs under `bwrapPid` (not to bwrap itself: it would die at once and
 * take the sandbox down with SIGKILL, so the workload could not shut down gracefully).
 */
export function signalWorkload(bwrapPid: number, signal: NodeJS.Signals): void {
  for (const p of descendants(bwrapPid)) {
    if (p.comm === 'bwrap') continue;
    try {
      process.kill(p.pid, signal);
    } catch {
      // already gone
    }
  }
}
