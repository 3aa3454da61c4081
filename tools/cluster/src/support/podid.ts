import https from 'node:https';
import http from 'node:http';
import { mkdirSync, chownSync, existsSync } from 'node:fs';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { apply, kubectl, kubectlJson, kubectlOk, repoRoot, stateDir, until } from './tier';

const run = promisify(execFile);
export const ns = 'podid';
export const services = ['gateway', 'policy', 'pod-verifier', 'ca-signer', 'cert-injector', 'token-issuer'];

/** The Redis StatefulSet claims 1 Gi; a bare cluster has no provisioner, so the tier offers a hostPath volume. */
async function offerRedisVolume(): Promise<void> {
  const dir = path.join(stateDir, 'volumes', 'redis-0');
  if (!existsSync(dir)) mkdirSync(dir, { recursive: true });
  chownSync(dir, 999, 999);
  await apply(`apiVersion: v1
kind: PersistentVolume
metadata: { name: podid-tier-redis-0 }
spec:
  capacity: { storage: 1Gi }
  accessModes: [ReadWriteOnce]
  persistentVolumeReclaimPolicy: Retain
  hostPath: { path: ${dir}, type: Directory }
`);
}

/** `podid secrets bootstrap` exactly as docs/operator-guide.md tells an operator to run it. */
export async function bootstrapSecrets(kubeconfig: string): Promise<string> {
  if ((await kubectl(['get', 'namespace', ns])).code !== 0) await kubectlOk(['create', 'namespace', ns]);
  const { stdout, stderr } = await run(
    'npx',
    ['tsx', 'tools/cli/src/main.ts', 'secrets', 'bootstrap', '--namespace', ns, '--authenticator', 'dev-cluster', '--gateway-host', 'gateway.podid.svc'],
    { cwd: repoRoot, env: { ...process.env, KUBECONFIG: kubeconfig }, timeout: 120_000 },
  );
  return stdout + stderr;
}

export async function applyOverlay(dir: string): Promise<void> {
  await offerRedisVolume();
  await kubectlOk(['apply', '-k', dir], { timeoutMs: 180_000 });
}

/** Every Deployment of podid Available and the Redis StatefulSet ready. */
export async function waitAvailable(timeoutMs = 300_000): Promise<void> {
  await kubectlOk(['-n', ns, 'wait', '--for=condition=Available', 'deployment', '--all', `--timeout=${Math.round(timeoutMs / 1000)}s`], {
    timeoutMs: timeoutMs + 10_000,
  });
  await kubectlOk(['-n', ns, 'rollout', 'status', 'statefulset/redis', `--timeout=${Math.round(timeoutMs / 1000)}s`], { timeoutMs: timeoutMs + 10_000 });
}

export async function serviceIp(name: string, namespace = ns): Promise<string> {
  const svc = await kubectlJson<{ spec: { clusterIP: string } }>(['-n', namespace, 'get', 'service', name]);
  return svc.spec.clusterIP;
}

export async function gatewayCa(): Promise<string> {
  const secret = await kubectlJson<{ data: Record<string, string> }>(['-n', ns, 'get', 'secret', 'podid-gateway-ca']);
  return Buffer.from(secret.data['tls.crt']!, 'base64').toString('utf8');
}

export interface HttpAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/**
 * A request to the gateway through its Service, from this machine: kube-proxy's
 * rules route the ClusterIP here as they do for pods. TLS is verified against
 * the gateway CA for the name pods use, gateway.podid.svc.
 */
export async function gateway(
  method: string,
  pathAndQuery: string,
  opts: { headers?: Record<string, string>; body?: string | Buffer; cert?: string; key?: string } = {},
): Promise<HttpAnswer> {
  const [ip, ca] = await Promise.all([serviceIp('gateway'), gatewayCa()]);
  return new Promise((resolve, reject) => {
    const req = https.request(
      {
        host: ip,
        port: 443,
        servername: 'gateway.podid.svc',
        method,
        path: pathAndQuery,
        ca,
        cert: opts.cert,
        key: opts.key,
        headers: opts.headers,
        timeout: 30_000,
        checkServerIdentity: (_host, cert) => (cert.subjectaltname?.includes('DNS:gateway.podid.svc') ? undefined : new Error('gateway certificate lacks gateway.podid.svc')),
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('timeout', () => req.destroy(new Error('gateway request timed out')));
    req.on('error', reject);
    req.end(opts.body);
  });
}

/** The gateway's ops endpoint through the cluster-internal gateway-ops Service. */
export async function gatewayOps(pathname: string): Promise<HttpAnswer> {
  const ip = await serviceIp('gateway-ops');
  return new Promise((resolve, reject) => {
    http
      .get({ host: ip, port: 9090, path: pathname, timeout: 15_000 }, (res) => {
        let body = '';
        res.on('data', (d) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      })
      .on('error', reject);
  });
}

export type LogLine = Record<string, unknown> & { event?: string };

/** The JSON log lines of every pod of a podid Deployment (non-JSON lines dropped). */
export async function serviceLogs(deployment: string, sinceSeconds = 3600): Promise<LogLine[]> {
  const out = await kubectlOk(['-n', ns, 'logs', '-l', `app.kubernetes.io/name=${deployment}`, '--tail=-1', `--since=${sinceSeconds}s`, '--max-log-requests=20']);
  const lines: LogLine[] = [];
  for (const raw of out.split('\n')) {
    if (!raw.startsWith('{')) continue;
    try {
      lines.push(JSON.parse(raw) as LogLine);
    } catch {
      // a line cut by the log rotation; not ours to judge
    }
  }
  return lines;
}

/** Waits for a log line of `deployment` that matches every field of `match`. */
export async function waitForLog(deployment: string, match: Record<string, unknown>, timeoutMs = 120_000): Promise<LogLine> {
  return until(
    `${deployment} log ${JSON.stringify(match)}`,
    async () => (await serviceLogs(deployment)).find((line) => Object.entries(match).every(([k, v]) => line[k] === v)),
    timeoutMs,
    2000,
  );
}

/** A file's content in a pod's container, or undefined while it is absent or empty. */
export async function readInPod(namespace: string, pod: string, container: string, file: string): Promise<string | undefined> {
  const res = await kubectl(['-n', namespace, 'exec', pod, '-c', container, '--', 'cat', file]);
  return res.code === 0 && res.stdout.length > 0 ? res.stdout : undefined;
}

export interface PodView {
  metadata: { name: string; uid: string; deletionTimestamp?: string };
  status: { phase: string; conditions?: Array<{ type: string; status: string }> };
}

export async function podsOf(namespace: string, selector: string): Promise<PodView[]> {
  const list = await kubectlJson<{ items: PodView[] }>(['-n', namespace, 'get', 'pods', '-l', selector]);
  return list.items;
}
