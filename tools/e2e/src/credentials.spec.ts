import { spawn } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { createK8sCredentials, rbacBindingYaml } from '@podid/cli';
import { PodVerifierService } from '@podid/contracts';
import { createServiceClient } from '@podid/grpc';
import { loadKubeConfig } from '@podid/kube';
import { httpsCall, waitFor, eventually } from '@podid/testkit';
import { HOST, POD, startE2eSuite, type Suite } from './support/e2e-suite';
import { authenticate, certificateLogin, tokenAuthorization } from './support/pod-login';

const REPO = resolve(__dirname, '../../..');

/** Runs the operator CLI as a process; resolves with its exit code and output. */
function runCli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [join(REPO, 'node_modules/tsx/dist/cli.mjs'), join(REPO, 'tools/cli/src/main.ts'), ...args], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', fail);
    child.on('exit', (code) => done({ code, stdout, stderr }));
  });
}

/**
 * podid's own Kubernetes credential outside the cluster (docs/kubernetes-access.md): a
 * client certificate made through the certificates.k8s.io CSR API, bound by
 * the RBAC the tool prints, used by pod-verifier and cert-injector, and
 * watched for expiry.
 */
describe('e2e: client-certificate credentials for podid', () => {
  let suite: Suite;
  let adminKubeconfig: string;
  let statusToken: string;
  beforeAll(async () => {
    suite = await startE2eSuite();
    adminKubeconfig = join(suite.stateDir, 'kubeconfig');
    const a = await certificateLogin(suite, { hostId: HOST.admin, namespace: 'demo', pod: POD.admin });
    statusToken = (await authenticate(suite, { hostId: HOST.admin, cert: a.certPem, key: a.keyPem })).body;
  }, 150_000);
  afterAll(() => suite?.stop());

  const applyYaml = async (yaml: string) => {
    for (const doc of parseAllDocuments(yaml)) await suite.sim.apply(doc.toJSON() as object);
  };
  const status = async () => {
    const r = await httpsCall(suite.gatewayUrl, { path: '/authn-k8s/dev/default/status', caPem: suite.gatewayCaPem, headers: tokenAuthorization(statusToken) });
    return { code: r.status, body: JSON.parse(r.body) as { status?: string; checks?: Array<{ name: string; ok: boolean; warning?: boolean; code?: string; hint?: string }> } };
  };
  /** Restarts both Kubernetes clients of podid on `kubeconfig`. */
  const useCredential = async (kubeconfig: string) => {
    await suite.restart('pod-verifier', { KUBECONFIG: kubeconfig });
    await suite.restart('cert-injector', { KUBECONFIG: kubeconfig });
  };

  it('runs the whole certificate login on a CSR-issued client certificate with the printed RBAC', async () => {
    const user = 'podid-operator';
    const { kc: admin } = loadKubeConfig(adminKubeconfig);
    const issued = await createK8sCredentials(admin, { user, groups: [], expirationSeconds: 90 * 86_400, approve: true, waitMs: 10_000 }, () => undefined);
    const file = join(suite.stateDir, `${user}.kubeconfig`);
    writeFileSync(file, issued.kubeconfigYaml, { mode: 0o600 });
    await applyYaml(rbacBindingYaml(user));
    suite.sim.clearAccessLog();
    await useCredential(file);

    const login = await certificateLogin(suite, { hostId: HOST.deployment, namespace: 'demo', pod: POD.deployment });
    const token = await authenticate(suite, { hostId: HOST.deployment, cert: login.certPem, key: login.keyPem });
    expect(token.status).toBe(200);
    expect(JSON.parse(token.body)).toHaveProperty('protected');

    // Both services really used the new user, and it was never refused.
    const used = suite.sim.accessLog.filter((e) => e.user === user);
    expect(used.filter((e) => !e.allowed)).toEqual([]);
    expect(used).toEqual(expect.arrayContaining([
      expect.objectContaining({ verb: 'watch', resource: 'pods' }),
      expect.objectContaining({ verb: 'create', resource: 'pods', subresource: 'exec', name: POD.deployment }),
    ]));
    await eventually(() => expect(suite.logs('pod-verifier').find((l) => l['event'] === 'SERVICE_READY' && l['kube_credentials'] === 'kubeconfig-client-cert')).toBeDefined());
    const valid = await waitFor(() => suite.logs('pod-verifier').filter((l) => l['event'] === 'K8S_CLIENT_CERT_VALID').at(-1), { message: 'K8S_CLIENT_CERT_VALID' });
    expect(valid).toMatchObject({ subject_cn: user, days_left: 89, not_after: issued.notAfter.toISOString() });
    await waitFor(async () => (await status()).code === 200, { timeoutMs: 20_000, message: 'status ok on the new credential' });
    expect((await status()).body).toEqual({ status: 'ok' });
  });

  it('warns about a credential inside the threshold, and GetStatus and /metrics report its notAfter', async () => {
    const user = 'podid-short-lived';
    const file = join(suite.stateDir, `${user}.kubeconfig`);
    const cli = await runCli(['k8s-credentials', 'create', '--user', user, '--ttl', '48h', '--approve', '--wait', '10s', '--kubeconfig', adminKubeconfig, '--out', file]);
    expect(cli).toMatchObject({ code: 0 });
    expect(cli.stderr).toMatch(/wrote .* \(client certificate valid until /);
    expect(cli.stdout).toContain(`name: "${user}"`);
    await applyYaml(cli.stdout);
    const certPem = Buffer.from(loadKubeConfig(file).kc.getCurrentUser()!.certData!, 'base64').toString('utf8');
    const notAfter = new Date(new X509Certificate(certPem).validTo);

    await useCredential(file);
    const warning = await waitFor(() => suite.logs('pod-verifier').filter((l) => l['event'] === 'K8S_CLIENT_CERT_EXPIRING' && l['subject_cn'] === user).at(-1), { message: 'K8S_CLIENT_CERT_EXPIRING' });
    expect(warning).toMatchObject({ level: 'warn', subject_cn: user, days_left: 1, not_after: notAfter.toISOString(), warn_days: 30 });
    await eventually(() => expect(suite.logs('cert-injector').filter((l) => l['event'] === 'K8S_CLIENT_CERT_EXPIRING').at(-1)).toMatchObject({ subject_cn: user, days_left: 1 }));
    expect(JSON.stringify([...suite.logs('pod-verifier'), ...suite.logs('cert-injector')])).not.toContain('BEGIN CERTIFICATE');

    // GetStatus straight from pod-verifier, as the gateway calls it.
    const grpcPort = suite.logs('pod-verifier').filter((l) => l['event'] === 'SERVICE_READY').at(-1)!['grpc_port'];
    const pki = join(suite.stateDir, 'pki');
    const tls = { caPem: readFileSync(join(pki, 'internal-ca.pem'), 'utf8'), certPem: readFileSync(join(pki, 'services', 'gateway.pem'), 'utf8'), keyPem: readFileSync(join(pki, 'services', 'gateway-key.pem'), 'utf8') };
    const pv = createServiceClient(PodVerifierService, { address: `127.0.0.1:${grpcPort}`, tls, expectService: 'pod-verifier', deadlineMs: 10_000 });
    try {
      const s = await pv.getStatus({ cluster: '' });
      expect(s).toMatchObject({ reachable: true, credentialSource: 'kubeconfig-client-cert', clientCertNotAfter: Math.floor(notAfter.getTime() / 1000) });
      expect(s.permissions.filter((p) => !p.allowed)).toEqual([]);
    } finally {
      pv.close();
    }
    const metrics = await (await fetch(`http://127.0.0.1:${suite.services.get('pod-verifier')!.opsPort}/metrics`)).text();
    const left = Number(/^podid_k8s_client_cert_expiry_seconds\{cluster="default"\} (\S+)$/m.exec(metrics)?.[1]);
    expect(Math.abs(left - (notAfter.getTime() - Date.now()) / 1000)).toBeLessThan(60);

    // The gateway's status check turns the same notAfter into a warning with a hint: podid still works, so 200.
    const answer = await status();
    const checks = answer.body.checks ?? [];
    expect(checks.find((c) => c.name === 'kubernetes-credential')).toMatchObject({ ok: true, warning: true, code: 'K8S_CLIENT_CERT_EXPIRING', hint: expect.stringMatching(/expires in 1 days/) });
    expect(answer).toMatchObject({ code: 200, body: { status: 'warning' } });
  });
});
