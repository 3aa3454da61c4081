import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { isDnsLabel, isDnsSubdomain } from './validate';

/**
 * Host directories that are the root filesystems of simulated containers:
 * `<stateDir>/pods/<namespace>/<pod>/<container>/`, each with its own etc/ and tmp/.
 */
export class PodFs {
  private readonly base: string;

  constructor(stateDir: string) {
    this.base = resolve(stateDir, 'pods');
  }

  /** Path of a container root. Names are checked so that no argument can point outside the pods folder. */
  root(namespace: string, pod: string, container: string): string {
    if (!isDnsLabel(namespace)) throw new Error(`invalid namespace name ${JSON.stringify(namespace)}`);
    if (!isDnsSubdomain(pod)) throw new Error(`invalid pod name ${JSON.stringify(pod)}`);
    if (!isDnsLabel(container)) throw new Error(`invalid container name ${JSON.stringify(container)}`);
    return join(this.base, namespace, pod, container);
  }

  /** `<stateDir>/pods/<ns>/<pod>/.volumes/<volume>/`: a pod volume (the leading dot keeps it apart from container names). */
  volumeDir(namespace: string, pod: string, volume: string): string {
    if (!isDnsLabel(volume)) throw new Error(`invalid volume name ${JSON.stringify(volume)}`);
    return join(dirname(this.root(namespace, pod, 'x')), '.volumes', volume);
  }

  /** `<stateDir>/pods/<ns>/<pod>/<container>.log`: stdout and stderr of a running container. */
  logFile(namespace: string, pod: string, container: string): string {
    return `${this.root(namespace, pod, container)}.log`;
  }

  /**
   * Creates the container root with etc/ (holding the pod's /etc/hostname, as the kubelet mounts it) and a
   * world-writable sticky tmp/ (as in an image), if missing.
   */
  ensure(namespace: string, pod: string, container: string): string {
    const root = this.root(namespace, pod, container);
    mkdirSync(join(root, 'etc'), { recursive: true });
    mkdirSync(join(root, 'tmp'), { recursive: true });
    chmodSync(join(root, 'tmp'), 0o1777);
    const hostname = join(root, 'etc', 'hostname');
    if (!existsSync(hostname)) writeFileSync(hostname, `${pod}\n`, { mode: 0o644 });
    return root;
  }
}
