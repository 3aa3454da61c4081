import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { createLogger, LogCapture } from '@podid/logging';
import { freePort } from '@podid/testkit';
import { CertInjector } from './cert-injector';
import { ExecStartError, type ContainerExec, type ExecResult, type ExecTarget } from './container-exec';
import { ExecLimiter } from './exec-limiter';
import { KubeContainerExec } from './kube-container-exec';
import { defaultCluster } from './testing/clusters-of';
import { makeTestLeaf } from './testing/make-test-leaf';
import { NS, startSimCluster, type SimCluster } from './testing/sim-cluster';

/** The real exec, plus a count of concurrent runs and an injectable start failure (STYLE 24). */
class CountingExec implements ContainerExec {
  active = 0;
  peak = 0;
  runs = 0;
  private failures: Error[] = [];
  constructor(private readonly real: ContainerExec) {}
  failNext(e: Error): void {
    this.failures.push(e);
  }
  async run(t: ExecTarget, c: readonly string[], stdin: string, ms: number): Promise<ExecResult> {
    this.runs++;
    const f = this.failures.shift();
    if (f) throw f;
    this.active++;
    this.peak = Math.max(this.peak, this.active);
    try {
      return await this.real.run(t, c, stdin, ms);
    } finally {
      this.active--;
    }
  }
}

const PODS = ['app-1', 'app-2', 'no-write', 'p0', 'p1', 'p2', 'p3'];
const codeOf = (p: Promise<unknown>) => p.then(() => 'OK', (e: { code?: string }) => e.code ?? String(e));

