import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import { freePort, tmpDir, waitFor } from '@podid/testkit';

const REPO = join(__dirname, '../../..');
const CLI = join(__dirname, 'cli.ts');
const TSX = require.resolve('tsx');

/** Every service starting at once takes minutes when nx runs another project's tests beside this one. */
const READY_MS = 180_000;

/** Waits for the ready line; a timeout names what the CLI printed by then. */
async function ready(cli: { out(): string }, what: string): Promise<void> {
  try {
    await waitFor(() => cli.out().includes('podid: ready in'), { timeoutMs: READY_MS, message: what });
  } catch (e) {
    throw new Error(`${(e as Error).message}; output:\n${cli.out()}`);
  }
}

function startCli(stateDir: string, port: number) {
  const child = spawn(process.execPath, ['--import', TSX, CLI], {
    cwd: REPO,
    env: { ...process.env, PODID_STATE_DIR: stateDir, PODID_GATEWAY_PORT: String(port), PODID_PLATFORM_PORT: '0', PODID_LOG_LEVEL: 'warn', REDIS_URL: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, exit, out: () => out };
}

function readyz(port: number, caPem: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/readyz', ca: caPem, servername: 'localhost' }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

/** Processes whose command line mentions the state dir or the repo's app bundles. */
function leftovers(stateDir: string, pids: number[]): string[] {
  const ps = spawnSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' }).stdout.split('\n');
  return ps.filter((l) => l.includes(stateDir) || pids.some((p) => l.trim().startsWith(`${p} `)));
}

describe('npm start (local mode)', () => {
  const stateDir = tmpDir('podid-local-');

  it('brings up a ready suite, answers /readyz over the printed CA, and leaves nothing behind on Ctrl-C', async () => {
    const port = await freePort();
    const cli = startCli(stateDir, port);
    await ready(cli, 'local mode ready');
    for (const what of ['Kubernetes API (dev)', 'Kubernetes API (qa)', 'clusters file', 'Redis', 'policy', 'pod-verifier', 'ca-signer', 'cert-injector', 'token-issuer', `gateway                   https://127.0.0.1:${port}`]) {
      expect(cli.out()).toContain(what);
    }
    const pids = [...cli.out().matchAll(/pid (\d+)/g)].map((m) => Number(m[1]));
    expect(pids).toHaveLength(6);
    const caPem = readFileSync(join(stateDir, 'gateway-ca.pem'), 'utf8');
    expect(await readyz(port, caPem)).toBe(200);
    expect(readFileSync(join(stateDir, 'kubeconfig'), 'utf8')).toContain('client-certificate-data');
    // Two simulated clusters with their own API servers; each service that connects has a clusters file naming both.
    const servers = ['kubeconfig', 'clusters/qa/kubeconfig'].map((f) => /server: (\S+)/.exec(readFileSync(join(stateDir, f), 'utf8'))?.[1]);
    expect(new Set(servers).size).toBe(2);
    for (const service of ['pod-verifier', 'cert-injector']) expect(readFileSync(join(stateDir, `clusters.${service}.yaml`), 'utf8')).toMatch(/- name: dev\n[^]*- name: qa\n/);

    cli.child.kill('SIGINT');
    expect(await cli.exit).toBe(0);
    expect(leftovers(stateDir, pids)).toEqual([]);
  }, 2 * READY_MS + 60_000);

  it('reuses its CA keys on a second start, and names a corrupt state file', async () => {
    const before = readFileSync(join(stateDir, 'gateway-ca.pem'), 'utf8');
    const port = await freePort();
    const again = startCli(stateDir, port);
    await ready(again, 'second start');
    expect(readFileSync(join(stateDir, 'gateway-ca.pem'), 'utf8')).toBe(before);
    again.child.kill('SIGTERM');
    expect(await again.exit).toBe(0);

    writeFileSync(join(stateDir, 'pki', 'internal-ca.pem'), 'not a certificate');
    const broken = startCli(stateDir, await freePort());
    expect(await broken.exit).toBe(1);
    expect(broken.out()).toContain(`${join(stateDir, 'pki', 'internal-ca.pem')}: not a PEM certificate`);
  }, 2 * READY_MS + 60_000);
});
