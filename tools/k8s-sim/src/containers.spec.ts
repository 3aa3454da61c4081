import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { CoreV1Api, Exec, KubeConfig, type V1ContainerStatus, type V1Status } from '@kubernetes/client-node';
import { startTestSim, waitFor } from './sim-fixture';
import type { Simulator } from './types';

/** A tag in every test command line, so that /proc shows which processes are ours. */
const MARK = `k8s-sim-ctr-${randomBytes(4).toString('hex')}`;
const sh = (script: string) => ({ command: ['/bin/sh', '-c', `: ${MARK}; ${script}`] });
const NS = 'run';

let sim: Simulator;
let cleanup: () => Promise<void>;
let logs: Array<{ event: string; msg: string; [k: string]: unknown }>;
let core: CoreV1Api;
let admin: KubeConfig;

/** Host pids whose command line carries `mark`. */
function processesWith(mark: string): number[] {
  const pids: number[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      if (readFileSync(`/proc/${d}/cmdline`, 'utf8').includes(mark)) pids.push(Number(d));
    } catch {
      // exited meanwhile
    }
  }
  return pids;
}

const read = (p: string): string | undefined => (existsSync(p) ? readFileSync(p, 'utf8').trim() : undefined);
const vol = (pod: string, v: string, file: string) => join(sim.volumeDir(NS, pod, v), file);

async function containerStatus(pod: string, name: string, init = false): Promise<V1ContainerStatus | undefined> {
  const p = await core.readNamespacedPod({ namespace: NS, name: pod });
  return (init ? p.status?.initContainerStatuses : p.status?.containerStatuses)?.find((c) => c.name === name);
}

async function exec(pod: string, container: string, command: string[]): Promise<V1Status | undefined> {
  let status: V1Status | undefined;
  const ws = await new Exec(admin).exec(NS, pod, container, command, new PassThrough(), new PassThrough(), null, false, (s) => {
    status = s;
  });
  await new Promise<void>((resolve) => (ws.readyState === ws.CLOSED ? resolve() : ws.addEventListener('close', () => resolve())));
  return status;
}

beforeAll(async () => {
  ({ sim, cleanup, logs } = await startTestSim({
    sandbox: 'bwrap',
    images: {
      'test/init': sh('echo "init ran" > /shared/init.txt'),
      'test/env': sh(
        'printf "%s|%s|%s|%s|%s|%s\\n" "$POD_NAME" "$POD_UID" "$SA" "$GREETING" "${OPT-unset}" "$HOME" > /shared/env.txt; ' +
          '[ -f /shared/init.txt ] && echo yes > /shared/saw-init; ' +
          "trap 'echo term > /shared/got-term; exit 0' TERM; " +
          'while :; do [ -f /etc/conjur/ssl/client.pem ] && cp /etc/conjur/ssl/client.pem /shared/copied; sleep 0.1; done',
      ),
      'test/reader': sh(
        'if echo x > /data/ro-test 2>/dev/null; then echo writable > /tmp/ro; else echo readonly > /tmp/ro; fi; ' +
          'while :; do [ -f /data/env.txt ] && cp /data/env.txt /tmp/b-saw-env; sleep 0.1; done',
      ),
      'test/stubborn': sh('trap "" TERM; while :; do sleep 0.2; done'),
      'test/flaky': sh('n=$(cat /tmp/n 2>/dev/null || echo 0); n=$((n+1)); echo $n > /tmp/n; echo "run $n"; echo "err $n" >&2; [ $n -ge 2 ] && exit 0; exit 3'),
    },
  }));
  admin = new KubeConfig();
  admin.loadFromString(sim.adminKubeconfigYaml());
  core = admin.makeApiClient(CoreV1Api);
  await sim.apply({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'runner-sa', namespace: NS } });
}, 20_000);
afterAll(() => cleanup());

