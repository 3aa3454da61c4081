import { DeadlineExceededError, ResourceExhaustedError } from '@podid/errors';
import { configSchema } from './config';
import { ExecLimiter } from './exec-limiter';

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe('ExecLimiter', () => {
  it('runs at most `concurrency` tasks, queues the next in order, and refuses past the queue', async () => {
    const limiter = new ExecLimiter({ concurrency: 2, queue: 2 });
    const gates = [deferred(), deferred(), deferred(), deferred()];
    const order: number[] = [];
    let active = 0;
    let peak = 0;
    const runs = gates.map((g, i) =>
      limiter.run(async () => {
        active++;
        peak = Math.max(peak, active);
        order.push(i);
        await g.promise;
        active--;
        return i;
      }),
    );
    await expect(limiter.run(async () => 99)).rejects.toThrow(ResourceExhaustedError);
    expect(limiter.stats()).toEqual({ running: 2, queued: 2 });
    gates[1]!.resolve();
    gates[0]!.resolve();
    gates[3]!.resolve();
    gates[2]!.resolve();
    expect(await Promise.all(runs)).toEqual([0, 1, 2, 3]);
    expect(peak).toBe(2);
    expect(order).toEqual([0, 1, 2, 3]);
    expect(limiter.stats()).toEqual({ running: 0, queued: 0 });
  });

  it('frees the slot when a task throws', async () => {
    const limiter = new ExecLimiter({ concurrency: 1, queue: 0 });
    await expect(limiter.run(async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(limiter.run(async () => 'ok')).resolves.toBe('ok');
  });

  it('drops a waiter whose caller gave up, without running it', async () => {
    const limiter = new ExecLimiter({ concurrency: 1, queue: 4 });
    const gate = deferred();
    const first = limiter.run(() => gate.promise);
    const ac = new AbortController();
    let ran = false;
    const waiting = limiter.run(async () => {
      ran = true;
    }, ac.signal);
    ac.abort();
    await expect(waiting).rejects.toThrow(DeadlineExceededError);
    expect(limiter.stats()).toEqual({ running: 1, queued: 0 });
    gate.resolve();
    await first;
    expect(ran).toBe(false);
    expect(limiter.stats()).toEqual({ running: 0, queued: 0 });
  });

  it('with the default queue, a rollout of 1000 pods asking at once all wait for a slot instead of being refused', async () => {
    const parsed = configSchema.execQueue.parse(undefined);
    if (!parsed.ok) throw new Error('PODID_EXEC_QUEUE default does not parse');
    const limiter = new ExecLimiter({ concurrency: 8, queue: parsed.value });
    const gate = deferred();
    const runs = Array.from({ length: 1000 }, (_, i) => limiter.run(async () => (await gate.promise, i)));
    expect(limiter.stats()).toEqual({ running: 8, queued: 992 });
    gate.resolve();
    expect(await Promise.all(runs)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
  });
});
