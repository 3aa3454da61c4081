import type { Logger } from '@podid/logging';

/** A started service: something that can be stopped. */
export interface Running {
  stop(): Promise<void>;
}

/**
 * Runs a process entry point with two-stage shutdown: the first SIGTERM or
 * SIGINT drains (stop()) and exits 0; a second signal exits 130 at once.
 * A failed start, or a stop that takes longer than stopTimeoutMs, exits 1.
 */
export function runMain(opts: { log: Logger; start: () => Promise<Running>; stopTimeoutMs?: number }): void {
  const { log } = opts;
  let running: Running | undefined;
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      process.exit(130);
    }
    stopping = true;
    log.event('SERVICE_STOPPING', { signal });
    const hard = setTimeout(() => {
      log.event('SERVICE_FAILED', { task: 'shutdown', err: 'stop timed out' });
      process.exit(1);
    }, opts.stopTimeoutMs ?? 15_000);
    hard.unref();
    Promise.resolve(running?.stop()).then(
      () => {
        log.event('SERVICE_STOPPED');
        process.exit(0);
      },
      (err: unknown) => {
        log.event('SERVICE_FAILED', { task: 'shutdown', err: String(err) });
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  process.on('unhandledRejection', (err) => {
    log.event('SERVICE_FAILED', { task: 'unhandledRejection', err: err instanceof Error ? { message: err.message, stack: err.stack } : String(err) });
    process.exit(1);
  });
  log.event('SERVICE_STARTING', { pid: process.pid });
  opts.start().then(
    (r) => {
      running = r;
      if (stopping) void r.stop().then(() => process.exit(0));
    },
    (err: unknown) => {
      log.event('SERVICE_FAILED', { task: 'start', err: err instanceof Error ? { type: err.name, message: err.message } : String(err) });
      process.exit(1);
    },
  );
}