describe('running containers of mapped images', () => {
  const volumeMounts = [{ name: 'shared', mountPath: '/shared' }];
  const pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'runner', namespace: NS },
    spec: {
      serviceAccountName: 'runner-sa',
      volumes: [
        { name: 'shared', emptyDir: { medium: 'Memory' } },
        { name: 'sa-token', projected: { sources: [{ serviceAccountToken: { audience: 'podid', expirationSeconds: 600, path: 'token' } }] } },
      ],
      initContainers: [{ name: 'init', image: 'test/init', volumeMounts }],
      containers: [
        {
          name: 'a',
          image: 'test/env',
          volumeMounts: [...volumeMounts, { name: 'sa-token', mountPath: '/var/run/secrets/tokens' }],
          env: [
            { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
            { name: 'POD_UID', valueFrom: { fieldRef: { fieldPath: 'metadata.uid' } } },
            { name: 'SA', valueFrom: { fieldRef: { fieldPath: 'spec.serviceAccountName' } } },
            { name: 'GREETING', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'greeting' } } },
            { name: 'OPT', valueFrom: { secretKeyRef: { name: 'nope', key: 'k', optional: true } } },
          ],
        },
        { name: 'b', image: 'test/reader', volumeMounts: [{ name: 'shared', mountPath: '/data', readOnly: true }] },
        { name: 'idle', image: 'not/mapped' },
      ],
    },
  };

  it('runs init containers first, and holds a container until its ConfigMap exists', async () => {
    await sim.apply(pod);
    await waitFor('init container output', () => read(vol('runner', 'shared', 'init.txt')));
    const waiting = await waitFor('CreateContainerConfigError', async () => (await containerStatus('runner', 'a'))?.state?.waiting);
    expect(waiting).toEqual({ reason: 'CreateContainerConfigError', message: 'configmap "cfg" not found' });
    expect(await containerStatus('runner', 'init', true)).toMatchObject({ ready: true, state: { terminated: { exitCode: 0 } } });
    expect(read(vol('runner', 'shared', 'env.txt'))).toBeUndefined();
    await sim.apply({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg', namespace: NS }, data: { greeting: 'hello' } });
    const env = await waitFor('env.txt', () => read(vol('runner', 'shared', 'env.txt')), 10_000);
    const uid = (await core.readNamespacedPod({ namespace: NS, name: 'runner' })).metadata?.uid;
    expect(env).toBe(`runner|${uid}|runner-sa|hello|unset|/`);
    expect(read(vol('runner', 'shared', 'saw-init'))).toBe('yes');
    expect(await containerStatus('runner', 'a')).toMatchObject({ ready: true, state: { running: {} } });
    expect(existsSync(sim.podRoot(NS, 'runner', 'idle'))).toBe(true);
    expect(read(join(sim.podRoot(NS, 'runner', 'idle'), 'tmp', 'n'))).toBeUndefined();
  });

  it('shares an emptyDir between containers, read-only where the mount says so', async () => {
    const seen = await waitFor('b sees env.txt through its own mount', () => read(join(sim.podRoot(NS, 'runner', 'b'), 'tmp', 'b-saw-env')));
    expect(seen).toBe(read(vol('runner', 'shared', 'env.txt')));
    expect(read(join(sim.podRoot(NS, 'runner', 'b'), 'tmp', 'ro'))).toBe('readonly');
    expect(existsSync(vol('runner', 'shared', 'ro-test'))).toBe(false);
  });

  it('lets exec write where the running process reads: the container root and its volumes', async () => {
    const status = await exec('runner', 'a', ['sh', '-c', 'mkdir -p /etc/conjur/ssl && echo CERT > /etc/conjur/ssl/client.pem && echo hi > /shared/from-exec']);
    expect(status?.status).toBe('Success');
    expect(await waitFor('the process copies the exec-written file', () => read(vol('runner', 'shared', 'copied')))).toBe('CERT');
    expect(read(vol('runner', 'shared', 'from-exec'))).toBe('hi');
    expect(read(join(sim.podRoot(NS, 'runner', 'a'), 'etc', 'conjur', 'ssl', 'client.pem'))).toBe('CERT');
  });

  it('projects a service-account token bound to the pod', async () => {
    const token = read(vol('runner', 'sa-token', 'token'));
    const claims = JSON.parse(Buffer.from(token?.split('.')[1] ?? '', 'base64url').toString('utf8'));
    expect(claims).toMatchObject({ aud: ['podid'], sub: `system:serviceaccount:${NS}:runner-sa`, 'kubernetes.io': { pod: { name: 'runner' } } });
    expect(claims.exp - claims.iat).toBe(600);
  });

  it('appends container output to <pod>/<container>.log', async () => {
    await sim.apply({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'talker', namespace: NS }, spec: { containers: [{ name: 'c', image: 'test/flaky' }] } });
    // test/flaky fails once, then succeeds; restartPolicy Always restarts it again after that
    const out = await waitFor('the second run', () => read(sim.containerLogFile(NS, 'talker', 'c'))?.match(/^run 1\nerr 1\nrun 2\nerr 2/), 10_000);
    expect(out).toBeTruthy();
    expect(logs.some((l) => l.event === 'SIM_CONTAINER_BACKOFF' && l['pod'] === 'talker' && l['exit_code'] === 3 && l['delay_ms'] === 1000)).toBe(true);
    expect(((await containerStatus('talker', 'c'))?.restartCount ?? 0) >= 1).toBe(true);
  });

  it('honours restartPolicy OnFailure: a failed run is retried, a clean exit is final', async () => {
    await sim.apply({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'once', namespace: NS }, spec: { restartPolicy: 'OnFailure', containers: [{ name: 'c', image: 'test/flaky' }] } });
    const done = await waitFor('a clean exit', async () => {
      const s = await containerStatus('once', 'c');
      return s?.state?.terminated?.exitCode === 0 ? s : undefined;
    }, 10_000);
    expect(done.restartCount).toBe(1);
    expect(read(join(sim.podRoot(NS, 'once', 'c'), 'tmp', 'n'))).toBe('2');
  });

  it('sends SIGTERM to the containers of a deleted pod, and nothing of it keeps running', async () => {
    expect(processesWith(`${MARK}; printf`).length).toBeGreaterThan(0);
    await sim.remove('Pod', NS, 'runner');
    await waitFor('the TERM trap ran', () => read(vol('runner', 'shared', 'got-term')), 10_000);
    await waitFor('no process of the pod', () => processesWith(`${MARK}; printf`).length === 0 && processesWith(`${MARK}; if echo`).length === 0, 10_000);
  });

  it('leaves no process behind after stop(), killing one that ignores SIGTERM after the grace period', async () => {
    await sim.apply({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'stubborn', namespace: NS }, spec: { containers: [{ name: 'c', image: 'test/stubborn' }] } });
    await waitFor('the stubborn container', () => processesWith(`${MARK}; trap`).length > 0);
    const started = Date.now();
    await sim.stop();
    expect(Date.now() - started).toBeGreaterThanOrEqual(4900);
    expect(processesWith(MARK)).toEqual([]);
  }, 60_000);
});
