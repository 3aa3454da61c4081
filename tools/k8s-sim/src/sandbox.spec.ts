import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Sandbox } from './sandbox';

const dir = mkdtempSync(join(tmpdir(), 'k8s-sim-sandbox-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function collect(s: Sandbox, root: string, argv: string[]): Promise<{ out: string; code: number | null }> {
  const child = s.spawn(root, 'pod', argv, { PATH: '/usr/bin:/bin' });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  return new Promise((resolve) => child.on('close', (code) => resolve({ out, code })));
}

describe('Sandbox', () => {
  it("falls back to 'none' with a SIM_SANDBOX_FALLBACK warning when bubblewrap does not work", () => {
    const logs: Array<[string, string]> = [];
    const s = Sandbox.create('auto', dir, (event, msg) => logs.push([event, msg]), '/nonexistent/bwrap');
    expect(s.mode).toBe('none');
    expect(logs).toHaveLength(1);
    expect(logs[0]?.[0]).toBe('SIM_SANDBOX_FALLBACK');
    expect(logs[0]?.[1]).toContain('NOT confined');
  });

  it("refuses to start when 'bwrap' is demanded but unusable", () => {
    expect(() => Sandbox.create('bwrap', dir, () => undefined, '/nonexistent/bwrap')).toThrow('/nonexistent/bwrap not found');
  });

  it("runs 'none' commands on the host with cwd and PODID_SANDBOX_ROOT set to the container root", async () => {
    const s = Sandbox.create('none', dir, () => undefined);
    expect(await collect(s, dir, ['sh', '-c', 'pwd; echo "$PODID_SANDBOX_ROOT"'])).toEqual({ out: `${dir}\n${dir}\n`, code: 0 });
  });

  it('uses bubblewrap where it works, with its own pid namespace and hostname', async () => {
    const s = Sandbox.create('auto', dir, () => undefined);
    expect(s.mode).toBe('bwrap');
    const r = await collect(s, dir, ['sh', '-c', 'echo $$; hostname']);
    const [pid, host] = r.out.trim().split('\n');
    expect([Number(pid) < 10, host, r.code]).toEqual([true, 'pod', 0]); // bwrap's reaper is pid 1
  });
});
