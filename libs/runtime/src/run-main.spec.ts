import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { waitFor } from '@podid/testkit';

const FIXTURE = join(__dirname, 'testing/run-main.fixture.ts');
const TSX = require.resolve('tsx');

function run(env: Record<string, string> = {}) {
  const child = spawn(process.execPath, ['--import', TSX, FIXTURE], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'], cwd: join(__dirname, '..') });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, exit, out: () => out, events: () => out.split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { event?: string }).event) };
}

describe('runMain', () => {
  it('drains on the first SIGTERM and exits 0', async () => {
    const p = run({ FIXTURE_STOP_MS: '200' });
    await waitFor(() => p.events().includes('SERVICE_READY'), { message: 'fixture ready', timeoutMs: 20_000 });
    p.child.kill('SIGTERM');
    expect(await p.exit).toBe(0);
    expect(p.events()).toEqual(['SERVICE_STARTING', 'SERVICE_READY', 'SERVICE_STOPPING', 'SERVICE_STOPPED']);
  });

  it('exits 130 at once on a second signal while draining', async () => {
    const p = run({ FIXTURE_STOP_MS: '10000' });
    await waitFor(() => p.events().includes('SERVICE_READY'), { message: 'fixture ready', timeoutMs: 20_000 });
    p.child.kill('SIGTERM');
    await waitFor(() => p.events().includes('SERVICE_STOPPING'), { message: 'stopping' });
    p.child.kill('SIGINT');
    expect(await p.exit).toBe(130);
  });

  it('exits 1 when start fails, and when stop hangs past its timeout', async () => {
    const failed = run({ FIXTURE_FAIL_START: '1' });
    expect(await failed.exit).toBe(1);
    expect(failed.events()).toContain('SERVICE_FAILED');
    const hung = run({ FIXTURE_STOP_MS: '10000', FIXTURE_STOP_TIMEOUT_MS: '300' });
    await waitFor(() => hung.events().includes('SERVICE_READY'), { message: 'fixture ready', timeoutMs: 20_000 });
    hung.child.kill('SIGTERM');
    expect(await hung.exit).toBe(1);
  });
});
