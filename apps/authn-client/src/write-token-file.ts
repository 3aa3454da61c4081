import { randomBytes } from 'node:crypto';
import { chmod, mkdir, open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { TokenFileError } from './client-errors';

/**
 * Writes the token atomically: a temp file in the same directory, fsync,
 * mode 0644, then rename, so that a reader never sees half a token. Creates
 * the directory (0755) when missing. Fails with TokenFileError.
 */
export async function writeTokenFile(path: string, body: Buffer): Promise<void> {
  const dir = dirname(path);
  const tmp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    await mkdir(dir, { recursive: true, mode: 0o755 });
    const fh = await open(tmp, 'wx', 0o644);
    try {
      await fh.writeFile(body);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await chmod(tmp, 0o644); // the umask may have narrowed it; the app container reads it as another user
    await rename(tmp, path);
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    throw new TokenFileError(path, err);
  }
}
