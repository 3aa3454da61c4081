import { statSync, watch, type FSWatcher } from 'node:fs';
import { dirname } from 'node:path';
import type { Logger } from '@podid/logging';

export interface PolicyWatch {
  close(): void;
}

/**
 * Calls onChange (debounced) whenever anything in the policy's folder changes.
 * It watches the folder, not the file, because editors save by renaming a new
 * file over the old one and Kubernetes swaps a ConfigMap's `..data` symlink:
 * both replace the inode a file watch would follow. A slow poll covers
 * filesystems whose watch misses events. onChange must be idempotent.
 */
export function watchPolicy(opts: { path: string; debounceMs: number; pollMs: number; log: Logger; onChange: () => void }): PolicyWatch {
  let timer: NodeJS.Timeout | undefined;
  const fire = () => {
    timer = undefined;
    opts.onChange();
  };
  const schedule = () => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(fire, opts.debounceMs);
  };
  let watcher: FSWatcher | undefined;
  let dir = opts.path;
  try {
    dir = statSync(opts.path).isDirectory() ? opts.path : dirname(opts.path);
    watcher = watch(dir, { persistent: false }, schedule);
    watcher.on('error', (err) => {
      opts.log.event('POLICY_WATCH_FAILED', { dir, err: String(err) });
      watcher?.close();
    });
  } catch (err) {
    opts.log.event('POLICY_WATCH_FAILED', { dir, err: String(err) });
  }
  const poll = setInterval(schedule, opts.pollMs);
  poll.unref();
  return {
    close() {
      watcher?.close();
      clearInterval(poll);
      if (timer) clearTimeout(timer);
    },
  };
}
