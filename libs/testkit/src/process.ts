import { spawn, type ChildProcess } from 'node:child_process';
import { waitFor } from './ports';

export interface ChildHandle {
  readonly child: ChildProcess;
  /** Every stdout line parsed as JSON where possible. */
  readonly lines: Array<Record<string, unknown>>;
  readonly stderr: () => string;
  waitForEvent(event: string, timeoutMs?: number): Promise<Record<string, unknown>>;
  /** Sends a signal and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Spawns a Node entry point with env and collects its JSON log lines. */
export function spawnNode(script: string, env: Record<string, string>, args: string[] = []): ChildHandle {
  const child = spawn(process.execPath, [script, ...args], { env: { PATH: process.env['PATH'] ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: Array<Record<string, unknown>> = [];
  let buf = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => {
    buf += d.toString();
    let i: number;
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      try {
        lines.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        lines.push({ text: line });
      }
    }
  });
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  // 'close', not 'exit': every line the child wrote has been read by then.
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  return {
    child,
    lines,
    stderr: () => err,
    waitForEvent: (event, timeoutMs = 15_000) =>
      waitFor(() => lines.find((l) => l['event'] === event), { timeoutMs, message: `event ${event} from ${script}; stderr: ${err.slice(-500)}` }),
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

/** Sends `signal` and resolves once the child exited; SIGKILL after 5 s, so a hung (or paused) server still ends. */
export async function endChild(c: ChildProcess | undefined, signal: NodeJS.Signals): Promise<void> {
  if (!c || c.exitCode !== null || c.signalCode !== null) return;
  await new Promise<void>((resolve) => {
    const force = setTimeout(() => c.kill('SIGKILL'), 5000);
    c.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    c.kill(signal);
  });
}
