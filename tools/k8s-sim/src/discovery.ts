import { RESOURCES, apiVersionOf, type ResourceDef } from './resources';

/** The Kubernetes version the simulator claims to be. */
export const VERSION_INFO = {
  major: '1',
  minor: '31',
  gitVersion: 'v1.31.0-podid-sim',
  gitCommit: '0000000000000000000000000000000000000000',
  gitTreeState: 'clean',
  buildDate: '2024-08-13T00:00:00Z',
  goVersion: 'go1.22.5',
  compiler: 'gc',
  platform: 'linux/amd64',
};

const groups = (): string[] => [...new Set(RESOURCES.filter((r) => r.group).map((r) => r.group))];

function resourceEntries(d: ResourceDef): object[] {
  const main = {
    name: d.resource,
    singularName: d.singular,
    namespaced: d.namespaced,
    kind: d.kind,
    verbs: d.verbs,
    ...(d.shortNames ? { shortNames: d.shortNames } : {}),
  };
  const subs = d.subresources.map((s) => {
    const kind = s === 'exec' ? 'PodExecOptions' : s === 'token' ? 'TokenRequest' : d.kind;
    const verbs = s === 'exec' ? ['create', 'get'] : s === 'token' ? ['create'] : ['get', 'patch', 'update'];
    return { name: `${d.resource}/${s}`, singularName: '', namespaced: d.namespaced, kind, verbs, ...(s === 'token' ? { group: 'authentication.k8s.io', version: 'v1' } : {}) };
  });
  return [main, ...subs];
}

/**
 * The discovery document for `path` (/api, /api/v1, /apis, /apis/<group>, /apis/<group>/<version>),
 * or undefined when `path` is not a discovery path.
 */
export function discoveryDocument(path: string, serverAddress: string): object | undefined {
  const p = path.replace(/\/+$/, '');
  if (p === '/api')
    return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }] };
  if (p === '/apis') return { kind: 'APIGroupList', apiVersion: 'v1', groups: groups().map(groupDoc) };
  const core = /^\/api\/(v1)$/.exec(p);
  if (core) return resourceList('', 'v1');
  const g = /^\/apis\/([^/]+)$/.exec(p);
  if (g?.[1] && groups().includes(g[1])) return { kind: 'APIGroup', apiVersion: 'v1', ...groupDoc(g[1]) };
  const gv = /^\/apis\/([^/]+)\/([^/]+)$/.exec(p);
  if (gv?.[1] && gv[2] && RESOURCES.some((r) => r.group === gv[1] && r.version === gv[2])) return resourceList(gv[1], gv[2]);
  return undefined;
}

function groupDoc(name: string): object {
  const gv = { groupVersion: `${name}/v1`, version: 'v1' };
  return { name, versions: [gv], preferredVersion: gv };
}

function resourceList(group: string, version: string): object {
  const defs = RESOURCES.filter((r) => r.group === group && r.version === version);
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: defs[0] ? apiVersionOf(defs[0]) : version,
    resources: defs.flatMap(resourceEntries),
  };
}
