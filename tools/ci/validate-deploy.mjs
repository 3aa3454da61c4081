#!/usr/bin/env node
// Renders every Kustomize overlay with Kustomize v5, validates each object
// against the Kubernetes OpenAPI schemas (kubernetes-models), and checks the
// production rules podid promises on the real render: hardened pods probed on
// the ops port, one image scheme, references that resolve, no committed
// Secrets, the HA shape with Redis Sentinel (deploy-checks.mjs), namespaces
// and NetworkPolicies (network-policy-checks.mjs), and the example
// application. Exits non-zero with one line per problem.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { checkExample, checkHa, checkImages, checkReferences, checkSentinel, checkServiceMonitors, checkWorkload, workloadsOf } from './deploy-checks.mjs';
import { checkNamespaces, checkNetworkPolicies, expectedCallers, REDIS_CLIENTS } from './network-policy-checks.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const kustomize = execFileSync('bash', [join(root, 'tools/ci/install-kustomize.sh')], { encoding: 'utf8' }).trim().split('\n').pop();
const problems = [];
const fail = (where, msg) => problems.push(`${where}: ${msg}`);

async function modelFor(apiVersion, kind) {
  const path = apiVersion.includes('/') ? apiVersion : `v1/${apiVersion === 'v1' ? '' : apiVersion}`.replace(/\/$/, '');
  return (await import(`kubernetes-models/${path}/${kind}`))[kind];
}

async function validateSchema(where, obj) {
  // kubernetes-models has no prometheus-operator schemas; promtool checks the rules (monitoring.test.mjs).
  if (obj.apiVersion.startsWith('monitoring.coreos.com/')) return;
  try {
    const Model = await modelFor(obj.apiVersion, obj.kind);
    new Model(obj).validate();
  } catch (e) {
    fail(where, `schema: ${e.message.split('\n').slice(0, 3).join(' ')}`);
  }
}

function render(dir) {
  const out = execFileSync(kustomize, ['build', join(root, dir)], { encoding: 'utf8' });
  return parseAllDocuments(out).map((d) => d.toJSON()).filter(Boolean);
}

/** Renders an overlay with components added, as an operator's overlay would (kustomize wants relative paths). */
function renderWith(dir, components) {
  const tmp = mkdtempSync(join(tmpdir(), 'podid-overlay-'));
  try {
    const rel = (p) => relative(tmp, join(root, p));
    writeFileSync(join(tmp, 'kustomization.yaml'), `apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - ${rel(dir)}\ncomponents:\n${components.map((c) => `  - ${rel(c)}\n`).join('')}`);
    return render(relative(root, tmp));
  } finally {
    rmSync(tmp, { recursive: true, force: true });
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

const overlays = { base: 'deploy/base', dev: 'deploy/overlays/dev', ha: 'deploy/overlays/ha', 'ha+monitoring': ['deploy/overlays/ha', 'deploy/components/monitoring'], 'base+clusters': ['deploy/base', 'deploy/components/clusters'] };
const NAMESPACE = 'podid';
const callers = expectedCallers(root);
const summary = [];
const rendered = {};
for (const [name, dir] of Object.entries(overlays)) {
  const objects = Array.isArray(dir) ? renderWith(dir[0], dir.slice(1)) : render(dir);
  rendered[name] = objects;
  for (const obj of objects) {
    const where = `${name} ${obj.kind}/${obj.metadata?.name}`;
    await validateSchema(where, obj);
    if (obj.kind === 'Secret') fail(where, 'Secrets are created at install time, never committed');
  }
  const workloads = workloadsOf(objects);
  for (const w of workloads) for (const p of checkWorkload(`${name} ${w.kind}/${w.metadata.name}`, w)) problems.push(p);
  for (const p of [...checkImages(workloads), ...checkReferences(objects)]) fail(name, p);
  const deployments = objects.filter((o) => o.kind === 'Deployment' && o.metadata.labels?.['app.kubernetes.io/part-of'] === 'podid');
  if (deployments.length !== 6) fail(name, `expected 6 podid Deployments, got ${deployments.length}`);
  const services = objects.filter((o) => o.kind === 'Service');
  for (const d of deployments) if (!services.some((s) => s.metadata.name === d.metadata.name)) fail(name, `Deployment ${d.metadata.name} has no Service`);
  if (name.startsWith('ha')) {
    for (const p of checkHa(objects, { hpaRequired: ['gateway', 'token-issuer', 'cert-injector'] })) fail(name, p);
    for (const p of checkSentinel(objects, { redisClients: REDIS_CLIENTS })) fail(name, p);
  }
  if (name === 'ha+monitoring') for (const p of checkServiceMonitors(objects)) fail(name, p);
  const redis = objects.find((o) => ['Deployment', 'StatefulSet'].includes(o.kind) && o.metadata.name === 'redis');
  if (name === 'dev' && !redis) fail('dev', 'no in-namespace Redis');
  if (redis) checkRedisDurable(`${name} ${redis.kind}/redis`, redis);
  for (const p of checkNamespaces(objects, NAMESPACE)) fail(name, p);
  for (const p of checkNetworkPolicies(objects, { ns: NAMESPACE, callers, redisClients: REDIS_CLIENTS })) fail(name, p);
  summary.push(`${name}: ${objects.length} objects`);
}

// The example application validates too, and logs in at the rendered gateway Service.
const example = parseAllDocuments(readFileSync(join(root, 'deploy/examples/app-with-sidecar.yaml'), 'utf8')).map((d) => d.toJSON()).filter(Boolean);
for (const obj of example) await validateSchema(`example ${obj.kind}/${obj.metadata.name}`, obj);
const gatewayService = rendered.base.find((o) => o.kind === 'Service' && o.metadata.name === 'gateway');
for (const p of [...checkExample(example, { gatewayService, ns: NAMESPACE }), ...checkImages([...workloadsOf(example), ...workloadsOf(rendered.base)])]) problems.push(p);

if (problems.length > 0) {
  for (const p of problems) console.error(`deploy: ${p}`);
  console.error(`deploy: ${problems.length} problem(s)`);
  process.exit(1);
}
console.log(`deploy: rendered and validated ${summary.join(', ')}, example: ${example.length} objects`);
