import { mkdirSync } from 'node:fs';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { isIPv4 } from 'node:net';
import { resolve } from 'node:path';
import { Authenticator } from './authn';
import { makeAdmission } from './admission';
import { applyBootstrap } from './bootstrap';
import type { SimContext } from './context';
import { CsrSigner } from './csr-signer';
import { ExecServer } from './exec';
import { buildKubeconfig } from './kubeconfig';
import { Kubelet } from './kubelet';
import { loadManifests } from './manifests';
import { ObjectApi } from './objects';
import { issueCert, newEcKey } from './pki';
import { PodFs } from './pod-fs';
import { RbacAuthorizer } from './rbac';
import { findByKind, findByKindOrResource } from './resources';
import { handleRequest } from './rest';
import { Reviews } from './reviews';
import { Sandbox } from './sandbox';
import { loadOrCreateKeys } from './sim-keys';
import { ObjectStore } from './store';
import { ServiceAccountTokens } from './token-request';
import { API_AUDIENCES, TokenSigner } from './tokens';
import type { AccessLogEntry, LogFn, Simulator, SimulatorOptions } from './types';
import type { WatchRegistry } from './watch';

/** The API server's watch cache keeps events for about 75 s (eventFreshDuration). */
const DEFAULT_WATCH_WINDOW_MS = 75_000;
const SERVING_CERT_TTL_MS = 365 * 86400_000;
const SERVING_DNS = ['localhost', 'kubernetes', 'kubernetes.default', 'kubernetes.default.svc', 'kubernetes.default.svc.cluster.local'];

/** Applies one manifest object; the error names the object so that a bad manifest is easy to find. */
function applyObject(objects: ObjectApi, obj: object): object {
  const { apiVersion, kind, metadata } = obj as { apiVersion?: unknown; kind?: unknown; metadata?: { name?: unknown; namespace?: unknown } };
  const def = findByKind(String(apiVersion), String(kind));
  if (!def) throw new Error(`k8s-sim: unsupported object kind ${String(apiVersion)} ${String(kind)}`);
  try {
    return objects.apply(def, obj);
  } catch (e) {
    throw new Error(`k8s-sim: cannot apply ${String(kind)} ${String(metadata?.namespace ?? '')}/${String(metadata?.name ?? '')}: ${(e as Error).message}`);
  }
}

