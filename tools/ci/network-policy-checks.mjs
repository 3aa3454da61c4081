// Checks on rendered manifests that need no cluster: every namespaced object
// has a namespace, and the NetworkPolicies let only the gateway be reached
// from outside the namespace and each service only from its callers
// (docs/security-model.md). Pure functions over parsed objects, so
// network-policy-checks.test.mjs can feed them small broken manifests.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Kinds that live outside any namespace; every other kind must carry one. */
const CLUSTER_SCOPED = new Set([
  'Namespace', 'ClusterRole', 'ClusterRoleBinding', 'CustomResourceDefinition', 'PriorityClass', 'StorageClass',
  'PersistentVolume', 'MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration', 'APIService', 'IngressClass', 'RuntimeClass',
]);

/** The file of each internal gRPC service that registers it with its per-method caller allow-list (`allow: { method: ['caller', ...] }`). */
export const ALLOW_LIST_FILES = Object.fromEntries(['policy', 'pod-verifier', 'ca-signer', 'cert-injector', 'token-issuer'].map((s) => [s, `apps/${s}/src/service.ts`]));

/** Services that talk to Redis: those whose config reads REDIS_URL (apps/gateway/src/gateway-config.ts, apps/token-issuer/src/config.ts). */
export const REDIS_CLIENTS = ['gateway', 'token-issuer'];

const NAME_LABEL = 'app.kubernetes.io/name';

/** The callers named in a registration file's allow-list, or undefined when the file has none we can read. */
export function callersInSource(text) {
  const m = /allow:\s*\{([^}]*)\}/.exec(text);
  if (!m) return undefined;
  return [...new Set([...m[1].matchAll(/'([a-z0-9-]+)'/g)].map((x) => x[1]))].sort();
}

/** service -> sorted callers, read from the registration files under root. */
export function expectedCallers(root) {
  const out = {};
  for (const [svc, file] of Object.entries(ALLOW_LIST_FILES)) {
    const callers = callersInSource(readFileSync(join(root, file), 'utf8'));
    if (!callers) throw new Error(`${file}: no "allow: { ... }" caller list found; update tools/ci/network-policy-checks.mjs`);
    out[svc] = callers;
  }
  return out;
}

/** Problems with namespaces: a namespaced object without one, or in another namespace than ns. */
export function checkNamespaces(objects, ns) {
  const problems = [];
  for (const o of objects) {
    if (CLUSTER_SCOPED.has(o.kind)) continue;
    const got = o.metadata?.namespace;
    if (!got) problems.push(`${o.kind}/${o.metadata?.name} has no namespace`);
    else if (got !== ns) problems.push(`${o.kind}/${o.metadata?.name} is in namespace ${got}, exp ${ns}`);
  }
  return problems;
}

/** Whether a label selector selects labels; {} selects everything, an absent selector nothing. */
export function selects(selector, labels = {}) {
  if (!selector) return false;
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) if (labels[k] !== v) return false;
  for (const e of selector.matchExpressions ?? []) {
    const has = Object.hasOwn(labels, e.key);
    const ok =
      e.operator === 'In' ? has && e.values.includes(labels[e.key])
      : e.operator === 'NotIn' ? !has || !e.values.includes(labels[e.key])
      : e.operator === 'Exists' ? has
      : e.operator === 'DoesNotExist' ? !has
      : false;
    if (!ok) return false;
  }
  return true;
}

const appliesToIngress = (p) => (p.spec?.policyTypes ? p.spec.policyTypes.includes('Ingress') : true);

/** The workloads of the namespace: name (app.kubernetes.io/name), pod labels and container ports. */
function workloadsOf(objects, ns) {
  return objects
    .filter((o) => ['Deployment', 'StatefulSet', 'DaemonSet'].includes(o.kind) && (o.metadata?.namespace ?? ns) === ns)
    .map((o) => {
      const labels = o.spec?.template?.metadata?.labels ?? {};
      const ports = (o.spec?.template?.spec?.containers ?? []).flatMap((c) => c.ports ?? []);
      return { name: labels[NAME_LABEL] ?? o.metadata?.name, labels, ports };
    });
}

/** Whether a NetworkPolicy port entry (absent = all ports) can reach a container port named `name`. */
function reachesNamed(rulePorts, workload, name) {
  if (!rulePorts || rulePorts.length === 0) return true;
  const port = workload.ports.find((p) => p.name === name);
  return rulePorts.some((rp) => rp.port === undefined || rp.port === name || (port && rp.port === port.containerPort));
}

