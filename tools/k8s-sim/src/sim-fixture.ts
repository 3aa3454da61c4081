import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSimulator } from './simulator';
import type { Simulator, SimulatorOptions } from './types';

/** For specs: a simulator on a free port over a fresh temp state dir; `cleanup` stops it and removes the dir. */
export async function startTestSim(opts: Partial<SimulatorOptions> = {}): Promise<{ sim: Simulator; stateDir: string; logs: Array<{ event: string; msg: string; [k: string]: unknown }>; cleanup: () => Promise<void> }> {
  const stateDir = opts.stateDir ?? mkdtempSync(join(tmpdir(), 'k8s-sim-'));
  const logs: Array<{ event: string; msg: string; [k: string]: unknown }> = [];
  let sim: Simulator;
  try {
    sim = await startSimulator({ port: 0, ...opts, stateDir, onLog: (e) => logs.push(e) });
  } catch (e) {
    if (!opts.stateDir) rmSync(stateDir, { recursive: true, force: true });
    throw e;
  }
  return {
    sim,
    stateDir,
    logs,
    cleanup: async () => {
      await sim.stop();
      rmSync(stateDir, { recursive: true, force: true });
    },
  };
}

/** Polls `check` every 20 ms until it returns a truthy value; fails with `what` after `timeoutMs` (generous: machines get busy). */
export async function waitFor<T>(what: string, check: () => T | Promise<T>, timeoutMs = 20_000): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v) return v as NonNullable<T>;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
