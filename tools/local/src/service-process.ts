import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { get } from 'node:http';
import { join } from 'node:path';

const MAX_LINES = 20_000;

/** One podid service running as its own process, with its JSON log lines kept. */
export class ServiceProcess {
  readonly lines: Array<Record<string, unknown>> = [];
  private child: ChildProcess | undefined;
  private stderr = '';
  private logFile: WriteStream | undefined;

  constructor(
    readonly name: string,
    private readonly script: string,
    private env: Record<string, string>,
    private readonly logDir?: string,
  ) {}

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Port of its plain-HTTP ops endpoint (/healthz, /readyz, /metrics). */
  get opsPort(): number {
    return Number(this.env['PODID_OPS_PORT']);
  }

  get running(): boolean {
    return !!this.child && this.child.exitCode === null && this.child.signalCode === null;
  }

  /**
   * Starts the process and resolves once its ops port answers /readyz (or,
   * with until: 'live', /healthz) with 200; rejects if it exits first.
   */
  async start(env: Record<string, string> = {}, opts: { timeoutMs?: number; until?: 'ready' | 'live' } = {}): Promise<void> {
    const timeoutMs = opts.timeoutMs ?? 30_000;
    this.env = { ...this.env, ...env };
    this.stderr = '';
    if (this.logDir) this.logFile ??= createWriteStream(join(this.logDir, `${this.name}.log`), { flags: 'a' });
    const child = spawn(process.execPath, ['--enable-source-maps', this.script], {
      env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', ...this.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    let buf = '';
    child.stdout!.on('data', (d: Buffer) => {
      this.logFile?.write(d);
      buf += d.toString();
      let i: number;
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        try {
          this.lines.push(JSON.parse(line) as Record<string, unknown>);
        } catch {
          this.lines.push({ text: line });
        }
        if (this.lines.length > MAX_LINES) this.lines.splice(0, this.lines.length - MAX_LINES);
      }
    });
    child.stderr!.on('data', (d: Buffer) => {
      this.logFile?.write(d);
      this.stderr = (this.stderr + d.toString()).slice(-4000);
    });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => done(new Error(`${this.name} not ready after ${timeoutMs} ms; stderr: ${this.stderr}`)), timeoutMs);
      const readyUrl = `http://127.0.0.1:${this.env['PODID_OPS_PORT']}/${opts.until === 'live' ? 'healthz' : 'readyz'}`;
      let probing = false;
      const poll = setInterval(() => {
        if (probing) return;
        probing = true;
        isReady(readyUrl).then((ok) => {
          probing = false;
          if (ok) done();
        });
      }, 50);
      const onExit = (code: number | null) => done(new Error(`${this.name} exited with ${code} before it was ready: ${this.stderr.trim() || lastError(this.lines)}`));
      child.once('exit', onExit);
      const done = (err?: Error) => {
        clearTimeout(timer);
        clearInterval(poll);
        child.off('exit', onExit);
        if (err) reject(err);
        else resolve();
      };
    });
  }

  /** SIGTERM, then SIGKILL after graceMs; resolves with the exit code. */
  async stop(graceMs = 10_000): Promise<number | null> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return child?.exitCode ?? null;
    return new Promise((resolve) => {
      const kill = setTimeout(() => child.kill('SIGKILL'), graceMs);
      child.once('close', (code) => {
        clearTimeout(kill);
        resolve(code);
      });
      child.kill('SIGTERM');
    });
  }

  closeLog(): void {
    this.logFile?.end();
    this.logFile = undefined;
  }
}

function isReady(url: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = get(url, { timeout: 1000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => req.destroy());
  });
}

function lastError(lines: Array<Record<string, unknown>>): string {
  const l = [...lines].reverse().find((x) => x['level'] === 'error');
  return l ? JSON.stringify(l) : 'no error logged';
}
