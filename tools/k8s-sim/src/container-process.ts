import type { ChildProcess } from 'node:child_process';
import { killSandboxed, signalWorkload } from './process-tree';

/** SIGTERM to SIGKILL. The kubelet default is 30 s; this is shorter so that pod deletes and Ctrl-C stay quick. */
export const KILL_GRACE_MS = 5000;

/** One run of a container: its exit code, and a graceful stop (SIGTERM, then SIGKILL of the whole sandbox). */
export class ContainerProcess {
  readonly exited: Promise<number>;
  private done = false;

  constructor(private readonly child: ChildProcess) {
    this.exited = new Promise((resolve) => {
      child.once('error', () => this.finish(resolve, 128));
      child.once('exit', (code, signal) => this.finish(resolve, code ?? (signal ? 137 : 1)));
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  private finish(resolve: (code: number) => void, code: number): void {
    this.done = true;
    resolve(code);
  }

  async terminate(graceMs = KILL_GRACE_MS): Promise<void> {
    const pid = this.child.pid;
    if (this.done || pid === undefined) return;
    signalWorkload(pid, 'SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)));
    await Promise.race([this.exited, timedOut]);
    clearTimeout(timer);
    if (!this.done) {
      // Not the process group: bwrap would exit (and `exited` resolve) while processes inside are still alive.
      if (!killSandboxed(pid)) this.killGroup(pid);
      await this.exited;
    }
  }

  /** bwrap had nothing under it yet (it was still setting up): its process group is all there is. */
  private killGroup(pid: number): void {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      this.child.kill('SIGKILL');
    }
  }
}
