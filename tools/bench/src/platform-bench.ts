import { credentials, Metadata, Server, ServerCredentials, type sendUnaryData, type ServerUnaryCall } from '@grpc/grpc-js';
import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { platformV1 } from '@podid/contracts';
import { startSuite, type Suite } from '@podid/local';
import { createPlatformClient } from '@podid/platform-client';
import { tmpDir, waitFor } from '@podid/testkit';
import { createCa, createCsr, exportPrivateKeyPem, generateKeyPair, issueServiceCert } from '@podid/x509';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:https';

// Platform API Introspect requests per second over ONE keep-alive channel (HTTP/2,
// TLS once), on the real suite, against a bare grpc-js unary echo server over TLS
// measured in the same run, in alternating slices so that a change in load hits both.
// Run: npm run bench:platform   (BENCH_MS total per side, default 6000; BENCH_C calls in flight, default 16)
const MS = Number(process.env['BENCH_MS'] ?? 6000);
const C = Number(process.env['BENCH_C'] ?? 16);
const SLICE_MS = 250;
const FIXTURES = resolve(__dirname, '../../e2e/fixtures');
const ADMIN = 'conjur/authn-k8s/dev/apps/admin';
const APP = 'conjur/authn-k8s/dev/apps/demo-pod';

function post(url: string, path: string, o: { ca: string; cert?: string; key?: string; body?: string; headers?: Record<string, string> }): Promise<{ status: number; body: string }> {
  return new Promise((ok, fail) => {
    const u = new URL(url);
    const req = request({ host: u.hostname, port: u.port, path, method: 'POST', ca: o.ca, cert: o.cert, key: o.key, agent: false, servername: 'localhost', headers: o.headers }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString('utf8')));
      res.on('end', () => ok({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', fail);
    req.end(o.body);
  });
}

/** A token for `hostId` by the certificate login of `pod` (inject, read the file the sidecar would, authenticate). */
async function login(suite: Suite, hostId: string, pod: string): Promise<string> {
  const keys = await generateKeyPair('ec-p256');
  const keyPem = await exportPrivateKeyPem(keys.privateKey);
  const cn = hostId.split('/').slice(-3).join('.');
  const prefix = `host.${hostId.split('/').slice(0, -3).join('.')}`;
  const csrPem = await createCsr({ keys, algorithm: 'ec-p256', commonName: cn, sans: [{ type: 'url', value: `spiffe://cluster.local/namespace/demo/podname/${pod}` }] });
  const file = join(suite.sim.podRoot('demo', pod, 'authenticator'), 'etc/conjur/ssl/client.pem');
  rmSync(file, { force: true });
  const inj = await post(suite.gatewayUrl, '/authn-k8s/dev/inject_client_cert', { ca: suite.gatewayCaPem, body: csrPem, headers: { 'content-type': 'text/plain', 'host-id-prefix': prefix } });
  if (inj.status !== 202) throw new Error(`inject ${hostId}: ${inj.status} ${inj.body}`);
  const certPem = await waitFor(() => (existsSync(file) ? readFileSync(file, 'utf8') : undefined), { message: 'client.pem' });
  const r = await post(suite.gatewayUrl, `/authn-k8s/dev/default/${encodeURIComponent(`host/${hostId}`)}/authenticate`, { ca: suite.gatewayCaPem, cert: certPem, key: keyPem, headers: { 'content-type': 'text/plain' } });
  if (r.status !== 200) throw new Error(`authenticate ${hostId}: ${r.status}`);
  return r.body;
}

/** Keeps `c` calls in flight for `ms`; returns how many completed. */
async function slice(op: () => Promise<unknown>, ms: number, c: number): Promise<number> {
  let n = 0;
  const end = Date.now() + ms;
  await Promise.all(
    Array.from({ length: c }, async () => {
      while (Date.now() < end) {
        await op();
        n++;
      }
    }),
  );
  return n;
}

async function main(): Promise<void> {
  const cluster = join(FIXTURES, 'cluster');
  const suite = await startSuite({
    stateDir: tmpDir('podid-bench-'),
    policyPath: join(FIXTURES, 'policy.yaml'),
    manifests: readdirSync(cluster).sort().map((f) => join(cluster, f)),
    gatewayPort: 0,
    logLevel: 'warn',
    env: { gateway: { PODID_RATE_LIMIT_PLATFORM: '1000000/1s', PODID_RATE_LIMIT_IP: '1000000/1s', PODID_RATE_LIMIT_HOST: '1000000/1s', PODID_RATE_LIMIT_POD: '1000000/1s' } },
  });
  const bare = new Server();
  try {
    const adminToken = await login(suite, ADMIN, 'admin-pod');
    const appToken = await login(suite, APP, 'demo-pod');
    const client = createPlatformClient({ server: suite.platformAddr, caPem: suite.gatewayCaPem, token: adminToken });
    const introspect = async () => {
      const r = await client.introspect({ token: appToken });
      if (!r.active) throw new Error('introspect: token inactive');
    };

    // The bare server: TLS with a serving certificate of its own, the same generated service, a fixed answer.
    const ca = await createCa({ commonName: 'bare', now: new Date(), ttlMs: 3_600_000 });
    const serving = await issueServiceCert({ ca, service: 'gateway', now: new Date(), ttlMs: 3_600_000 });
    const answer = platformV1.IntrospectResponse.fromPartial({ active: true, sub: `host/${APP}`, jti: 'j', exp: 1, iat: 1, tokenType: 'access_token' });
    bare.addService(platformV1.PlatformServiceService as never, {
      introspect: (_c: ServerUnaryCall<unknown, unknown>, cb: sendUnaryData<unknown>) => cb(null, answer),
    } as never);
    const port = await new Promise<number>((ok, fail) =>
      bare.bindAsync('127.0.0.1:0', ServerCredentials.createSsl(null, [{ cert_chain: Buffer.from(serving.certPem), private_key: Buffer.from(serving.keyPem) }], false), (e, p) => (e ? fail(e) : ok(p))),
    );
    const echoClient = new platformV1.PlatformServiceClient(`127.0.0.1:${port}`, credentials.createSsl(Buffer.from(ca.certPem)), { 'grpc.ssl_target_name_override': 'gateway' });
    const echo = () =>
      new Promise<void>((ok, fail) => echoClient.introspect({ token: appToken }, new Metadata(), { deadline: new Date(Date.now() + 10_000) }, (e: unknown) => (e ? fail(e) : ok())));

    for (let i = 0; i < 50; i++) await Promise.all([introspect(), echo()]);
    let gw = 0;
    let base = 0;
    for (let spent = 0; spent < MS; spent += SLICE_MS) {
      gw += await slice(introspect, SLICE_MS, C);
      base += await slice(echo, SLICE_MS, C);
    }
    const gwRps = gw / (MS / 1000);
    const baseRps = base / (MS / 1000);
    process.stdout.write(
      `${JSON.stringify({ platform_introspect_rps: +gwRps.toFixed(1), bare_grpc_echo_rps: +baseRps.toFixed(1), ratio: +(gwRps / baseRps).toFixed(3), in_flight: C, ms_per_side: MS, slice_ms: SLICE_MS }, null, 2)}\n`,
    );
    client.close();
    echoClient.close();
  } finally {
    bare.forceShutdown();
    await suite.stop();
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`platform-bench: ${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
