import { PassThrough, Writable } from 'node:stream';
import { Exec, KubeConfig, type V1Status } from '@kubernetes/client-node';

/** Writes a PEM-sized stdin to a file in the container, in about as many processes as the injector's script (sh, mkdir, cat, chmod, mv); $1 names its temp file, so that concurrent ones do not share it. */
const FLOOR_SCRIPT = 'set -e; mkdir -p /etc/conjur/ssl; t=/etc/conjur/ssl/.floor.$1; cat > "$t"; chmod 644 "$t"; mv -f "$t" /etc/conjur/ssl/floor.pem';
let seq = 0;

const sink = () => new Writable({ write: (_c, _e, done) => done() });

/** One bare client-node WebSocket exec with `stdin`; resolves with its wall time in ms once the status arrives. */
function execOnce(exec: Exec, target: { namespace: string; pod: string; container: string }, stdin: string): Promise<number> {
  const t0 = performance.now();
  return new Promise((ok, fail) => {
    const input = new PassThrough();
    exec
      .exec(target.namespace, target.pod, target.container, ['sh', '-c', FLOOR_SCRIPT, 'sh', String(seq++)], sink(), sink(), input, false, (s: V1Status) =>
        s.status === 'Success' ? ok(performance.now() - t0) : fail(new Error(`floor exec: ${s.message ?? s.status}`)),
      )
      .then(() => input.end(stdin), fail);
  });
}

/**
 * The exec floor: the median wall time of `n` sequential bare client-node
 * execs against the simulator, with the cert-injector's own kubeconfig, so
 * that RBAC, TLS, the WebSocket and the sandbox cost what the injector pays.
 */
export async function execFloorMs(kubeconfigFile: string, target: { namespace: string; pod: string; container: string }, n: number, concurrency: number): Promise<{ sequentialMs: number; parallelMsPerExec: number }> {
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfigFile);
  const exec = new Exec(kc);
  const pem = `-----BEGIN CERTIFICATE-----\n${'A'.repeat(64)}\n`.repeat(12);
  await execOnce(exec, target, pem); // warm-up: TLS session, sandbox folders
  const times: number[] = [];
  for (let i = 0; i < n; i++) times.push(await execOnce(exec, target, pem));
  // The same n execs, `concurrency` at once (as the injector runs them): wall time per exec, which is what a rollout waits for.
  const t0 = performance.now();
  let left = n;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (left-- > 0) await execOnce(exec, target, pem);
  }));
  return { sequentialMs: times.sort((a, b) => a - b)[Math.floor(n / 2)]!, parallelMsPerExec: (performance.now() - t0) / n };
}
