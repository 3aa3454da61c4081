import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export const repoRoot = path.resolve(__dirname, '../../../..');
export const tierRoot = path.resolve(__dirname, '../..');
const state = process.env['PODID_CLUSTER_STATE'] ?? '/var/lib/podid-cluster';
const cache = process.env['PODID_CLUSTER_CACHE'] ?? '/var/cache/podid-cluster';
export const adminKubeconfig = path.join(state, 'admin.kubeconfig');
export const stateDir = state;

function k8sVersion(): string {
  const mod = readFileSync(path.join(tierRoot, 'binaries/go.mod'), 'utf8');
  const match = /^\s*k8s\.io\/kubernetes (v[0-9.]+)/m.exec(mod);
  if (!match) throw new Error('tools/cluster/binaries/go.mod names no k8s.io/kubernetes version');
  return match[1]!;
}

/** The tier's own kubectl, of the cluster's version. */
export const kubectlPath = path.join(cache, `bin-${k8sVersion()}`, 'kubectl');

export interface RunResult {
  stdout: string;
  stderr: string;
  code: number;
}

/** kubectl as the cluster admin; never throws, the caller asserts on `code`. */
export async function kubectl(args: string[], opts: { input?: string; timeoutMs?: number } = {}): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = execFile(
      kubectlPath,
      ['--kubeconfig', adminKubeconfig, ...args],
      { maxBuffer: 64 * 1024 * 1024, timeout: opts.timeoutMs ?? 120_000, cwd: repoRoot },
      (err, stdout, stderr) => {
        const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0;
        resolve({ stdout: String(stdout), stderr: String(stderr), code });
      },
    );
    if (opts.input !== undefined) child.stdin?.end(opts.input);
  });
}

/** kubectl that must succeed; its output. */
export async function kubectlOk(args: string[], opts: { input?: string; timeoutMs?: number } = {}): Promise<string> {
  const res = await kubectl(args, opts);
  if (res.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed (${res.code}): ${res.stderr.trim() || res.stdout.trim()}`);
  return res.stdout;
}

export async function kubectlJson<T>(args: string[]): Promise<T> {
  return JSON.parse(await kubectlOk([...args, '-o', 'json'])) as T;
}

export async function apply(manifest: string): Promise<void> {
  await kubectlOk(['apply', '-f', '-'], { input: manifest });
}

/** A repo script (tools/cluster/scripts/...), its output; throws on failure. */
export async function script(name: string, args: string[] = [], env: NodeJS.ProcessEnv = {}): Promise<string> {
  const { stdout } = await run(path.join(tierRoot, 'scripts', name), args, {
    env: { ...process.env, ...env },
    maxBuffer: 16 * 1024 * 1024,
    timeout: 30 * 60 * 1000,
  });
  return stdout;
}

/** Retries `check` until it returns a value (not undefined) or the time is up. */
export async function until<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 180_000, everyMs = 1000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) {
      throw new Error(`${what}: not within ${timeoutMs} ms${last ? ` (last error: ${String((last as Error).message ?? last)})` : ''}`);
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