describe('injection through the simulator (real client-node exec, bubblewrap sandbox)', () => {
  let c: SimCluster;
  let capture: LogCapture;
  const leafPem: Record<string, string> = {};
  const log = () => createLogger({ service: 'cert-injector', level: 'debug', destination: capture });
  const injectorWith = (exec: ContainerExec, o: { concurrency?: number; queue?: number; timeoutMs?: number } = {}) =>
    new CertInjector({ clusters: defaultCluster(exec), limiter: new ExecLimiter({ concurrency: o.concurrency ?? 8, queue: o.queue ?? 64 }), timeoutMs: o.timeoutMs ?? 5000, retryDelayMs: 5, log: log() });
  const file = (pod: string, container = 'authenticator') => join(c.sim.podRoot(NS, pod, container), 'etc/conjur/ssl/client.pem');
  const req = (pod: string, container = 'authenticator') => ({ namespace: NS, pod, container, certificatePem: leafPem[pod]! });

  beforeAll(async () => {
    c = await startSimCluster(PODS);
    const first = await makeTestLeaf({ namespace: NS, pod: 'app-1' });
    for (const p of PODS) leafPem[p] = (await makeTestLeaf({ ca: first.ca, namespace: NS, pod: p })).certPem;
  });
  afterAll(async () => c?.stop());
  beforeEach(() => {
    capture = new LogCapture();
    c.sim.clearAccessLog();
  });

  it('writes the PEM atomically with mode 0644, using only create/get on pods/exec', async () => {
    const injector = injectorWith(new KubeContainerExec(c.kubeConfig('cert-injector')));
    const res = await injector.inject(req('app-1'));
    expect(res.path).toBe('/etc/conjur/ssl/client.pem');
    expect(readFileSync(file('app-1'), 'utf8')).toBe(leafPem['app-1']);
    expect(lstatSync(file('app-1')).mode & 0o777).toBe(0o644);
    expect(readdirSync(join(c.sim.podRoot(NS, 'app-1', 'authenticator'), 'etc/conjur/ssl'))).toEqual(['client.pem']);
    expect(existsSync(file('app-1', 'app'))).toBe(false);
    // WebSocket exec is authorized as get (v1.34) and create (v1.35+); the simulator checks both.
    expect(c.sim.accessLog).toEqual(
      ['get', 'create'].map((verb) => expect.objectContaining({ user: 'cert-injector', verb, resource: 'pods', subresource: 'exec', name: 'app-1', allowed: true })),
    );
    expect(capture.withEvent('CERT_INJECTED')[0]).toMatchObject({ pod: 'app-1', duration_ms: expect.any(Number) });
  });

  it('replaces an existing file in place', async () => {
    const injector = injectorWith(new KubeContainerExec(c.kubeConfig('cert-injector')));
    await injector.inject(req('app-2'));
    const other = (await makeTestLeaf({ namespace: NS, pod: 'app-2' })).certPem;
    await injector.inject({ ...req('app-2'), certificatePem: other });
    expect(readFileSync(file('app-2'), 'utf8')).toBe(other);
  });

  it('refuses a certificate whose SAN names another pod, and execs nowhere', async () => {
    const injector = injectorWith(new KubeContainerExec(c.kubeConfig('cert-injector')));
    expect(await codeOf(injector.inject({ ...req('p3'), certificatePem: leafPem['p2']! }))).toBe('CERT_TARGET_MISMATCH');
    expect(c.sim.accessLog).toEqual([]);
    expect(existsSync(file('p3'))).toBe(false);
    expect(existsSync(file('p2'))).toBe(false);
  });

  it('answers NOT_FOUND for a missing container or pod', async () => {
    const injector = injectorWith(new KubeContainerExec(c.kubeConfig('cert-injector')));
    expect(await codeOf(injector.inject(req('app-1', 'sidecar')))).toBe('CONTAINER_NOT_FOUND');
    const ghost = (await makeTestLeaf({ namespace: NS, pod: 'ghost' })).certPem;
    expect(await codeOf(injector.inject({ namespace: NS, pod: 'ghost', container: 'authenticator', certificatePem: ghost }))).toBe('POD_NOT_FOUND');
  });

  it('reports EXEC_FAILED with exit code and stderr when /etc/conjur is not a directory', async () => {
    const root = c.sim.podRoot(NS, 'no-write', 'authenticator');
    mkdirSync(join(root, 'etc'), { recursive: true });
    writeFileSync(join(root, 'etc/conjur'), 'not a directory');
    const injector = injectorWith(new KubeContainerExec(c.kubeConfig('cert-injector')));
    const err = (await injector.inject(req('no-write')).catch((e: unknown) => e)) as { code: string; message: string };
    expect(err.code).toBe('EXEC_FAILED');
    expect(err.message).toMatch(/exit code [1-9]/);
    expect(err.message).toMatch(/stderr: .*mkdir/);
    expect(readFileSync(join(root, 'etc/conjur'), 'utf8')).toBe('not a directory');
  });

  it('answers K8S_FORBIDDEN, naming the grant, to a user without pods/exec', async () => {
    const injector = injectorWith(new KubeContainerExec(c.kubeConfig('pod-reader')));
    const err = (await injector.inject(req('p0')).catch((e: unknown) => e)) as { code: string; message: string };
    expect(err.code).toBe('K8S_FORBIDDEN');
    expect(err.message).toContain('create and get on pods/exec');
    expect(existsSync(file('p0'))).toBe(false);
  });

  it('times out a command that hangs (EXEC_TIMEOUT), and an injection over its budget', async () => {
    const exec = new KubeContainerExec(c.kubeConfig('cert-injector'));
    const t0 = Date.now();
    expect(await codeOf(exec.run({ namespace: NS, pod: 'p1', container: 'app' }, ['sleep', '30'], '', 400))).toBe('EXEC_TIMEOUT');
    expect(Date.now() - t0).toBeLessThan(3000);
    expect(await codeOf(injectorWith(exec, { timeoutMs: 1 }).inject(req('p1')))).toBe('EXEC_TIMEOUT');
  });

  it('runs at most PODID_EXEC_CONCURRENCY execs at once and refuses past the queue', async () => {
    const counting = new CountingExec(new KubeContainerExec(c.kubeConfig('cert-injector')));
    const injector = injectorWith(counting, { concurrency: 2, queue: 3 });
    const pods = ['p0', 'p1', 'p2', 'p3', 'app-1', 'app-2'];
    const codes = await Promise.all(pods.map((p) => codeOf(injector.inject(req(p)))));
    expect(codes.filter((x) => x === 'OK')).toHaveLength(5);
    expect(codes.filter((x) => x === 'EXEC_QUEUE_FULL')).toHaveLength(1);
    expect(counting.peak).toBe(2);
    expect(capture.withEvent('EXEC_QUEUE_FULL')).toHaveLength(1);
  });

  it('retries an exec that did not start, and gives up with K8S_UNAVAILABLE when the API is down', async () => {
    const counting = new CountingExec(new KubeContainerExec(c.kubeConfig('cert-injector')));
    counting.failNext(new ExecStartError(503, 'apiserver overloaded'));
    await injectorWith(counting).inject(req('p2'));
    expect(counting.runs).toBe(2);
    expect(readFileSync(file('p2'), 'utf8')).toBe(leafPem['p2']);

    const down = new KubeConfig();
    down.loadFromString(c.injectorYaml.replace(/server: https:\/\/127\.0\.0\.1:\d+/, `server: https://127.0.0.1:${await freePort()}`));
    const downCount = new CountingExec(new KubeContainerExec(down));
    const err = (await injectorWith(downCount).inject(req('p2')).catch((e: unknown) => e)) as { code: string; message: string };
    expect(err.code).toBe('K8S_UNAVAILABLE');
    expect(err.message).toContain('ECONNREFUSED');
    expect(downCount.runs).toBe(3);
  });
});
