import { mkdir, open, readFile, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { parseStoredKeys, type KeyStore, type StoredKeys } from './key-store';

const FILE = 'token-signing-keys.json';

/**
 * Signing keys in one file under `dir`, mode 0600. Writes are atomic (temp
 * file, fsync, rename), so a crash leaves either the old or the new ring.
 */
export class FileKeyStore implements KeyStore {
  readonly description: string;
  private readonly path: string;

  constructor(private readonly dir: string) {
    this.path = join(dir, FILE);
    this.description = `file:${this.path}`;
  }

  async load(): Promise<StoredKeys | undefined> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new Error(`${this.path}: cannot read signing keys (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
    }
    return parseStoredKeys(text, this.path);
  }

  async save(keys: StoredKeys): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    const tmp = join(this.dir, `.${FILE}.${randomBytes(6).toString('hex')}.tmp`);
    const fh = await open(tmp, 'wx', 0o600);
    try {
      await fh.writeFile(JSON.stringify(keys));
      await fh.sync();
    } finally {
      await fh.close();
    }
    try {
      await rename(tmp, this.path);
    } catch (e) {
      await unlink(tmp).catch(() => undefined);
      throw e;
    }
  }
}
