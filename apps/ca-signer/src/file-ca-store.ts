import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FailedPreconditionError } from '@podid/errors';
import { createCa, type KeyAlgorithm } from '@podid/x509';
import type { CaStore, StoredCa } from './ca-store';

/** Lifetime of a CA created in local mode. */
export const CREATED_CA_TTL_MS = 10 * 365 * 86_400_000;

/**
 * CAs in a directory: `<dir>/<serviceId>/ca.pem` and `ca-key.pem` (0600).
 * With `createAlgorithm` set, a missing CA is created on first use (local mode).
 */
export function fileCaStore(opts: { dir: string; createAlgorithm?: KeyAlgorithm; now: () => Date; onInsecureKeyMode?: (path: string, mode: number) => void }): CaStore {
  const paths = (id: string) => ({ dir: join(opts.dir, id), cert: join(opts.dir, id, 'ca.pem'), key: join(opts.dir, id, 'ca-key.pem') });
  const store: CaStore = {
    locationOf: (id) => `${paths(id).dir}/{ca.pem,ca-key.pem}`,
    async load(id) {
      const p = paths(id);
      const [certPem, keyPem] = await Promise.all([readOptional(p.cert), readOptional(p.key)]);
      if (certPem === undefined && keyPem === undefined) return undefined;
      if (certPem === undefined) throw new FailedPreconditionError('CA_CORRUPT', `${p.cert}: exp=CA certificate beside ${p.key} got=missing`);
      if (keyPem === undefined) throw new FailedPreconditionError('CA_CORRUPT', `${p.key}: exp=CA key beside ${p.cert} got=missing`);
      const mode = (await stat(p.key)).mode & 0o777;
      if (mode & 0o077) opts.onInsecureKeyMode?.(p.key, mode);
      return { certPem, keyPem, source: p.dir };
    },
  };
  if (opts.createAlgorithm) {
    const algorithm = opts.createAlgorithm;
    store.create = async (id): Promise<StoredCa> => {
      const p = paths(id);
      const ca = await createCa({ commonName: `podid authn-k8s ${id} CA`, organization: 'podid', now: opts.now(), ttlMs: CREATED_CA_TTL_MS, algorithm });
      await mkdir(p.dir, { recursive: true, mode: 0o700 });
      // Key first, each written to a temp file and renamed, so a reader never sees half a CA.
      await writeAtomic(p.key, ca.keyPem, 0o600);
      await writeAtomic(p.cert, ca.certPem, 0o644);
      return { ...ca, source: p.dir };
    };
  }
  return store;
}

async function readOptional(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    throw new FailedPreconditionError('CA_CORRUPT', `${path}: exp=a readable file got=${code ?? 'error'}`);
  }
}

async function writeAtomic(path: string, text: string, mode: number): Promise<void> {
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, text, { mode, flag: 'w' });
  await rename(tmp, path);
}