/** Starts the Kubernetes API simulator over HTTPS. See tools/k8s-sim/README.md. */
export async function startSimulator(opts: SimulatorOptions): Promise<Simulator> {
  const log: LogFn = (event, msg, fields) => {
    try {
      opts.onLog?.({ ...fields, event, msg });
    } catch {
      // a failing log callback must not break the simulator
    }
  };
  const stateDir = resolve(opts.stateDir);
  mkdirSync(stateDir, { recursive: true });
  const keys = loadOrCreateKeys(stateDir);
  const store = new ObjectStore(opts.watchHistoryLimit ?? 1000, opts.watchHistoryWindowMs ?? DEFAULT_WATCH_WINDOW_MS);
  const podFs = new PodFs(stateDir);
  const signer = new TokenSigner(keys.saKey);
  const authn = new Authenticator(store, signer, keys.tokenSecret);
  const rbac = new RbacAuthorizer(store, opts.rbac !== false);
  const objects = new ObjectApi({ store, podFs, admit: makeAdmission(rbac, store), rootCaPem: keys.ca.certPem });
  const csrSigner = new CsrSigner(store, keys.ca, log);
  const tokens = new ServiceAccountTokens(store, signer);
  const sandbox = Sandbox.create(opts.sandbox ?? 'auto', stateDir, log);
  let url = '';
  const accessLog: AccessLogEntry[] = [];
  const watches: WatchRegistry = new Set();
  const ctx: SimContext = {
    store,
    objects,
    authn,
    rbac,
    reviews: new Reviews(authn, rbac),
    tokens,
    signer,
    podFs,
    accessLog,
    log,
    watches,
    watchSettings: { bookmarkIntervalMs: opts.watchBookmarkIntervalMs ?? 5000, ...(opts.watchDropAfterMs ? { dropAfterMs: opts.watchDropAfterMs } : {}) },
    url: () => url,
  };

  applyBootstrap(objects);
  for (const obj of await loadManifests(opts.manifests ?? [])) applyObject(objects, obj);
  // Like a watch cache that starts from a list: nothing before now can be resumed from.
  store.compact();

  const host = opts.host ?? '127.0.0.1';
  const urlHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  const servingKey = newEcKey();
  const servingCert = issueCert(keys.ca, {
    spkiDer: servingKey.spkiDer,
    commonName: 'kube-apiserver',
    dnsNames: [...SERVING_DNS, ...(!isIPv4(urlHost) && !SERVING_DNS.includes(urlHost) ? [urlHost] : [])],
    ips: [...new Set(['127.0.0.1', ...(isIPv4(urlHost) ? [urlHost] : [])])],
    usages: ['server'],
    notAfter: new Date(Date.now() + SERVING_CERT_TTL_MS),
  });
  const server = createServer({ key: servingKey.keyPem, cert: servingCert, ca: [keys.ca.certPem], requestCert: true, rejectUnauthorized: false }, (req, res) => {
    void handleRequest(ctx, req, res);
  });
  const exec = new ExecServer(ctx, sandbox, opts.execTimeoutMs ?? 30_000);
  const kubelet = new Kubelet({ store, podFs, sandbox, tokens, images: opts.images ?? {}, log });
  server.on('upgrade', (req, socket, head) => exec.handleUpgrade(req, socket, head));
  server.on('clientError', (_err, socket) => socket.destroy());
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', fail);
      ok();
    });
  });
  url = `https://${urlHost.includes(':') ? `[${urlHost}]` : urlHost}:${(server.address() as AddressInfo).port}`;
  log('SIM_STARTED', `Kubernetes API simulator listening on ${url}`, { url, sandbox: sandbox.mode, rbac: opts.rbac !== false });
  objects.setPodTerminator((pod) => kubelet.terminate(pod));
  kubelet.start();
  csrSigner.start();

  let stopped: Promise<void> | undefined;
  return {
    url,
    caPem: keys.ca.certPem,
    serviceAccountIssuer: signer.issuer,
    kubeconfigYaml: (u) => buildKubeconfig(url, keys.ca, keys.tokenSecret, u),
    adminKubeconfigYaml: () => buildKubeconfig(url, keys.ca, keys.tokenSecret, { user: 'admin', groups: ['system:masters'] }),
    createServiceAccountToken: async (o) => {
      const issued = tokens.issue({
        namespace: o.namespace,
        serviceAccount: o.serviceAccount,
        audiences: o.audiences.length ? o.audiences : API_AUDIENCES,
        expirationSeconds: o.expirationSeconds ?? 3600,
        ...(o.podName ? { pod: { name: o.podName } } : {}),
      });
      return issued.token;
    },
    podRoot: (ns, pod, container) => podFs.root(ns, pod, container),
    volumeDir: (ns, pod, volume) => podFs.volumeDir(ns, pod, volume),
    containerLogFile: (ns, pod, container) => podFs.logFile(ns, pod, container),
    apply: async (obj) => applyObject(objects, obj),
    remove: async (kind, namespace, name) => {
      const def = findByKindOrResource(kind);
      if (!def) throw new Error(`k8s-sim: unknown kind ${kind}`);
      objects.delete(def, def.namespaced ? (namespace ?? 'default') : undefined, name);
    },
    accessLog,
    clearAccessLog: () => {
      accessLog.length = 0;
    },
    stop: () => {
      csrSigner.stop();
      objects.stop();
      stopped ??= kubelet.stop().then(() =>
        Promise.all([
          exec.stop(),
          new Promise<void>((done) => {
            for (const end of [...watches]) end();
            server.close(() => done());
            server.closeAllConnections();
          }),
        ]).then(() => undefined),
      );
      return stopped;
    },
  };
}
