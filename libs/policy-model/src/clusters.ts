import { checkK8sName } from './k8s-names';
import { PolicyFileReader, type Field } from './policy-file-reader';
import type { PolicyProblem } from './policy-problem';

/** The cluster of a podid that declares none: its own KUBECONFIG or in-cluster service account. */
export const DEFAULT_CLUSTER = 'default';

/** More would be a second podid's job: each cluster holds an informer set in pod-verifier. */
export const MAX_CLUSTERS = 64;

const TRUST_DOMAIN = /^[a-z0-9._-]{1,255}$/;

/** How podid reaches one cluster's API server: exactly one form. Paths are read by the service that connects. */
export type ClusterCredentials =
  | { readonly kind: 'in-cluster' }
  | { readonly kind: 'kubeconfig'; readonly kubeconfig: string }
  | { readonly kind: 'token'; readonly server: string; readonly caFile: string; readonly tokenFile: string }
  | { readonly kind: 'client-cert'; readonly server: string; readonly caFile: string; readonly clientCertFile: string; readonly clientKeyFile: string };

export interface ClusterDeclaration {
  /** A DNS label: it appears in certificates (`urn:podid:cluster:<name>`), token claims and metric labels. */
  readonly name: string;
  /** SPIFFE trust domain of its pods' ids. */
  readonly trustDomain: string;
  readonly credentials: ClusterCredentials;
}

export interface ClusterCatalog {
  readonly clusters: readonly ClusterDeclaration[];
  readonly problems: readonly PolicyProblem[];
}

const CLUSTER_FIELDS = ['name', 'trustDomain', 'inCluster', 'kubeconfig', 'server', 'caFile', 'tokenFile', 'clientCertFile', 'clientKeyFile'] as const;

/**
 * Reads a clusters file (`clusters:`, a list; docs/clusters.md). Every problem is collected with its line; a
 * catalog with problems must not be used, so a typo never drops a cluster silently.
 */
export function parseClustersFile(file: string, text: string, defaultTrustDomain: string): ClusterCatalog {
  const r = new PolicyFileReader(file, text);
  const clusters: ClusterDeclaration[] = [];
  const root = r.problems.length === 0 ? r.fields(r.root, 'clusters file', ['clusters']) : undefined;
  if (root) {
    const items = r.items(root.get('clusters'), 'clusters');
    if (items.length === 0) r.problem(root.get('clusters')?.line ?? 1, 'clusters: declare at least one cluster');
    if (items.length > MAX_CLUSTERS) r.problem(root.get('clusters')!.line, `clusters: at most ${MAX_CLUSTERS}, got ${items.length}`);
    const seen = new Map<string, number>();
    for (const item of items.slice(0, MAX_CLUSTERS)) {
      const c = parseCluster(r, item, defaultTrustDomain);
      if (!c) continue;
      const prev = seen.get(c.name);
      if (prev !== undefined) r.problem(item.line, `cluster "${c.name}" is already declared at line ${prev}`);
      else {
        seen.set(c.name, item.line);
        clusters.push(c);
      }
    }
  }
  return { clusters: r.problems.length === 0 ? clusters : [], problems: r.problems };
}

/** The catalog of a podid without a clusters file: one cluster, `default`. */
export function singleClusterCatalog(credentials: ClusterCredentials, trustDomain: string): ClusterCatalog {
  return { clusters: [{ name: DEFAULT_CLUSTER, trustDomain, credentials }], problems: [] };
}

/**
 * The cluster a request or an authenticator means: the one named, or, when none is named, the only one declared.
 * Undefined when the name is unknown, or when none is named and several are declared.
 */
export function pickCluster<C extends { readonly name: string }>(clusters: readonly C[], name: string | undefined): C | undefined {
  if (!name) return clusters.length === 1 ? clusters[0] : undefined;
  return clusters.find((c) => c.name === name);
}

function parseCluster(r: PolicyFileReader, item: Field, defaultTrustDomain: string): ClusterDeclaration | undefined {
  const f = r.fields(item.node, 'cluster', CLUSTER_FIELDS, item.line);
  if (!f) return undefined;
  const name = r.requiredString(f.get('name'), 'cluster name', item.line);
  const what = `cluster "${name ?? '?'}"`;
  if (name !== undefined && checkK8sName('namespace', name)) r.problem(f.get('name')!.line, `${what}: name must be a DNS label (lowercase a-z, 0-9, "-", at most 63)`);
  const trustDomain = r.string(f.get('trustDomain'), `${what}: trustDomain`) ?? defaultTrustDomain;
  if (!TRUST_DOMAIN.test(trustDomain)) r.problem(f.get('trustDomain')!.line, `${what}: trustDomain must match ${TRUST_DOMAIN}, got "${trustDomain}"`);
  const credentials = readCredentials(r, f, what, item.line);
  if (!name || !credentials) return undefined;
  return { name, trustDomain, credentials };
}

function readCredentials(r: PolicyFileReader, f: Map<string, Field>, what: string, line: number): ClusterCredentials | undefined {
  const path = (key: 'kubeconfig' | 'caFile' | 'tokenFile' | 'clientCertFile' | 'clientKeyFile') => {
    const s = r.string(f.get(key), `${what}: ${key}`);
    if (s !== undefined && !s.startsWith('/')) r.problem(f.get(key)!.line, `${what}: ${key} must be an absolute path, got "${s}"`);
    return s;
  };
  const inCluster = r.boolean(f.get('inCluster'), `${what}: inCluster`, false);
  const kubeconfig = path('kubeconfig');
  const server = r.string(f.get('server'), `${what}: server`);
  const forms = [inCluster && 'inCluster', kubeconfig !== undefined && 'kubeconfig', server !== undefined && 'server'].filter(Boolean);
  if (forms.length !== 1) {
    r.problem(line, `${what}: give exactly one of inCluster: true, kubeconfig, or server (with caFile and tokenFile, or clientCertFile and clientKeyFile); got ${forms.length === 0 ? 'none' : forms.join(' and ')}`);
    return undefined;
  }
  const caFile = path('caFile');
  const tokenFile = path('tokenFile');
  const clientCertFile = path('clientCertFile');
  const clientKeyFile = path('clientKeyFile');
  const serverOnly = { caFile, tokenFile, clientCertFile, clientKeyFile };
  if (!server) {
    const stray = Object.entries(serverOnly).filter(([, v]) => v !== undefined).map(([k]) => k);
    if (stray.length > 0) return void r.problem(line, `${what}: ${stray.join(', ')} only go with server`);
    return inCluster ? { kind: 'in-cluster' } : { kind: 'kubeconfig', kubeconfig: kubeconfig! };
  }
  if (!/^https:\/\/[^\s/]+(\/\S*)?$/.test(server)) return void r.problem(f.get('server')!.line, `${what}: server must be an https:// URL, got "${server}"`);
  if (!caFile) return void r.problem(line, `${what}: server needs caFile (the API server's CA certificate)`);
  if (tokenFile && !clientCertFile && !clientKeyFile) return { kind: 'token', server, caFile, tokenFile };
  if (!tokenFile && clientCertFile && clientKeyFile) return { kind: 'client-cert', server, caFile, clientCertFile, clientKeyFile };
  return void r.problem(line, `${what}: server needs either tokenFile, or clientCertFile and clientKeyFile`);
}
