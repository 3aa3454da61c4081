import { existsSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import { connect, type TLSSocket } from 'node:tls';
import { createCsr, exportPrivateKeyPem, generateKeyPair } from '@podid/x509';
import type { FromLoadgen, LoadPod, LoginFailure, StormResult, ToLoadgen } from './storm-messages';
import { stormAddress } from './storm-pods';

// The sidecars of the storm, in a process of their own so that their CPU is
// neither the simulator's nor the services'. Started by storm-bench.ts.

interface Sidecar {
  readonly pod: LoadPod;
  readonly csrPem: string;
  readonly keyPem: string;
}

let sidecars: Sidecar[] = [];
let target: { gatewayUrl: string; caPem: string; hostId: string; concurrency: number; retry: boolean } | undefined;
const idle: TLSSocket[] = [];

const send = (m: FromLoadgen) => process.send!(m);

/** Conjur's client (docs/conjur-compatibility.md): 10 s per request; on any error an exponential backoff of 2 s doubling, +-50%, at most 15 s apart, 2 min in all. */
const CLIENT = { requestTimeoutMs: 10_000, initialMs: 2000, maxIntervalMs: 15_000, randomization: 0.5, maxElapsedMs: 120_000 } as const;

/** One POST on a fresh connection (a full TLS handshake), from the pod's own address, cut after the client's request timeout. */
function post(url: string, o: { path: string; caPem: string; headers: Record<string, string>; body?: string; cert?: string; key?: string; localAddress: string }): Promise<{ status: number; body: string }> {
  return new Promise((ok, fail) => {
    const u = new URL(url);
    const req = request({ host: u.hostname, port: u.port, method: 'POST', path: o.path, ca: o.caPem, cert: o.cert, key: o.key, headers: o.headers, agent: false, servername: 'localhost', localAddress: o.localAddress }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => ok({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', fail);
    });
    req.setTimeout(CLIENT.requestTimeoutMs, () => req.destroy(new Error(`no answer within ${CLIENT.requestTimeoutMs} ms (the client's timeout)`)));
    req.on('error', fail);
    req.end(o.body);
  });
}

/** Host id split as Conjur's client splits it: the last three parts are the CSR's CN, the rest the Host-Id-Prefix. */
function splitHost(hostId: string): { prefix: string; cn: string } {
  const parts = ['host', ...hostId.split('/')];
  return { prefix: parts.slice(0, -3).join('.'), cn: parts.slice(-3).join('.') };
}

/** Every sidecar's own key and CSR, made before the timed part. */
async function prepare(pods: LoadPod[], hostId: string): Promise<Sidecar[]> {
  const { cn } = splitHost(hostId);
  const out: Sidecar[] = [];
  for (const pod of pods) {
    const keys = await generateKeyPair('ec-p256');
    const csrPem = await createCsr({ keys, algorithm: 'ec-p256', commonName: cn, sans: [{ type: 'url', value: `spiffe://cluster.local/namespace/${pod.namespace}/podname/${pod.name}` }] });
    out.push({ pod, csrPem, keyPem: await exportPrivateKeyPem(keys.privateKey) });
  }
  return out;
}

const errorCode = (body: string) => {
  try {
    return String((JSON.parse(body) as { error?: { code?: string } }).error?.code ?? body.slice(0, 80));
  } catch {
    return body.slice(0, 80);
  }
};

/** One attempt of a pod's certificate login, as the sidecar makes it: CSR, the file, mTLS authenticate. */
async function attempt(s: Sidecar, t: NonNullable<typeof target>): Promise<{ loginMs: number; injectMs: number } | LoginFailure> {
  const { prefix } = splitHost(t.hostId);
  const file = join(s.pod.root, 'etc/conjur/ssl/client.pem');
  const t0 = performance.now();
  try {
    const inj = await post(t.gatewayUrl, {
      path: '/authn-k8s/dev/inject_client_cert',
      caPem: t.caPem,
      headers: { 'content-type': 'text/plain', 'host-id-prefix': prefix },
      body: s.csrPem,
      localAddress: s.pod.address,
    });
    const injectMs = performance.now() - t0;
    if (inj.status !== 202) return { pod: s.pod.name, stage: 'inject', status: inj.status, detail: errorCode(inj.body) };
    // Written before the 202: Conjur's client polls 10 times 50 ms apart, so one look suffices here.
    if (!existsSync(file)) return { pod: s.pod.name, stage: 'cert-file', detail: 'client.pem absent after the 202' };
    const certPem = readFileSync(file, 'utf8');
    rmSync(file);
    const auth = await post(t.gatewayUrl, {
      path: `/authn-k8s/dev/default/${encodeURIComponent(`host/${t.hostId}`)}/authenticate`,
      caPem: t.caPem,
      cert: certPem,
      key: s.keyPem,
      headers: { 'content-type': 'text/plain' },
      localAddress: s.pod.address,
    });
    if (auth.status !== 200) return { pod: s.pod.name, stage: 'authenticate', status: auth.status, detail: errorCode(auth.body) };
    return { loginMs: performance.now() - t0, injectMs };
  } catch (e) {
    return { pod: s.pod.name, stage: 'transport', detail: e instanceof Error ? e.message : String(e) };
  }
}

/** The sidecar's loop: attempts until a token, with Conjur's backoff (or a single attempt without retries). */
async function login(s: Sidecar, t: NonNullable<typeof target>, refusals: LoginFailure[]): Promise<{ loginMs: number; injectMs: number; attempts: number } | LoginFailure> {
  const t0 = performance.now();
  let interval: number = CLIENT.initialMs;
  for (let n = 1; ; n++) {
    const r = await attempt(s, t);
    if ('loginMs' in r) return { loginMs: performance.now() - t0, injectMs: r.injectMs, attempts: n };
    refusals.push(r);
    const wait = interval * (1 - CLIENT.randomization + Math.random() * 2 * CLIENT.randomization);
    if (!t.retry || performance.now() - t0 + wait > CLIENT.maxElapsedMs) return r;
    await new Promise((ok) => setTimeout(ok, wait));
    interval = Math.min(CLIENT.maxIntervalMs, interval * 2);
  }
}

async function storm(t: NonNullable<typeof target>): Promise<StormResult> {
  const loginMs: number[] = [];
  const injectMs: number[] = [];
  const attempts: number[] = [];
  const failures: LoginFailure[] = [];
  const refusals: LoginFailure[] = [];
  let next = 0;
  let lastToken = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: Math.min(t.concurrency, sidecars.length) }, async () => {
      while (next < sidecars.length) {
        const r = await login(sidecars[next++]!, t, refusals);
        if ('loginMs' in r) {
          loginMs.push(r.loginMs);
          injectMs.push(r.injectMs);
          attempts.push(r.attempts);
          lastToken = performance.now();
        } else failures.push(r);
      }
    }),
  );
  return { wallMs: (lastToken || performance.now()) - start, loginMs, injectMs, attempts, failures, refusals };
}

