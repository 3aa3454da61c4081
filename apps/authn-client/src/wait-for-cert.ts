import { X509Certificate } from 'node:crypto';
import { watch, type FSWatcher } from 'node:fs';
import { mkdir, readFile, unlink } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { CertWaitTimeoutError } from './client-errors';

/** Fallback poll interval: fs.watch misses events on some volume types (NFS, some overlay setups). */
export const CERT_POLL_MS = 200;
/** How often CERT_WAITING is logged while waiting. */
export const CERT_WAIT_LOG_MS = 2000;

export interface WaitForCertOptions {
  readonly path: string;
  readonly timeoutMs: number;
  /** True when the certificate is for this process's key. */
  readonly matches: (cert: X509Certificate) => boolean;
  readonly signal?: AbortSignal;
  readonly onWaiting?: (elapsedMs: number) => void;
  /** Called once per distinct rejected file content: a cert for another key, or text that does not parse. */
  readonly onRejected?: (reason: 'key_mismatch' | 'unparseable') => void;
  readonly now?: () => number;
}

/** The injected certificate, read and checked; the PEM may hold the leaf plus its chain. */
export interface InjectedCert {
  readonly pem: string;
  readonly leaf: X509Certificate;
}

/**
 * Waits for the server to inject our certificate at `path`: watches the
 * directory, polls as a fallback, and accepts only a certificate whose public
 * key is ours. The file is deleted once read (as Conjur does); the cert stays
 * in memory. Rejects with CertWaitTimeoutError after timeoutMs.
 */
export async function waitForCert(opts: WaitForCertOptions): Promise<InjectedCert> {
  const now = opts.now ?? Date.now;
  const start = now();
  const dir = dirname(opts.path);
  await mkdir(dir, { recursive: true }).catch(() => undefined);
  let lastSeen: 'absent' | 'key_mismatch' | 'unparseable' = 'absent';
  let lastRejected = '';
  let watcher: FSWatcher | undefined;
  let wake: (() => void) | undefined;
  try {
    watcher = watch(dir, (_event, name) => {
      if (name === null || name === basename(opts.path)) wake?.();
    });
    watcher.on('error', () => undefined);
  } catch {
    watcher = undefined; // polling alone still works
  }
  let nextLog = start + CERT_WAIT_LOG_MS;
  try {
    for (;;) {
      opts.signal?.throwIfAborted();
      const pem = await readFile(opts.path, 'utf8').catch(() => undefined);
      if (pem !== undefined && pem.trim() !== '') {
        const leaf = parseLeaf(pem);
        const verdict = leaf === undefined ? 'unparseable' : opts.matches(leaf) ? 'ok' : 'key_mismatch';
        if (verdict === 'ok' && leaf) {
          await unlink(opts.path).catch(() => undefined);
          return { pem, leaf };
        }
        lastSeen = verdict as typeof lastSeen;
        if (pem !== lastRejected) {
          lastRejected = pem;
          opts.onRejected?.(lastSeen as 'key_mismatch' | 'unparseable');
        }
      }
      const t = now();
      if (t - start >= opts.timeoutMs) throw new CertWaitTimeoutError(opts.path, t - start, lastSeen);
      if (t >= nextLog) {
        opts.onWaiting?.(t - start);
        nextLog += CERT_WAIT_LOG_MS;
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, Math.min(CERT_POLL_MS, Math.max(1, start + opts.timeoutMs - t)));
        const onAbort = () => done();
        function done() {
          clearTimeout(timer);
          opts.signal?.removeEventListener('abort', onAbort);
          wake = undefined;
          resolve();
        }
        wake = done;
        opts.signal?.addEventListener('abort', onAbort, { once: true });
      });
    }
  } finally {
    watcher?.close();
  }
}

function parseLeaf(pem: string): X509Certificate | undefined {
  try {
    return new X509Certificate(pem);
  } catch {
    return undefined;
  }
}
