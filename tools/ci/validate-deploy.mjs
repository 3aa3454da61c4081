#!/usr/bin/env node
// Renders every Kustomize overlay with Kustomize v5, validates each object
// against the Kubernetes OpenAPI schemas (kubernetes-models), and checks the
// production rules podid promises: hardened pods, probes, resources, no
// committed Secrets, HA shape, namespaces and NetworkPolicies
// (network-policy-checks.mjs). Exits non-zero with one line per problem.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { checkNamespaces, checkNetworkPolicies, expectedCallers, REDIS_CLIENTS } from './network-policy-checks.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const kustomize = execFileSync('bash', [join(root, 'tools/ci/install-kustomize.sh')], { encoding: 'utf8' }).trim().split('\n').pop();
const problems = [];
const fail = (where, msg) => problems.push(`${where}: ${msg}`);

async function modelFor(apiVersion, kind) {
  const path = apiVersion.includes('/') ? apiVersion : `v1/${apiVersion === 'v1' ? '' : apiVersion}`.replace(/\/$/, '');
  return (await import(`kubernetes-models/${path}/${kind}`))[kind];
}

function render(dir) {
  const out = execFileSync(kustomize, ['build', join(root, dir)], { encoding: 'utf8' });
  return parseAllDocuments(out).map((d) => d.toJSON()).filter(Boolean);
}

function checkDeployment(where, d) {
  const pod = d.spec.template.spec;
  if (!pod.securityContext?.runAsNonRoot) fail(where, 'pod securityContext.runAsNonRoot is not true');
  if (pod.securityContext?.seccompProfile?.type !== 'RuntimeDefault') fail(where, 'seccompProfile is not RuntimeDefault');
  for (const c of pod.containers) {
    const w = `${where} container ${c.name}`;
    if (!c.readinessProbe || !c.livenessProbe) fail(w, 'needs readiness and liveness probes');
    if (!c.resources?.requests || !c.resources?.limits) fail(w, 'needs resource requests and limits');
    if (c.securityContext?.readOnlyRootFilesystem !== true) fail(w, 'root filesystem is not read-only');
    if (c.securityContext?.allowPrivilegeEscalation !== false) fail(w, 'allows privilege escalation');
    if (!c.securityContext?.capabilities?.drop?.includes('ALL')) fail(w, 'does not drop ALL capabilities');
    const names = (c.env ?? []).map((e) => e.name);
    for (const dup of new Set(names.filter((n, i) => names.indexOf(n) !== i))) fail(w, `env ${dup} is set twice`);
  }
}

// Revocations live in Redis: it must keep them across a restart (AOF, fsync at
// least every second, on a volume that outlives the pod).
function checkRedisDurable(where, r) {
  const pod = r.spec.template.spec;
  const c = pod.containers.find((x) => x.name === 'redis') ?? pod.containers[0];
  const args = [...(c.command ?? []), ...(c.args ?? [])];
  const arg = (flag) => (args.includes(flag) ? args[args.indexOf(flag) + 1] : undefined);
  if (arg('--appendonly') !== 'yes') fail(where, 'Redis runs without AOF (--appendonly yes): a restart forgets every revocation');
  if (!['everysec', 'always', undefined].includes(arg('--appendfsync'))) fail(where, 'Redis AOF must fsync everysec or always');
  const dir = arg('--dir') ?? '/data';
  const mount = c.volumeMounts?.find((m) => dir === m.mountPath || dir.startsWith(`${m.mountPath}/`));
  const claimed = (r.spec.volumeClaimTemplates ?? []).some((t) => t.metadata.name === mount?.name);
  const volume = pod.volumes?.find((v) => v.name === mount?.name);
  if (!mount || (!claimed && !volume?.persistentVolumeClaim)) fail(where, `Redis data dir ${dir} is not on a PersistentVolumeClaim`);
}

const overlays = { base: 'deploy/base', dev: 'deploy/overlays/dev', ha: 'deploy/overlays/ha' };
const NAMESPACE = 'podid';
const callers = expectedCallers(root);
const summary = [];
for (const [name, dir] of Object.entries(overlays)) {
  const objects = render(dir);
  for (const obj of objects) {
    const where = `${name} ${obj.kind}/${obj.metadata?.name}`;
    try {
      const Model = await modelFor(obj.apiVersion, obj.kind);
      new Model(obj).validate();
    } catch (e) {
      fail(where, `schema: ${e.message.split('\n').slice(0, 3).join(' ')}`);
    }
    if (obj.kind === 'Secret') fail(where, 'Secrets are created at install time, never committed');
    if (obj.kind === 'Deployment' || obj.kind === 'StatefulSet') checkDeployment(where, obj);
  }
  const deployments = objects.filter((o) => o.kind === 'Deployment' && o.metadata.labels?.['app.kubernetes.io/part-of'] === 'podid');
  if (deployments.length !== 6) fail(name, `expected 6 podid Deployments, got ${deployments.length}`);
  const services = objects.filter((o) => o.kind === 'Service');
  for (const d of deployments) if (!services.some((s) => s.metadata.name === d.metadata.name)) fail(name, `Deployment ${d.metadata.name} has no Service`);
  if (name === 'ha') {
    for (const d of deployments) {
      if ((d.spec.replicas ?? 1) < 2) fail(`ha Deployment/${d.metadata.name}`, 'fewer than 2 replicas');
      if (!d.spec.template.spec.topologySpreadConstraints) fail(`ha Deployment/${d.metadata.name}`, 'no topology spread');
      if (!objects.some((o) => o.kind === 'PodDisruptionBudget' && o.metadata.name === d.metadata.name)) fail(`ha Deployment/${d.metadata.name}`, 'no PodDisruptionBudget');
    }
    for (const s of ['gateway', 'token-issuer', 'cert-injector']) {
      if (!objects.some((o) => o.kind === 'HorizontalPodAutoscaler' && o.spec.scaleTargetRef.name === s)) fail('ha', `no HPA for ${s}`);
    }
  }
  const redis = objects.find((o) => ['Deployment', 'StatefulSet'].includes(o.kind) && o.metadata.name === 'redis');
  if (name === 'dev' && !redis) fail('dev', 'no in-namespace Redis');
  if (redis) checkRedisDurable(`${name} ${redis.kind}/redis`, redis);
  for (const p of checkNamespaces(objects, NAMESPACE)) fail(name, p);
  for (const p of checkNetworkPolicies(objects, { ns: NAMESPACE, callers, redisClients: REDIS_CLIENTS })) fail(name, p);
  summary.push(`${name}: ${objects.length} objects`);
}

// The example application pod validates too.
for (const obj of parseAllDocuments(readFileSync(join(root, 'deploy/examples/app-with-sidecar.yaml'), 'utf8')).map((d) => d.toJSON())) {
  const where = `example ${obj.kind}/${obj.metadata.name}`;
  try {
    new (await modelFor(obj.apiVersion, obj.kind))(obj).validate();
  } catch (e) {
    fail(where, `schema: ${e.message.split('\n')[0]}`);
  }
  const mem = obj.spec.template.spec.volumes.find((v) => v.name === 'conjur-access-token');
  if (mem?.emptyDir?.medium !== 'Memory') fail(where, 'the token volume must be an in-memory emptyDir');
}

if (problems.length > 0) {
  for (const p of problems) console.error(`deploy: ${p}`);
  console.error(`deploy: ${problems.length} problem(s)`);
  process.exit(1);
}
console.log(`deploy: rendered and validated ${summary.join(', ')}`);