/** Opens `n` TLS connections that send nothing, each from its own address; counts those the gateway kept after the handshake. */
async function openIdle(t: NonNullable<typeof target>, n: number, firstAddress: number, concurrency: number): Promise<{ open: number; refused: number }> {
  const u = new URL(t.gatewayUrl);
  let refused = 0;
  let i = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (i < n) {
        const address = stormAddress(firstAddress + i++);
        await new Promise<void>((ok) => {
          // net.connect's localAddress, which tls.connect passes on (its type omits it).
          const opts = { host: u.hostname, port: Number(u.port), ca: t.caPem, servername: 'localhost', localAddress: address };
          const s = connect(opts, () => {
            idle.push(s);
            ok();
          });
          s.on('error', () => {
            refused++;
            ok();
          });
        });
      }
    }),
  );
  // A connection the gateway shed closes at once; give it a moment to show.
  await new Promise((r) => setTimeout(r, 500));
  return { open: idle.filter((s) => !s.destroyed && s.readyState === 'open').length, refused };
}

process.on('message', (m: ToLoadgen) => {
  const run = async () => {
    if (m.type === 'prepare') {
      const t0 = performance.now();
      target = { gatewayUrl: m.gatewayUrl, caPem: m.caPem, hostId: m.hostId, concurrency: m.concurrency, retry: m.retry };
      sidecars = await prepare(m.pods, m.hostId);
      send({ type: 'ready', prepareMs: performance.now() - t0 });
    } else if (m.type === 'go') send({ type: 'done', result: await storm(target!) });
    else if (m.type === 'open-idle') send({ type: 'idle-open', ...(await openIdle(target!, m.n, m.firstAddress, m.concurrency)) });
    else if (m.type === 'close-idle') {
      for (const s of idle.splice(0)) s.destroy();
      process.disconnect();
    }
  };
  run().catch((e: unknown) => send({ type: 'error', message: e instanceof Error ? (e.stack ?? e.message) : String(e) }));
});
