import { DeadlineExceededError, ResourceExhaustedError } from '@podid/errors';

/** Counts the limiter exposes for metrics and tests. */
export interface LimiterStats {
  readonly running: number;
  readonly queued: number;
}

/**
 * Bounds concurrent execs against the Kubernetes API (docs/architecture.md section 8): at most
 * `concurrency` run, at most `queue` wait in FIFO order, and the rest are
 * refused at once with EXEC_QUEUE_FULL rather than piling up. A waiter whose
 * caller gives up (signal) leaves the queue without running.
 */
export class ExecLimiter {
  private running = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(private readonly opts: { concurrency: number; queue: number }) {
    if (opts.concurrency < 1 || opts.queue < 0) throw new Error('ExecLimiter: concurrency must be >= 1 and queue >= 0');
  }

  stats(): LimiterStats {
    return { running: this.running, queued: this.waiting.length };
  }

  async run<T>(task: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    await this.acquire(signal);
    try {
      return await task();
    } finally {
      this.release();
    }
  }

  private acquire(signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(gaveUp());
    if (this.running < this.opts.concurrency) {
      this.running++;
      return Promise.resolve();
    }
    if (this.waiting.length >= this.opts.queue) {
      return Promise.reject(
        new ResourceExhaustedError('EXEC_QUEUE_FULL', `exec queue full: ${this.running} running, ${this.waiting.length} waiting (limit ${this.opts.queue})`, 1),
      );
    }
    return new Promise<void>((resolve, reject) => {
      const onAbort = () => {
        const i = this.waiting.indexOf(waiter);
        if (i >= 0) this.waiting.splice(i, 1);
        reject(gaveUp());
      };
      const waiter = () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiting.push(waiter);
    });
  }

  private release(): void {
    const next = this.waiting.shift();
    // The slot passes straight to the next waiter, so `running` stays the same.
    if (next) next();
    else this.running--;
  }
}

function gaveUp(): DeadlineExceededError {
  return new DeadlineExceededError('EXEC_QUEUE_TIMEOUT', 'the caller gave up while the exec waited for a free slot');
}
