import { execFile, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { waitFor } from '@podid/testkit';
import { HOST, POD, startE2eSuite, type Suite } from './support/e2e-suite';
import { authenticate, certificateLogin } from './support/pod-login';

const run = promisify(execFile);
const REPO = resolve(__dirname, '../../..');
const CLI_BIN = join(REPO, 'tools/cli/bin');

interface Ran {
  code: number;
  stdout: string;
  stderr: string;
}

async function exec(file: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<Ran> {
  try {
    const r = await run(file, args, { env: { ...process.env, ...env }, timeout: 60_000, maxBuffer: 8 * 1024 * 1024 });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const x = e as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof x.code === 'number' ? x.code : -1, stdout: x.stdout ?? '', stderr: x.stderr ?? '' };
  }
}

/** Standard tools against the platform port: grpcurl (not written here), the podid CLI, and kubectl's plugin mechanism. */
describe('e2e: platform API tooling (grpcurl, podid CLI, kubectl podid)', () => {
  let suite: Suite;
  let grpcurl: string;
  let dir: string;
  let admin: { certPem: string; keyPem: string };
  let adminToken: string;
  let appToken: string;
  const files: Record<string, string> = {};

  beforeAll(async () => {
    // A cold build fetches grpcurl from the Go module proxy; later runs reuse the cache.
    grpcurl = execFileSync(join(REPO, 'tools/ci/build-grpcurl.sh'), { encoding: 'utf8', timeout: 600_000 }).trim();
    suite = await startE2eSuite();
    dir = mkdtempSync(join(tmpdir(), 'podid-tools-'));
    admin = await certificateLogin(suite, { hostId: HOST.admin, namespace: 'demo', pod: POD.admin });
    adminToken = (await authenticate(suite, { hostId: HOST.admin, cert: admin.certPem, key: admin.keyPem })).body;
    const app = await certificateLogin(suite, { hostId: HOST.deployment, namespace: 'demo', pod: POD.deployment });
    appToken = (await authenticate(suite, { hostId: HOST.deployment, cert: app.certPem, key: app.keyPem })).body;
    for (const [name, content] of Object.entries({ ca: suite.gatewayCaPem, cert: admin.certPem, key: admin.keyPem, token: adminToken, 'app-token': appToken })) {
      files[name] = join(dir, name);
      writeFileSync(files[name]!, content, { mode: 0o600 });
    }
  }, 660_000);
  afterAll(async () => {
    await suite?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  describe('grpcurl', () => {
    const base = () => ['-cacert', files['ca']!, '-servername', '127.0.0.1'];
    const asAdmin = () => [...base(), '-cert', files['cert']!, '-key', files['key']!, '-H', 'podid-authenticator: dev', '-H', `podid-host: ${HOST.admin}`];

    it('lists the services through server reflection and describes the API', async () => {
      const r = await exec(grpcurl, [...base(), suite.platformAddr, 'list']);
      expect(r).toMatchObject({ code: 0 });
      expect(r.stdout.split('\n')).toEqual(expect.arrayContaining(['podid.platform.v1.PlatformService', 'grpc.health.v1.Health']));
      const d = await exec(grpcurl, [...base(), suite.platformAddr, 'describe', 'podid.platform.v1.PlatformService.Introspect']);
      expect(d.stdout).toContain('rpc Introspect ( .podid.platform.v1.IntrospectRequest ) returns ( .podid.platform.v1.IntrospectResponse )');
    });

    it('calls the standard health service', async () => {
      const r = await exec(grpcurl, [...base(), '-d', '{"service":"podid.platform.v1.PlatformService"}', suite.platformAddr, 'grpc.health.v1.Health/Check']);
      expect(r.code).toBe(0);
      expect(JSON.parse(r.stdout)).toEqual({ status: 'SERVING' });
    });

    it('calls Introspect with a podid client certificate', async () => {
      const r = await exec(grpcurl, [...asAdmin(), '-d', JSON.stringify({ token: appToken }), suite.platformAddr, 'podid.platform.v1.PlatformService/Introspect']);
      expect(r.stderr).toBe('');
      // grpcurl prints the proto field names.
      expect(JSON.parse(r.stdout)).toMatchObject({ active: true, sub: `host/${HOST.deployment}`, token_type: 'access_token', k8s: { pod_uid: expect.any(String) } });
    });

    it('gets a precise error for bad input: INVALID_ARGUMENT naming the field, with the stable code in ErrorInfo', async () => {
      const r = await exec(grpcurl, [...asAdmin(), '-format-error', '-d', '{"pod_uid":"NOT-A-UID"}', suite.platformAddr, 'podid.platform.v1.PlatformService/Revoke']);
      expect(r.code).not.toBe(0);
      const err = JSON.parse(r.stdout || r.stderr) as { code: number; message: string; details?: Array<Record<string, unknown>> };
      expect(err.code).toBe(3);
      expect(err.message).toMatch(/^pod_uid: exp=lowercase UUID/);
      // grpcurl has no google.rpc types linked in, so it shows the ErrorInfo raw: its bytes carry the stable code, the domain and the field.
      const info = err.details?.find((d) => d['@type'] === 'type.googleapis.com/google.rpc.ErrorInfo');
      const raw = Buffer.from(String(info?.['@value'] ?? info?.['reason'] ?? ''), 'base64').toString('latin1');
      expect(raw).toContain('INVALID_FIELD');
      expect(raw).toContain('podid.io');
      expect(raw).toMatch(/field.*pod_uid/s);
      // Without an identity: UNAUTHENTICATED, never a stack trace.
      const anon = await exec(grpcurl, [...base(), '-d', '{}', suite.platformAddr, 'podid.platform.v1.PlatformService/ListAuthenticators']);
      expect(anon.stderr).toMatch(/Code: Unauthenticated/);
      expect(anon.stderr).not.toMatch(/\bat .*\.(js|ts):\d+/);
    });
  });

  describe('podid CLI', () => {
    const podid = (args: string[], env: NodeJS.ProcessEnv = {}) => exec(join(CLI_BIN, 'podid'), args, { PODID_SERVER: suite.platformAddr, PODID_CA: files['ca'], ...env });
    const withToken = { PODID_TOKEN_FILE: '' };

    it('introspects, with a token file or a client certificate', async () => {
      const byToken = await podid(['introspect', '--token-file', files['token']!, appToken]);
      expect(byToken).toMatchObject({ code: 0 });
      expect(JSON.parse(byToken.stdout)).toMatchObject({ active: true, sub: `host/${HOST.deployment}` });
      const byCert = await podid(['introspect', '--cert', files['cert']!, '--key', files['key']!, '--login-authenticator', 'dev', '--login-host', HOST.admin, appToken], withToken);
      expect(byCert).toMatchObject({ code: 0 });
      expect(JSON.parse(byCert.stdout)).toMatchObject({ active: true, sub: `host/${HOST.deployment}` });
    }, 90_000);

    it('refuses a caller without the grant with the stable code, exit 1', async () => {
      const r = await podid(['status', '--authenticator', 'dev', '--token-file', files['app-token']!]);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/PERMISSION_DENIED PRIVILEGE_MISSING/);
    }, 60_000);

    it('explains a login, and shows status', async () => {
      const ok = await podid(['explain', `pod/${POD.deployment}`, '-n', 'demo', '--host', HOST.deployment, '--token-file', files['token']!]);
      expect(ok).toMatchObject({ code: 0 });
      expect(ok.stdout).toMatch(/ALLOWED/);
      const bad = await podid(['explain', `pod/${POD.statefulSet}`, '-n', 'demo', '--host', HOST.deployment, '--token-file', files['token']!]);
      expect(bad.code).toBe(1);
      expect(bad.stdout).toMatch(/fail\s+pod\/owners\s+OWNER_MISMATCH/);
      expect(bad.stdout).toMatch(/fix: /);
      const st = await podid(['status', '--authenticator', 'dev', '--token-file', files['token']!]);
      expect(st.stdout).toMatch(/^authn-k8s\/dev: (ok|warning|error)/);
      expect(st.stdout).toMatch(/ redis\b/);
    }, 120_000);

    it('revokes a host and tails the audit stream to see it', async () => {
      const db = await certificateLogin(suite, { hostId: HOST.statefulSet, namespace: 'demo', pod: POD.statefulSet });
      const dbToken = (await authenticate(suite, { hostId: HOST.statefulSet, cert: db.certPem, key: db.keyPem })).body;
      const rv = await podid(['revoke', '--host', HOST.statefulSet, '--token-file', files['token']!]);
      expect(rv).toMatchObject({ code: 0 });
      expect(JSON.parse(rv.stdout)).toEqual({ revoked: 'host_id', target: HOST.statefulSet });
      const after = JSON.parse((await podid(['introspect', '--token-file', files['token']!, dbToken])).stdout);
      expect(after.active).toBe(false);
      // `audit tail` follows the stream until SIGINT, as a SIEM shipper would run it.
      const tail = spawn(join(CLI_BIN, 'podid'), ['audit', 'tail', '--after', '0-0', '--token-file', files['token']!], {
        env: { ...process.env, PODID_SERVER: suite.platformAddr, PODID_CA: files['ca'] },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      tail.stdout.on('data', (d: Buffer) => (out += d.toString('utf8')));
      const exited = new Promise<number | null>((r) => tail.once('exit', (code) => r(code)));
      try {
        await waitFor(() => out.includes('AUDIT_TOKEN_REVOKE'), { timeoutMs: 60_000, message: `audit tail output:\n${out}` });
      } finally {
        tail.kill('SIGINT');
      }
      expect(await exited).toBe(0);
      const events = out.trim().split('\n').map((l) => JSON.parse(l) as { code: string; fields: Record<string, unknown> });
      expect(events.find((e) => e.code === 'AUDIT_TOKEN_REVOKE' && e.fields['value'] === HOST.statefulSet)).toBeDefined();
      expect(events.find((e) => e.code === 'AUDIT_AUTHENTICATE' && e.fields['host_id'] === HOST.statefulSet)).toBeDefined();
    }, 120_000);

    it('bad usage exits 2 and names the problem', async () => {
      const r = await podid(['revoke', '--jti', 'a', '--host', 'b', '--token-file', files['token']!]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/exactly one of --jti, --host, --pod-uid/);
    }, 60_000);
  });

  it('works as a kubectl plugin: kubectl podid explain pod/<name> -n <ns> --host <id>', async () => {
    const r = await exec('kubectl', ['podid', 'explain', `pod/${POD.deployment}`, '-n', 'demo', '--host', HOST.deployment], {
      PATH: `${CLI_BIN}:${process.env['PATH']}`,
      PODID_SERVER: suite.platformAddr,
      PODID_CA: files['ca'],
      PODID_TOKEN_FILE: files['token'],
    });
    expect(r.stderr).toBe('');
    expect(r).toMatchObject({ code: 0 });
    expect(r.stdout).toMatch(new RegExp(`login of pod demo/${POD.deployment} as host/${HOST.deployment} on authn-k8s/dev: ALLOWED`));
  }, 60_000);
});
