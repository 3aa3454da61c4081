import { createServer, connect } from 'node:net';

/** A TCP port that was free a moment ago; the kernel picks it, so parallel suites do not collide. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

/** Resolves once something accepts connections on the port. */
export async function waitForPort(port: number, timeoutMs = 10_000, host = '127.0.0.1'): Promise<void> {
  await waitFor(
    () =>
      new Promise<boolean>((resolve) => {
        const s = connect(port, host);
        s.once('connect', () => {
          s.destroy();
          resolve(true);
        });
        s.once('error', () => resolve(false));
      }),
    { timeoutMs, message: `nothing listens on ${host}:${port}` },
  );
}

/** Polls cond until it is truthy, or fails with the message after timeoutMs. No fixed sleeps in tests. */
export async function waitFor<T>(cond: () => T | Promise<T>, opts: { timeoutMs?: number; intervalMs?: number; message: string }): Promise<NonNullable<T>> {
  const end = Date.now() + (opts.timeoutMs ?? 10_000);
  let last: unknown;
  for (;;) {
    try {
      const v = await cond();
      if (v) return v as NonNullable<T>;
    } catch (e) {
      last = e;
    }
    if (Date.now() > end) throw new Error(`timed out: ${opts.message}${last ? ` (last error: ${String(last)})` : ''}`);
    await new Promise((r) => setTimeout(r, opts.intervalMs ?? 25));
  }
}

/**
 * Retries an assertion until it passes or timeoutMs runs out, then throws its
 * last failure. For facts that arrive asynchronously, such as a child
 * process's log line that may trail its network answer.
 */
export async function eventually<T>(assertion: () => T | Promise<T>, timeoutMs = 5000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await assertion();
    } catch (e) {
      if (Date.now() > end) throw e;
      await new Promise((r) => setTimeout(r, 25));
    }
  }
}
