import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer, request } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { startSuite, type Suite } from '@podid/local';
import { tmpDir, waitFor } from '@podid/testkit';
import { createCsr, exportPrivateKeyPem, generateKeyPair, issueServiceCert, createCa } from '@podid/x509';

// Gateway figures on the real suite (every service its own process, real Redis, the simulator):
//  1. CSR-to-202 latency of inject_client_cert, p50/p99;
//  2. authenticate throughput with a full mTLS handshake per request, vs a bare Node
//     https server that requires client certificates, measured in the same run.
// Run: npx tsx tools/bench/src/gateway-bench.ts   (BENCH_N inject samples, default 200; BENCH_MS per throughput run, default 5000; BENCH_C concurrency, default 8)
const N = Number(process.env['BENCH_N'] ?? 200);
const MS = Number(process.env['BENCH_MS'] ?? 5000);
const C = Number(process.env['BENCH_C'] ?? 8);
const FIXTURES = resolve(__dirname, '../../e2e/fixtures');
const HOST = 'conjur/authn-k8s/dev/apps/demo-pod';
const POD = 'demo-pod';

function post(url: string, path: string, o: { ca: string; cert?: string; key?: string; body?: string; headers?: Record<string, string> }): Promise<number> {
  return new Promise((ok, fail) => {
    const u = new URL(url);
    const req = request({ host: u.hostname, port: u.port, path, method: 'POST', ca: o.ca, cert: o.cert, key: o.key, agent: false, servername: 'localhost', headers: o.headers }, (res) => {
      res.resume();
      res.on('end', () => ok(res.statusCode ?? 0));
    });
    req.on('error', fail);
    req.end(o.body);
  });
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** Requests per second with `c` workers for `ms`; every request must answer `want`. */
async function throughput(op: () => Promise<number>, want: number, ms: number, c: number): Promise<number> {
  for (let i = 0; i < 5; i++) if ((await op()) !== want) throw new Error(`warm-up: expected ${want}`);
  let count = 0;
  const end = Date.now() + ms;
  const start = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: c }, async () => {
      while (Date.now() < end) {
        const s = await op();
        if (s !== want) throw new Error(`expected ${want}, got ${s}`);
        count++;
      }
    }),
  );
  return count / (Number(process.hrtime.bigint() - start) / 1e9);
}

async function main(): Promise<void> {
  const cluster = join(FIXTURES, 'cluster');
  const high = { PODID_RATE_LIMIT_IP: '1000000/1s', PODID_RATE_LIMIT_HOST: '1000000/1s', PODID_RATE_LIMIT_POD: '1000000/1s' };
  const suite: Suite = await startSuite({
    stateDir: tmpDir('podid-bench-'),
    policyPath: join(FIXTURES, 'policy.yaml'),
    manifests: readdirSync(cluster).sort().map((f) => join(cluster, f)),
    gatewayPort: 0,
    logLevel: 'info', // SERVICE_READY is an info line the harness waits for
    env: { gateway: high },
  });
  try {
    const keys = await generateKeyPair('ec-p256');
    const keyPem = await exportPrivateKeyPem(keys.privateKey);
    const csrPem = await createCsr({ keys, algorithm: 'ec-p256', commonName: 'dev.apps.demo-pod', sans: [{ type: 'url', value: `spiffe://cluster.local/namespace/demo/podname/${POD}` }] });
    const headers = { 'content-type': 'text/plain', 'host-id-prefix': 'host.conjur.authn-k8s' };
    const file = join(suite.sim.podRoot('demo', POD, 'authenticator'), 'etc/conjur/ssl/client.pem');
    const lat: number[] = [];
    for (let i = 0; i < N; i++) {
      const t0 = process.hrtime.bigint();
      const s = await post(suite.gatewayUrl, '/authn-k8s/dev/inject_client_cert', { ca: suite.gatewayCaPem, body: csrPem, headers });
      lat.push(Number(process.hrtime.bigint() - t0) / 1e6);
      if (s !== 202) throw new Error(`inject: ${s}`);
    }
    lat.sort((a, b) => a - b);
    const certPem = await waitFor(() => (existsSync(file) ? readFileSync(file, 'utf8') : undefined), { message: 'client.pem' });
    rmSync(file);
    const login = encodeURIComponent(`host/${HOST}`);
    const gw = () => post(suite.gatewayUrl, `/authn-k8s/dev/default/${login}/authenticate`, { ca: suite.gatewayCaPem, cert: certPem, key: keyPem, headers: { 'content-type': 'text/plain' } });
    // The bare server: same machine, TLS 1.2+, requires a client cert chained to the authenticator CA, answers a fixed body.
    const bareCa = await createCa({ commonName: 'bare', now: new Date(), ttlMs: 3_600_000 });
    const serving = await issueServiceCert({ ca: bareCa, service: 'gateway', now: new Date(), ttlMs: 3_600_000 });
    const authnCa = readFileSync(join(suite.stateDir, 'ca', 'dev', 'ca.pem'), 'utf8');
    const bare = createServer({ cert: serving.certPem, key: serving.keyPem, requestCert: true, rejectUnauthorized: true, ca: authnCa, minVersion: 'TLSv1.2' }, (_q, r) => r.end('{"ok":true}'));
    await new Promise<void>((r) => bare.listen(0, '127.0.0.1', r));
    const bareUrl = `https://127.0.0.1:${(bare.address() as AddressInfo).port}`;
    const bareCall = () => post(bareUrl, '/', { ca: bareCa.certPem, cert: certPem, key: keyPem });
    const gwRate = await throughput(gw, 200, MS, C);
    const bareRate = await throughput(bareCall, 200, MS, C);
    bare.close();
    const out = {
      csr_to_202_ms: { n: N, p50: +percentile(lat, 50).toFixed(1), p99: +percentile(lat, 99).toFixed(1) },
      authenticate_full_handshake_rps: +gwRate.toFixed(1),
      bare_mtls_server_rps: +bareRate.toFixed(1),
      ratio_gateway_to_bare: +(gwRate / bareRate).toFixed(3),
      concurrency: C,
    };
    process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
  } finally {
    await suite.stop();
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`gateway-bench: ${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
