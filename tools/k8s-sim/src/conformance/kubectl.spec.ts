import { eventually } from '@podid/testkit';
import forge from 'node-forge';
import { execFile, execFileSync } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { grant, runningPod } from './helpers';
import { startTarget, type Target } from './target';

// A kubectl >= 1.27: PODID_KUBECTL (the cluster tier passes its own), else the machine's or Debian trixie's.
const KUBECTL = process.env['PODID_KUBECTL'] ?? execFileSync(join(__dirname, '../../../ci/install-kubectl.sh'), { encoding: 'utf8' }).trim();
let t: Target;
let ns: string;
let dir: string;
const suffix = randomBytes(3).toString('hex');

beforeAll(async () => {
  t = await startTarget();
  ns = await t.namespace('conf-kubectl');
  dir = mkdtempSync(join(tmpdir(), 'conf-kubectl-'));
});
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await t?.raw('DELETE', `/apis/certificates.k8s.io/v1/certificatesigningrequests/conf-kubectl-${suffix}`);
  await t?.stop();
});

function kubectl(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(KUBECTL, ['--kubeconfig', t.kubeconfigPath, ...args], { timeout: 60_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? ((err as { code: number }).code) : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

const deployment = (containers: Array<{ name: string; image: string }>) =>
  JSON.stringify({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'applied', namespace: ns },
    spec: {
      replicas: 0,
      selector: { matchLabels: { app: 'applied' } },
      template: { metadata: { labels: { app: 'applied' } }, spec: { containers: containers.map((c) => ({ ...c, imagePullPolicy: 'Never' })) } },
    },
  });

describe('conformance: kubectl', () => {
  it('apply (with validation) creates, then a second and third apply merge the container list by name', async () => {
    const file = join(dir, 'deploy.json');
    writeFileSync(file, deployment([{ name: 'a', image: t.image }, { name: 'b', image: t.image }]));
    const first = await kubectl('apply', '-f', file);
    expect(first).toMatchObject({ code: 0 });
    expect(first.stdout).toContain('created');
    writeFileSync(file, deployment([{ name: 'a', image: t.image }, { name: 'c', image: t.image }, { name: 'b', image: `${t.image}-x` }]));
    expect(await kubectl('apply', '-f', file)).toMatchObject({ code: 0 });
    const names = async () => {
      const r = await t.raw('GET', `/apis/apps/v1/namespaces/${ns}/deployments/applied`);
      expect(r.text).not.toContain('$setElementOrder');
      return r.json.spec.template.spec.containers.map((c: { name: string; image: string }) => `${c.name}=${c.image}`);
    };
    expect(await names()).toEqual([`a=${t.image}`, `c=${t.image}`, `b=${t.image}-x`]);
    writeFileSync(file, deployment([{ name: 'c', image: t.image }]));
    expect(await kubectl('apply', '-f', file)).toMatchObject({ code: 0 });
    expect(await names()).toEqual([`c=${t.image}`]);
  });

  it('apply with an unknown field fails validation, naming the field', async () => {
    const file = join(dir, 'bad.json');
    writeFileSync(file, JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'bad', namespace: ns }, data: {}, bogusField: 1 }));
    const r = await kubectl('apply', '-f', file);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('bogusField');
    expect((await t.raw('GET', `/api/v1/namespaces/${ns}/configmaps/bad`)).status).toBe(404);
  });

  it('create secret generic, and get -o wide of pods', async () => {
    expect(await kubectl('-n', ns, 'create', 'secret', 'generic', 'made', '--from-literal=k=v')).toMatchObject({ code: 0 });
    const s = await t.raw('GET', `/api/v1/namespaces/${ns}/secrets/made`);
    expect(Buffer.from(s.json.data.k, 'base64').toString()).toBe('v');
    await runningPod(t, ns, 'wide');
    const r = await kubectl('-n', ns, 'get', 'pods', '-o', 'wide');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\s+IP\s+NODE/);
    expect(r.stdout).toMatch(/wide\s+1\/1\s+Running/);
  });

  it('exec passes stdout and the exit code through, and delete waits for the graceful deletion', async () => {
    const out = await kubectl('-n', ns, 'exec', 'wide', '--', '/bin/sh', '-c', 'echo hi');
    expect(out).toMatchObject({ code: 0, stdout: 'hi\n' });
    expect((await kubectl('-n', ns, 'exec', 'wide', '--', '/bin/sh', '-c', 'exit 3')).code).toBe(3);
    expect(await kubectl('-n', ns, 'delete', 'pod', 'wide')).toMatchObject({ code: 0 });
    expect((await t.raw('GET', `/api/v1/namespaces/${ns}/pods/wide`)).status).toBe(404);
  });

  it('auth can-i and auth whoami, as another user', async () => {
    const who = `conf-kubectl-${suffix}`;
    const no = await kubectl('-n', ns, 'auth', 'can-i', 'get', 'pods', '--as', who);
    expect(no.stdout.trim()).toBe('no');
    await grant(t, ns, who, 'reader', [{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }]);
    await eventually(async () => expect((await kubectl('-n', ns, 'auth', 'can-i', 'get', 'pods', '--as', who)).stdout.trim()).toBe('yes'), 30_000);
    const me = await kubectl('auth', 'whoami', '--as', who, '-o', 'json');
    expect(me.code).toBe(0);
    expect(JSON.parse(me.stdout).status.userInfo.username).toBe(who);
  });

  it('create token prints a token that reviews for its audience', async () => {
    const r = await kubectl('-n', ns, 'create', 'token', 'default', '--audience', 'podid-conformance', '--duration', '10m');
    expect(r.code).toBe(0);
    const token = r.stdout.trim();
    const review = await t.raw('POST', '/apis/authentication.k8s.io/v1/tokenreviews', {
      body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token, audiences: ['podid-conformance'] } },
    });
    expect(review.json.status.authenticated).toBe(true);
  });

  it('certificate approve', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const csr = forge.pki.createCertificationRequest();
    csr.publicKey = forge.pki.publicKeyFromPem(publicKey.export({ type: 'spki', format: 'pem' }).toString());
    csr.setSubject([{ name: 'commonName', value: `conf-kubectl-${suffix}` }]);
    csr.sign(forge.pki.privateKeyFromPem(privateKey.export({ type: 'pkcs1', format: 'pem' }).toString()), forge.md.sha256.create());
    const name = `conf-kubectl-${suffix}`;
    const created = await t.raw('POST', '/apis/certificates.k8s.io/v1/certificatesigningrequests', {
      body: {
        apiVersion: 'certificates.k8s.io/v1',
        kind: 'CertificateSigningRequest',
        metadata: { name },
        spec: { request: Buffer.from(forge.pki.certificationRequestToPem(csr)).toString('base64'), signerName: 'kubernetes.io/kube-apiserver-client', usages: ['client auth'] },
      },
    });
    expect(created.status).toBe(201);
    const r = await kubectl('certificate', 'approve', name);
    expect(r).toMatchObject({ code: 0 });
    const got = await t.raw('GET', `/apis/certificates.k8s.io/v1/certificatesigningrequests/${name}`);
    expect(got.json.status.conditions).toEqual([expect.objectContaining({ type: 'Approved', status: 'True' })]);
  });
});
