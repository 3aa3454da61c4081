import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { Exec, KubeConfig, type V1Status } from '@kubernetes/client-node';
import { WebSocket } from 'ws';
import { startTestSim, waitFor } from './sim-fixture';
import type { Simulator } from './types';

let sim: Simulator;
let cleanup: () => Promise<void>;
let logs: Array<{ event: string; msg: string; [k: string]: unknown }>;
let admin: KubeConfig;

interface ExecResult {
  stdout: string;
  stderr: string;
  status?: V1Status;
}

/** Runs a command through client-node's Exec and waits for the socket to close. */
async function run(kc: KubeConfig, pod: string, container: string, command: string[], stdin?: string): Promise<ExecResult> {
  const out = new PassThrough();
  const err = new PassThrough();
  const chunks = { out: [] as Buffer[], err: [] as Buffer[] };
  out.on('data', (c: Buffer) => chunks.out.push(c));
  err.on('data', (c: Buffer) => chunks.err.push(c));
  let status: V1Status | undefined;
  const ws = await new Exec(kc).exec('ex', pod, container, command, out, err, stdin === undefined ? null : Readable.from([Buffer.from(stdin)]), false, (s) => {
    status = s;
  });
  await new Promise<void>((resolve) => (ws.readyState === ws.CLOSED ? resolve() : ws.addEventListener('close', () => resolve())));
  return { stdout: Buffer.concat(chunks.out).toString(), stderr: Buffer.concat(chunks.err).toString(), ...(status ? { status } : {}) };
}

/** Conjur's injection script (docs/conjur-compatibility.md section 4), byte for byte, for a given PEM. */
function conjurScript(pem: string): string {
  return `#!/bin/sh
set -e

cleanup() {
  rm -f "/etc/conjur/ssl/client.pem.tmp"
}
trap cleanup EXIT

set_file_content() {
  cat > "/etc/conjur/ssl/client.pem.tmp" <<EOF
${pem}
EOF

  chmod "644" "/etc/conjur/ssl/client.pem.tmp"
  mv "/etc/conjur/ssl/client.pem.tmp" "/etc/conjur/ssl/client.pem"
}

# Check if log directory is writeable before attempting to log
if [ -w "\${TMPDIR:-/tmp}" ]; then
  set_file_content > "\${TMPDIR:-/tmp}/conjur_copy_text_output.log" 2>&1
else
  # Still perform the operation but echo warning to stderr
  echo "WARNING: Log directory '\${TMPDIR:-/tmp}' is not writeable. Certificate will be injected but operation logs will not be saved." >&2
  set_file_content
fi
`;
}

/** Opens a raw websocket to the exec endpoint with Conjur's headers (bearer token, no subprotocol). */
function openRaw(path: string, token: string, protocols: string[] = []): WebSocket {
  return new WebSocket(`${sim.url.replace('https', 'wss')}${path}`, protocols, { ca: sim.caPem, headers: { Authorization: `Bearer ${token}` } });
}

beforeAll(async () => {
  ({ sim, cleanup, logs } = await startTestSim({ sandbox: 'bwrap' }));
  admin = new KubeConfig();
  admin.loadFromString(sim.adminKubeconfigYaml());
  await sim.apply({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'app', namespace: 'ex' },
    spec: { containers: [{ name: 'app', env: [{ name: 'GREETING', value: 'hi' }] }, { name: 'authenticator' }] },
  });
  await sim.apply({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'injector', namespace: 'ex' } });
  await sim.apply({
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'Role',
    metadata: { name: 'exec', namespace: 'ex' },
    rules: [{ apiGroups: [''], resources: ['pods/exec'], verbs: ['get', 'create'] }],
  });
  await sim.apply({
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'RoleBinding',
    metadata: { name: 'injector-exec', namespace: 'ex' },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'exec' },
    subjects: [{ kind: 'ServiceAccount', name: 'injector', namespace: 'ex' }],
  });
});
afterAll(() => cleanup());

