import { createLogger, LogCapture } from '@podid/logging';
import { DEFAULT_TRUST_DOMAIN } from '@podid/spiffe';
import { CertInjector } from './cert-injector';
import { ExecStartError, type ContainerExec, type ExecResult, type ExecTarget } from './container-exec';
import { ExecLimiter } from './exec-limiter';
import { CLIENT_CERT_PATH, STDIN_END_MARKER } from './inject-script';
import { clustersOf } from './testing/clusters-of';
import { makeTestLeaf } from './testing/make-test-leaf';

const UID = '2b4c8f0e-1a2b-4c3d-8e9f-0a1b2c3d4e5f';

/** Answers each run with the next scripted outcome and records what it was asked. */
class ScriptedExec implements ContainerExec {
  readonly calls: Array<{ target: ExecTarget; command: readonly string[]; stdin: string; timeoutMs: number }> = [];
  constructor(private readonly outcomes: Array<ExecResult | Error>) {}
  async run(target: ExecTarget, command: readonly string[], stdin: string, timeoutMs: number): Promise<ExecResult> {
    this.calls.push({ target, command, stdin, timeoutMs });
    const next = this.outcomes.shift() ?? { exitCode: 0, stdout: '', stderr: '' };
    if (next instanceof Error) throw next;
    return next;
  }
}

function setup(outcomes: Array<ExecResult | Error>, trustDomain = DEFAULT_TRUST_DOMAIN) {
  const capture = new LogCapture();
  const exec = new ScriptedExec(outcomes);
  const injector = new CertInjector({
    clusters: clustersOf({ default: { exec, trustDomain } }),
    limiter: new ExecLimiter({ concurrency: 2, queue: 2 }),
    timeoutMs: 5000,
    retryDelayMs: 1,
    log: createLogger({ service: 'cert-injector', level: 'debug', destination: capture }),
  });
  return { capture, exec, injector };
}

async function codeOf(p: Promise<unknown>): Promise<string | undefined> {
  return p.then(
    () => undefined,
    (e: { code?: string }) => e.code,
  );
}

