import { KubeConfig } from '@kubernetes/client-node';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request, type RequestOptions } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestSim } from '../sim-fixture';

/**
 * Where the conformance suite runs: a real cluster (CONFORMANCE_KUBECONFIG = an admin kubeconfig with client-cert auth,
 * CONFORMANCE_IMAGE = an image with /bin/sh and coreutils) or, without them, a simulator this process starts.
 * Every case talks to the target the same way; nothing here branches on which one it is, except how it starts.
 */
export interface Target {
  readonly onSimulator: boolean;
  /** The admin identity (system:masters). */
  readonly kc: KubeConfig;
  readonly image: string;
  /** A kubeconfig file of the admin identity, for kubectl. */
  readonly kubeconfigPath: string;
  /** One HTTPS request as admin, or as `as` through impersonation headers. */
  raw(method: string, path: string, opts?: RawOptions): Promise<RawResponse>;
  /** HTTPS options (CA, client cert) of the admin identity, for streaming and websocket clients. */
  httpsOptions(): Promise<RequestOptions>;
  /** A fresh namespace with a unique name, deleted by {@link stop}. */
  namespace(prefix: string): Promise<string>;
  stop(): Promise<void>;
}

export interface Identity {
  user: string;
  groups?: string[];
}

export interface RawOptions {
  body?: unknown;
  contentType?: string;
  as?: Identity;
  /** Authenticate with this bearer token instead of the admin client certificate. */
  bearer?: string;
  /** Authenticate with this client certificate instead of the admin one. */
  clientCert?: { cert: string; key: string };
  headers?: Record<string, string>;
}

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  json: any;
}

export const DEFAULT_IMAGE = 'localhost/podid-base:dev';

/** Impersonation headers (what `kubectl --as/--as-group` sends). */
export function impersonationHeaders(as: Identity | undefined): Record<string, string | string[]> {
  if (!as) return {};
  return { 'Impersonate-User': as.user, ...(as.groups?.length ? { 'Impersonate-Group': as.groups } : {}) };
}

export async function startTarget(): Promise<Target> {
  const kubeconfig = process.env['CONFORMANCE_KUBECONFIG'];
  const image = process.env['CONFORMANCE_IMAGE'] || DEFAULT_IMAGE;
  const kc = new KubeConfig();
  let stopSim: () => Promise<void> = async () => undefined;
  if (kubeconfig) kc.loadFromFile(kubeconfig);
  else {
    // The image runs the pod's own command in the bwrap sandbox, over the host's /bin and /usr, like a base image.
    const s = await startTestSim({ sandbox: 'bwrap', images: { [image]: { command: ['/bin/sh'], specCommand: true } } });
    kc.loadFromString(s.sim.adminKubeconfigYaml());
    stopSim = s.cleanup;
  }
  // Made only once the simulator runs, so that a failed start leaves no folder behind.
  const tmp = mkdtempSync(join(tmpdir(), 'conformance-'));
  const kubeconfigPath = join(tmp, 'admin.kubeconfig');
  try {
    writeFileSync(kubeconfigPath, kc.exportConfig(), { mode: 0o600 });
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    await stopSim();
    throw e;
  }
  const server = new URL(kc.getCurrentCluster()?.server ?? '');
  const namespaces: string[] = [];

  const httpsOptions = async (): Promise<RequestOptions> => {
    const o: RequestOptions = {};
    await kc.applyToHTTPSOptions(o);
    // Only the TLS material: each request gets its own connection (no shared agent carrying the admin cert).
    return { hostname: server.hostname, port: server.port || 443, agent: false, ca: o.ca, cert: o.cert, key: o.key, ...(o.servername ? { servername: o.servername } : {}) };
  };

  const raw = async (method: string, path: string, opts: RawOptions = {}): Promise<RawResponse> => {
    const base = await httpsOptions();
    if (opts.bearer) {
      delete base.cert;
      delete base.key;
    }
    if (opts.clientCert) Object.assign(base, opts.clientCert);
    const data = opts.body === undefined ? undefined : typeof opts.body === 'string' || Buffer.isBuffer(opts.body) ? opts.body : JSON.stringify(opts.body);
    const headers: Record<string, string | string[]> = { Accept: 'application/json', ...impersonationHeaders(opts.as), ...(opts.bearer ? { Authorization: `Bearer ${opts.bearer}` } : {}), ...(opts.headers ?? {}) };
    if (data !== undefined) {
      headers['Content-Type'] = opts.contentType ?? 'application/json';
      // Node sends no chunked body on DELETE: the length must be given.
      headers['Content-Length'] = String(Buffer.byteLength(data));
    }
    return new Promise((resolve, reject) => {
      const req = request({ ...base, method, path, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: unknown;
          try {
            json = JSON.parse(text);
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
        });
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(data);
    });
  };

  const namespace = async (prefix: string): Promise<string> => {
    const name = `${prefix}-${randomBytes(3).toString('hex')}`;
    const r = await raw('POST', '/api/v1/namespaces', { body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: { 'podid.io/conformance': 'true' } } } });
    if (r.status !== 201) throw new Error(`cannot create namespace ${name}: ${r.status} ${r.text}`);
    namespaces.push(name);
    // A real cluster's controller creates the default service account shortly after the namespace.
    const deadline = Date.now() + 60_000;
    while ((await raw('GET', `/api/v1/namespaces/${name}/serviceaccounts/default`)).status !== 200) {
      if (Date.now() > deadline) throw new Error(`no default service account in ${name}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    return name;
  };

  return {
    onSimulator: !kubeconfig,
    kc,
    image,
    kubeconfigPath,
    raw,
    httpsOptions,
    namespace,
    stop: async () => {
      try {
        for (const ns of namespaces) await raw('DELETE', `/api/v1/namespaces/${ns}`);
      } finally {
        rmSync(tmp, { recursive: true, force: true });
        await stopSim();
      }
    },
  };
}