describe('pods/exec', () => {
  it('feeds stdin to the command and writes into the container root', async () => {
    const r = await run(admin, 'app', 'authenticator', ['sh', '-c', 'cat > /etc/x.pem && chmod 644 /etc/x.pem'], 'PEM DATA\n');
    expect(r.status).toEqual({ metadata: {}, status: 'Success' });
    const file = join(sim.podRoot('ex', 'app', 'authenticator'), 'etc', 'x.pem');
    expect(readFileSync(file, 'utf8')).toBe('PEM DATA\n');
    expect(statSync(file).mode & 0o777).toBe(0o644);
    // client-node offers v5 first; a v5 stdin close (channel 255) let `cat` finish.
    expect(logs.find((l) => l.event === 'SIM_EXEC_DONE')).toMatchObject({ protocol: 'v5.channel.k8s.io', exit_code: 0 });
  });

  it('returns stdout, stderr and a NonZeroExitCode Failure status', async () => {
    const r = await run(admin, 'app', 'app', ['sh', '-c', 'echo "$GREETING from $(hostname)"; echo oops >&2; exit 3']);
    expect(r.stdout).toBe('hi from app\n');
    expect(r.stderr).toBe('oops\n');
    expect(r.status).toMatchObject({ status: 'Failure', reason: 'NonZeroExitCode', details: { causes: [{ reason: 'ExitCode', message: '3' }] } });
  });

  it('keeps writes inside the container root', async () => {
    const name = `escape-${randomBytes(6).toString('hex')}`;
    const r = await run(admin, 'app', 'app', ['sh', '-c', `echo x > /etc/${name}; ls /; test -e /work && echo LEAK; true`]);
    expect(r.status?.status).toBe('Success');
    expect(existsSync(join(sim.podRoot('ex', 'app', 'app'), 'etc', name))).toBe(true);
    expect(existsSync(join('/etc', name))).toBe(false);
    expect(r.stdout).not.toContain('LEAK');
    expect(r.stdout.split('\n')).toEqual(expect.arrayContaining(['etc', 'tmp', 'usr', 'proc']));
  });

  // A simulator of its own: with a 1 s timeout for every exec, the other cases failed on a busy machine.
  it('kills a command that outlives the timeout', async () => {
    const short = await startTestSim({ sandbox: 'bwrap', execTimeoutMs: 1000 });
    try {
      await short.sim.apply({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'app', namespace: 'ex' }, spec: { containers: [{ name: 'app' }] } });
      const kc = new KubeConfig();
      kc.loadFromString(short.sim.adminKubeconfigYaml());
      const r = await run(kc, 'app', 'app', ['sleep', '30']);
      expect(r.status).toMatchObject({ status: 'Failure', message: 'command timed out' });
      expect(short.logs.some((l) => l.event === 'SIM_EXEC_TIMEOUT')).toBe(true);
    } finally {
      await short.cleanup();
    }
  });

  it('refuses before the upgrade: unknown pod 404, bad container 400, no RBAC 403', async () => {
    await expect(run(admin, 'ghost', 'app', ['true'])).rejects.toMatchObject({ message: expect.stringContaining('404') });
    await expect(run(admin, 'app', 'nope', ['true'])).rejects.toMatchObject({ message: expect.stringContaining('400') });
    const alice = new KubeConfig();
    alice.loadFromString(sim.kubeconfigYaml({ user: 'alice' }));
    sim.clearAccessLog();
    await expect(run(alice, 'app', 'app', ['true'])).rejects.toMatchObject({ message: expect.stringContaining('403') });
    expect(sim.accessLog).toEqual([{ user: 'alice', groups: ['system:authenticated'], verb: 'get', apiGroup: '', resource: 'pods', subresource: 'exec', namespace: 'ex', name: 'app', allowed: false }]);
  });

  it("runs Conjur's script from one stdin frame sent without a subprotocol, even though the client closes at once", async () => {
    const root = sim.podRoot('ex', 'app', 'authenticator');
    mkdirSync(join(root, 'etc', 'conjur', 'ssl'), { recursive: true }); // the authenticator image ships this folder
    const pem = `-----BEGIN CERTIFICATE-----\n${randomBytes(48).toString('base64')}\n-----END CERTIFICATE-----\n`;
    const token = await sim.createServiceAccountToken({ namespace: 'ex', serviceAccount: 'injector', audiences: [sim.serviceAccountIssuer] });
    const ws = openRaw('/api/v1/namespaces/ex/pods/app/exec?container=authenticator&stderr=true&stdout=true&stdin=true&command=sh', token);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => {
        expect(ws.protocol).toBe('');
        ws.send(`\x00${conjurScript(pem)}`); // a text frame, as Conjur's library sends it
        ws.close();
        resolve();
      });
      ws.once('error', reject);
    });
    const target = join(root, 'etc', 'conjur', 'ssl', 'client.pem');
    await waitFor('the injected certificate', () => existsSync(target));
    expect(readFileSync(target, 'utf8')).toBe(`${pem}\n`);
    expect(statSync(target).mode & 0o777).toBe(0o644);
    expect(readdirSync(join(root, 'etc', 'conjur', 'ssl'))).toEqual(['client.pem']);
    expect(existsSync(join(root, 'tmp', 'conjur_copy_text_output.log'))).toBe(true);
  });

  it('sends a plain-text error on channel 3 for channel.k8s.io', async () => {
    const token = await sim.createServiceAccountToken({ namespace: 'ex', serviceAccount: 'injector', audiences: [sim.serviceAccountIssuer] });
    const ws = openRaw('/api/v1/namespaces/ex/pods/app/exec?container=app&stdout=true&command=sh&command=-c&command=echo%20hi%3B%20exit%202', token, ['channel.k8s.io']);
    const frames: Buffer[] = [];
    ws.on('message', (d: Buffer) => frames.push(d));
    await new Promise((resolve) => ws.once('close', resolve));
    expect(frames.map((f) => [f[0], f.subarray(1).toString()])).toEqual([
      [1, 'hi\n'],
      [3, 'command terminated with non-zero exit code: error executing command [sh -c echo hi; exit 2], exit code 2'],
    ]);
  });
});