/** Whether a rule reaches any port other than the ops (metrics) port. */
function reachesBeyondOps(rulePorts, workload) {
  if (!rulePorts || rulePorts.length === 0) return true;
  const ops = workload.ports.find((p) => p.name === 'ops');
  return rulePorts.some((rp) => rp.port === undefined || !(rp.port === 'ops' || (ops && rp.port === ops.containerPort)));
}

/** Whether a rule reaches a port the workload serves on (any declared port but ops). */
function reachesServing(rulePorts, workload) {
  if (!rulePorts || rulePorts.length === 0) return true;
  const serving = workload.ports.filter((p) => p.name !== 'ops');
  return rulePorts.some((rp) => rp.port === undefined || serving.some((p) => rp.port === p.name || rp.port === p.containerPort));
}

/**
 * Problems with the ingress NetworkPolicies of namespace ns, given the
 * expected callers of each internal service and the Redis clients.
 */
export function checkNetworkPolicies(objects, { ns, callers, redisClients, publicService = 'gateway' }) {
  const problems = [];
  const policies = objects.filter((o) => o.kind === 'NetworkPolicy');
  for (const p of policies) if (p.metadata?.namespace !== ns) problems.push(`NetworkPolicy/${p.metadata?.name} is not in namespace ${ns}`);
  const mine = policies.filter((p) => p.metadata?.namespace === ns && appliesToIngress(p));
  const defaultDeny = mine.some((p) => p.spec?.podSelector && Object.keys(p.spec.podSelector).length === 0 && (p.spec.ingress ?? []).length === 0);
  if (!defaultDeny) problems.push(`no default-deny ingress NetworkPolicy (podSelector: {}, policyTypes: [Ingress], no rules) in namespace ${ns}`);

  const workloads = workloadsOf(objects, ns);
  const expected = { ...callers };
  if (workloads.some((w) => w.name === 'redis')) expected.redis = [...redisClients].sort();
  // With Sentinel, Redis and the Sentinels also talk among themselves: replication, health checks, votes, failover.
  if (workloads.some((w) => w.name === 'redis-sentinel')) {
    expected.redis = [...redisClients, 'redis', 'redis-sentinel'].sort();
    expected['redis-sentinel'] = [...redisClients, 'redis', 'redis-sentinel'].sort();
  }
  for (const w of workloads) {
    const rules = mine.filter((p) => selects(p.spec?.podSelector, w.labels)).flatMap((p) => p.spec?.ingress ?? []);
    const inside = new Set();
    for (const rule of rules) {
      const from = rule.from ?? [];
      // An empty from admits every source, inside the namespace and out.
      const outsidePeers = from.length === 0 ? [{}] : from.filter((peer) => peer.namespaceSelector || peer.ipBlock);
      if (outsidePeers.length > 0 && w.name !== publicService) {
        // The one exception: metrics scrapers from labelled namespaces, on the ops port only.
        const scrapeOnly = from.length > 0 && outsidePeers.every((peer) => peer.namespaceSelector && !peer.ipBlock) && !reachesBeyondOps(rule.ports, w);
        if (!scrapeOnly) problems.push(`${w.name} is reachable from outside namespace ${ns} (only ${publicService} may be, and the ops port from metrics namespaces)`);
      }
      // A caller admitted on a port nothing listens on is not admitted.
      if (!reachesServing(rule.ports, w)) continue;
      const peers = from.length === 0 ? [{ podSelector: {} }] : from.filter((peer) => peer.podSelector && !peer.namespaceSelector);
      for (const peer of peers) for (const c of workloads) if (selects(peer.podSelector, c.labels)) inside.add(c.name);
    }
    if (w.name === publicService) {
      const open = rules.some((r) => (r.from ?? []).length === 0 && reachesNamed(r.ports, w, 'https'));
      if (!open) problems.push(`${publicService} is not reachable on its https port from outside the namespace`);
      // The platform gRPC API, where the Deployment serves it, must be reachable too.
      if (w.ports.some((p) => p.name === 'platform') && !rules.some((r) => (r.from ?? []).length === 0 && reachesNamed(r.ports, w, 'platform'))) {
        problems.push(`${publicService} is not reachable on its platform port from outside the namespace`);
      }
      continue;
    }
    const exp = expected[w.name];
    if (!exp) {
      if (inside.size > 0) problems.push(`${w.name} admits ${[...inside].sort().join(', ')} but no expected caller set is known for it`);
      continue;
    }
    const got = [...inside].sort();
    if (got.join(',') !== exp.join(',')) problems.push(`${w.name} ingress admits [${got.join(', ')}], exp exactly its callers [${exp.join(', ')}]`);
  }
  for (const svc of Object.keys(callers)) if (!workloads.some((w) => w.name === svc)) problems.push(`no workload for service ${svc}`);
  return problems;
}
