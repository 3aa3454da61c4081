import { createPod, exec, runningPod, shellPod, waitPhase } from './helpers';
import { startTarget, type Target } from './target';

let t: Target;
let ns: string;
beforeAll(async () => {
  t = await startTarget();
  ns = await t.namespace('conf-exec');
  expect((await t.raw('POST', `/api/v1/namespaces/${ns}/secrets`, { body: { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'env' }, stringData: { word: 's3cret' } } })).status).toBe(201);
  await runningPod(t, ns, 'shell', {
    securityContext: { runAsUser: 1000, runAsGroup: 1000 },
    env: [
      { name: 'LITERAL', value: 'plain' },
      { name: 'MY_POD', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
      { name: 'MY_NS', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
      { name: 'FROM_SECRET', valueFrom: { secretKeyRef: { name: 'env', key: 'word' } } },
    ],
  });
});
afterAll(() => t?.stop());

describe('conformance: exec', () => {
  it('stdout and a Success status on the status channel', async () => {
    const r = await exec(t, ns, 'shell', ['/bin/sh', '-c', 'echo out; echo err >&2']);
    expect(r).toMatchObject({ stdout: 'out\n', stderr: 'err\n', status: { status: 'Success' } });
  });

  it('a non-zero exit is NonZeroExitCode with the code in an ExitCode cause', async () => {
    const r = await exec(t, ns, 'shell', ['/bin/sh', '-c', 'exit 3']);
    expect(r.status).toMatchObject({ status: 'Failure', reason: 'NonZeroExitCode', details: { causes: [{ reason: 'ExitCode', message: '3' }] } });
  });

  it('commands run as the securityContext user and group', async () => {
    const r = await exec(t, ns, 'shell', ['/bin/sh', '-c', 'echo "$(id -u):$(id -g)"']);
    expect(r.stdout).toBe('1000:1000\n');
  });

  it('the environment comes from the pod spec: literals, the downward API and secret keys', async () => {
    const r = await exec(t, ns, 'shell', ['/bin/sh', '-c', 'echo "$LITERAL|$MY_POD|$MY_NS|$FROM_SECRET"']);
    expect(r.stdout).toBe(`plain|shell|${ns}|s3cret\n`);
  });

  it('the hostname is the pod name, in /etc/hostname too', async () => {
    const r = await exec(t, ns, 'shell', ['/bin/sh', '-c', 'hostname; cat /etc/hostname']);
    expect(r.stdout).toBe('shell\nshell\n');
  });

  it('a missing binary is a runtime error, not an exit code', async () => {
    const r = await exec(t, ns, 'shell', ['conformance-no-such-binary']);
    expect(r.status).toMatchObject({ status: 'Failure' });
    expect(r.status?.reason).not.toBe('NonZeroExitCode');
    expect(r.status?.message).toContain('conformance-no-such-binary');
  });

  it("the service account's token, the cluster CA and the namespace are mounted, and the token is the pod's", async () => {
    const pod = shellPod(t, 'mounted');
    (pod['spec'] as Record<string, unknown>)['automountServiceAccountToken'] = true;
    await createPod(t, ns, pod);
    await waitPhase(t, ns, 'mounted', 'Running');
    const dir = '/var/run/secrets/kubernetes.io/serviceaccount';
    const files = await exec(t, ns, 'mounted', ['/bin/sh', '-c', `cat ${dir}/namespace; echo; head -1 ${dir}/ca.crt`]);
    expect(files.stdout).toBe(`${ns}\n-----BEGIN CERTIFICATE-----\n`);
    const token = (await exec(t, ns, 'mounted', ['cat', `${dir}/token`])).stdout;
    const review = await t.raw('POST', '/apis/authentication.k8s.io/v1/tokenreviews', { body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token } } });
    expect(review.json.status).toMatchObject({ authenticated: true, user: { username: `system:serviceaccount:${ns}:default` } });
    expect(review.json.status.user.extra['authentication.kubernetes.io/pod-name']).toEqual(['mounted']);
  });

  // The API server has no phase check (kubectl's "completed pod" error is client-side): it upgrades, and the kubelet
  // answers on channel 3 that the container is not running.
  it('exec into a Succeeded pod is upgraded, then fails with 500 InternalError: container not found', async () => {
    await createPod(t, ns, shellPod(t, 'done', { restartPolicy: 'Never', command: ['/bin/sh', '-c', 'exit 0'] }));
    await waitPhase(t, ns, 'done', 'Succeeded');
    const r = await exec(t, ns, 'done', ['true']);
    expect(r.refused).toBeUndefined();
    expect(r.status).toMatchObject({
      status: 'Failure',
      reason: 'InternalError',
      code: 500,
      message: 'Internal error occurred: unable to upgrade connection: container not found ("main")',
    });
  });

  it('an unknown container is 400 naming it', async () => {
    const r = await exec(t, ns, 'shell', ['true'], undefined, 'nope');
    expect(r.refused).toBe(400);
    expect(r.refusal?.message).toContain('nope');
  });
});
