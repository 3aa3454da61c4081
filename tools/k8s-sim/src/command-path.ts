import { accessSync, constants, statSync } from 'node:fs';
import { join, posix } from 'node:path';
import { SANDBOX_SYSTEM_DIRS, type Bind } from './sandbox';

const under = (path: string, dir: string) => path === dir || path.startsWith(`${dir}/`);

/** Where a path inside the sandbox lives on the host: a bind, a read-only system folder, or the container root. */
function hostPathOf(root: string, binds: readonly Bind[], path: string): string {
  const bind = [...binds].sort((a, b) => b.path.length - a.path.length).find((b) => under(path, b.path));
  if (bind) return join(bind.hostPath, path.slice(bind.path.length));
  if (SANDBOX_SYSTEM_DIRS.some((d) => under(path, d))) return path;
  return join(root, path);
}

function executable(hostPath: string): boolean {
  try {
    if (!statSync(hostPath).isFile()) return false;
    accessSync(hostPath, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Why `command` cannot start in the sandbox (the container runtime's words), or undefined when it can: a missing
 * binary is a runtime error, not an exit code of the command.
 */
export function commandStartError(root: string, binds: readonly Bind[], command: string, pathEnv: string): string | undefined {
  if (command.includes('/')) {
    const abs = posix.resolve('/', command);
    return executable(hostPathOf(root, binds, abs)) ? undefined : `exec: "${command}": stat ${command}: no such file or directory`;
  }
  const found = pathEnv.split(':').some((dir) => dir.startsWith('/') && executable(hostPathOf(root, binds, posix.join(dir, command))));
  return found ? undefined : `exec: "${command}": executable file not found in $PATH`;
}