describe('CertInjector', () => {
  let pem: string;
  let serial: string;
  const req = () => ({ namespace: 'demo', pod: 'app-1', container: 'authenticator', certificatePem: pem, podUid: UID });
  beforeAll(async () => {
    ({ certPem: pem, serial } = await makeTestLeaf({ namespace: 'demo', pod: 'app-1', podUid: UID }));
  });

  it('execs sh with the PEM on stdin only, and logs serial and fingerprint but never the PEM', async () => {
    const { exec, injector, capture } = setup([]);
    const res = await injector.inject(req());
    expect(res.path).toBe(CLIENT_CERT_PATH);
    expect(exec.calls).toHaveLength(1);
    const call = exec.calls[0]!;
    expect(call.target).toMatchObject({ namespace: 'demo', pod: 'app-1', container: 'authenticator' });
    expect(call.command.join(' ')).not.toContain('BEGIN CERTIFICATE');
    expect(call.stdin).toBe(`${pem}${STDIN_END_MARKER}\n`);
    const [line] = capture.withEvent('CERT_INJECTED');
    expect(line).toMatchObject({ namespace: 'demo', pod: 'app-1', container: 'authenticator', cert_serial: serial });
    expect(line!['cert_sha256']).toMatch(/^[0-9a-f]{64}$/);
    const body = pem.split('\n')[1]!;
    expect(capture.text).not.toContain(body);
  });

  it('refuses a certificate for another pod before any exec, and logs the refusal', async () => {
    const { exec, injector, capture } = setup([]);
    expect(await codeOf(injector.inject({ ...req(), pod: 'app-2' }))).toBe('CERT_TARGET_MISMATCH');
    expect(await codeOf(injector.inject({ ...req(), podUid: '9b4c8f0e-1a2b-4c3d-8e9f-0a1b2c3d4e5f' }))).toBe('CERT_TARGET_MISMATCH');
    expect(exec.calls).toHaveLength(0);
    expect(capture.withEvent('CERT_TARGET_MISMATCH')).toHaveLength(2);
  });

  it('checks the leaf against its configured trust domain, not the default one', async () => {
    const { certPem } = await makeTestLeaf({ namespace: 'demo', pod: 'app-1', podUid: UID, trustDomain: 'example.org' });
    const other = setup([], 'example.org');
    expect((await other.injector.inject({ ...req(), certificatePem: certPem })).path).toBe(CLIENT_CERT_PATH);
    expect(await codeOf(other.injector.inject(req()))).toBe('CERT_TARGET_MISMATCH');
    expect(other.capture.withEvent('CERT_TARGET_MISMATCH')[0]!['reason']).toContain('wrong trust domain');
    const def = setup([]);
    expect(await codeOf(def.injector.inject({ ...req(), certificatePem: certPem }))).toBe('CERT_TARGET_MISMATCH');
  });

  it.each([
    ['namespace', { namespace: 'Demo/../x' }],
    ['container', { container: 'a b' }],
    ['pod_uid', { podUid: 'not-a-uid' }],
  ])('refuses a bad %s with BAD_REQUEST', async (_f, patch) => {
    const { exec, injector } = setup([]);
    expect(await codeOf(injector.inject({ ...req(), ...patch }))).toBe('BAD_REQUEST');
    expect(exec.calls).toHaveLength(0);
  });

  it('retries an exec that did not start (connection error, 5xx) and then succeeds', async () => {
    const { exec, injector, capture } = setup([new ExecStartError(undefined, 'ECONNREFUSED'), new ExecStartError(503, 'busy')]);
    await injector.inject(req());
    expect(exec.calls).toHaveLength(3);
    expect(capture.withEvent('EXEC_RETRY').map((l) => l['attempt'])).toEqual([1, 2]);
  });

  it('gives up after the retries with K8S_UNAVAILABLE', async () => {
    const down = () => new ExecStartError(undefined, 'ECONNREFUSED');
    const { exec, injector } = setup([down(), down(), down(), down()]);
    expect(await codeOf(injector.inject(req()))).toBe('K8S_UNAVAILABLE');
    expect(exec.calls).toHaveLength(3);
  });

  it.each([
    [403, 'K8S_FORBIDDEN'],
    [404, 'POD_NOT_FOUND'],
    [400, 'CONTAINER_NOT_FOUND'],
    [401, 'K8S_UNAVAILABLE'],
  ])('does not retry HTTP %i and maps it to %s', async (status, code) => {
    const { exec, injector, capture } = setup([new ExecStartError(status, 'refused')]);
    expect(await codeOf(injector.inject(req()))).toBe(code);
    expect(exec.calls).toHaveLength(1);
    expect(capture.withEvent('CERT_INJECT_FAILED')[0]).toMatchObject({ code });
  });

  it('never re-runs a command that ran: a non-zero exit is EXEC_FAILED with exit code and sanitized stderr', async () => {
    const { exec, injector } = setup([{ exitCode: 1, stdout: '', stderr: 'mkdir: cannot create directory\n\u001b[31m/etc/conjur\u0007' }]);
    const err = await injector.inject(req()).catch((e: Error & { code: string }) => e);
    expect(err).toMatchObject({ code: 'EXEC_FAILED' });
    expect((err as Error).message).toContain('exit code 1');
    expect((err as Error).message).toContain('stderr: mkdir: cannot create directory ?[31m/etc/conjur?');
    expect(exec.calls).toHaveLength(1);
  });

  describe('with several clusters', () => {
    const two = () => {
      const a = new ScriptedExec([]);
      const b = new ScriptedExec([new ExecStartError(undefined, 'ECONNREFUSED'), new ExecStartError(undefined, 'ECONNREFUSED'), new ExecStartError(undefined, 'ECONNREFUSED')]);
      const capture = new LogCapture();
      const injector = new CertInjector({
        clusters: clustersOf({ a: { exec: a, trustDomain: 'a.example' }, b: { exec: b, trustDomain: 'b.example' } }),
        limiter: new ExecLimiter({ concurrency: 2, queue: 2 }),
        timeoutMs: 5000,
        retryDelayMs: 1,
        log: createLogger({ service: 'cert-injector', destination: capture }),
      });
      return { a, b, injector, capture };
    };
    const leafOf = async (cluster: string, trustDomain: string) => (await makeTestLeaf({ namespace: 'demo', pod: 'app-1', podUid: UID, cluster, trustDomain })).certPem;

    it('execs in the named cluster only, and refuses a leaf of another cluster or trust domain', async () => {
      const { a, b, injector, capture } = two();
      await injector.inject({ ...req(), cluster: 'a', certificatePem: await leafOf('a', 'a.example') });
      expect([a.calls.length, b.calls.length]).toEqual([1, 0]);
      expect(capture.withEvent('CERT_INJECTED')[0]).toMatchObject({ cluster: 'a' });
      expect(await codeOf(injector.inject({ ...req(), cluster: 'a', certificatePem: await leafOf('b', 'a.example') }))).toBe('CERT_TARGET_MISMATCH');
      expect(await codeOf(injector.inject({ ...req(), cluster: 'a', certificatePem: await leafOf('a', 'b.example') }))).toBe('CERT_TARGET_MISMATCH');
      expect([a.calls.length, b.calls.length]).toEqual([1, 0]);
      expect(capture.withEvent('CERT_TARGET_MISMATCH').map((l) => l['reason'])).toEqual([expect.stringContaining('SAN cluster mismatch: exp="a" got="b"'), expect.stringContaining('wrong trust domain')]);
    });

    it('refuses an unknown cluster, or none named among several, with K8S_UNAVAILABLE, and names the cluster whose API failed', async () => {
      const { injector } = two();
      const pem = await leafOf('b', 'b.example');
      await expect(injector.inject({ ...req(), cluster: 'c', certificatePem: pem })).rejects.toMatchObject({ code: 'K8S_UNAVAILABLE', message: expect.stringContaining('cluster "c" is not declared') });
      await expect(injector.inject({ ...req(), certificatePem: pem })).rejects.toMatchObject({ code: 'K8S_UNAVAILABLE' });
      await expect(injector.inject({ ...req(), cluster: 'b', certificatePem: pem })).rejects.toMatchObject({ code: 'K8S_UNAVAILABLE', message: expect.stringMatching(/^cluster "b": Kubernetes API unavailable/) });
      expect(await codeOf(injector.inject({ ...req(), cluster: 'B/x', certificatePem: pem }))).toBe('BAD_REQUEST');
    });
  });
});
