/** Options of {@link startSimulator}. */
export interface SimulatorOptions {
  /** Container roots live at `<stateDir>/pods/<ns>/<pod>/<container>/`; CA and signing keys at `<stateDir>/k8s-sim/`, reused on restart. */
  stateDir: string;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0 (a free port). */
  port?: number;
  /** Multi-document YAML files, or folders of `*.yaml`/`*.yml` files, applied in order at start. */
  manifests?: string[];
  /** Default true: enforce RBAC from the Role/ClusterRole/(Cluster)RoleBinding objects in the simulator. */
  rbac?: boolean;
  /** Exec sandbox. 'auto' (default) = bwrap if it works, else 'none' with a SIM_SANDBOX_FALLBACK warning. */
  sandbox?: 'auto' | 'bwrap' | 'none';
  onLog?: (event: { event: string; msg: string; [k: string]: unknown }) => void;
  /** Watch events kept for `resourceVersion` replay; older versions get 410 Expired. Default 1000. */
  watchHistoryLimit?: number;
  /** Events older than this many ms are no longer replayable either (410 Expired). Default 75000, like the watch cache. */
  watchHistoryWindowMs?: number;
  /** Cut each watch stream (the connection is closed, with no final event) after a random time between half of this and all of it, in ms. Default: never. */
  watchDropAfterMs?: number;
  /** Period of BOOKMARK events on watches with allowWatchBookmarks=true, in ms. Default 5000 (one is also sent right after the initial events). */
  watchBookmarkIntervalMs?: number;
  /** An exec'd command is killed after this many ms, even if the client has gone. Default 30000. */
  execTimeoutMs?: number;
  /**
   * Images that really run (bwrap sandbox only): a pod's (init) containers with such an image are started as
   * `command` inside the container root, with `readOnlyBinds` visible at their host paths. See README "Running containers".
   */
  images?: Record<string, { command: string[]; readOnlyBinds?: string[]; specCommand?: boolean }>;
}

export interface AccessLogEntry {
  user: string;
  groups: string[];
  verb: string;
  apiGroup: string;
  resource: string;
  subresource?: string;
  namespace?: string;
  name?: string;
  allowed: boolean;
}

/** A running simulator. */
export interface Simulator {
  /** https://127.0.0.1:<port> */
  readonly url: string;
  /** CA of the serving certificate; it also signs client certificates. */
  readonly caPem: string;
  /** The `iss` claim of service-account tokens. */
  readonly serviceAccountIssuer: string;
  /** A kubeconfig: 'cert' (default) = client certificate issued by the sim CA (CN=user, O=groups); 'token' = a static bearer token for that user. */
  kubeconfigYaml(opts: { user: string; groups?: string[]; auth?: 'cert' | 'token' }): string;
  /** User "admin", group system:masters. */
  adminKubeconfigYaml(): string;
  /** Same as the TokenRequest API, without its 10-minute minimum (so tests can make short-lived tokens). */
  createServiceAccountToken(opts: { namespace: string; serviceAccount: string; audiences: string[]; expirationSeconds?: number; podName?: string }): Promise<string>;
  /** Host path of that container's root directory. */
  podRoot(namespace: string, pod: string, container: string): string;
  /** Host path of a pod volume (emptyDir, projected): `<stateDir>/pods/<ns>/<pod>/.volumes/<volume>`. */
  volumeDir(namespace: string, pod: string, volume: string): string;
  /** Host path of a running container's stdout+stderr: `<stateDir>/pods/<ns>/<pod>/<container>.log`. */
  containerLogFile(namespace: string, pod: string, container: string): string;
  /** Create-or-replace as admin; emits watch events. */
  apply(obj: object): Promise<object>;
  /** `kind` is a Kind ("Pod") or a resource ("pods"). Rejects when the object does not exist. */
  remove(kind: string, namespace: string | undefined, name: string): Promise<void>;
  readonly accessLog: ReadonlyArray<AccessLogEntry>;
  clearAccessLog(): void;
  /** Stops running containers (SIGTERM, SIGKILL after 5 s), closes the server, websockets and watches, and kills exec children. */
  stop(): Promise<void>;
}

/** A Kubernetes object as stored: plain JSON. */
export interface K8sObject {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
  [k: string]: unknown;
}

export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: Array<{ apiVersion?: string; kind?: string; name?: string; uid?: string; controller?: boolean }>;
  [k: string]: unknown;
}

/** Who made a request. */
export interface UserInfo {
  username: string;
  uid?: string;
  groups: string[];
  extra?: Record<string, string[]>;
}

export type LogFn = (event: string, msg: string, fields?: Record<string, unknown>) => void;
