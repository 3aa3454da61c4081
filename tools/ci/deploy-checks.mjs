// Checks on rendered manifests (kustomize build output) that a real cluster
// would otherwise only reveal at apply or run time: hardened containers with
// probes on the ops port, one image scheme, references that resolve, the HA
// shape (PDBs and HPAs that select and scale rendered workloads) and Redis
// Sentinel really deployed and wired. Pure functions over parsed objects, so
// deploy-checks.test.mjs can feed them small broken manifests.
import { selects } from './network-policy-checks.mjs';

const WORKLOAD_KINDS = ['Deployment', 'StatefulSet', 'DaemonSet'];
const NAME_LABEL = 'app.kubernetes.io/name';
/** The podid images: podid/<app>:<tag>, built from the Dockerfile with --build-arg APP=<app>. */
const PODID_IMAGE = /^podid\/([a-z0-9-]+):([A-Za-z0-9._-]+)$/;

export const workloadsOf = (objects) => objects.filter((o) => WORKLOAD_KINDS.includes(o.kind));
const named = (objects, kind, name) => objects.find((o) => o.kind === kind && o.metadata?.name === name);

/** Whether a probe checks port `ops` of a container (by name or number). */
function probesOps(probe, container) {
  const port = probe?.httpGet?.port;
  const ops = (container.ports ?? []).find((p) => p.name === 'ops');
  return port !== undefined && (port === 'ops' || port === ops?.containerPort);
}

/** Hardening, probes and resources of every container of a workload; a container with an ops port is probed there. */
export function checkWorkload(where, w) {
  const problems = [];
  const fail = (msg) => problems.push(`${where}: ${msg}`);
  const pod = w.spec.template.spec;
  if (!pod.securityContext?.runAsNonRoot) fail('pod securityContext.runAsNonRoot is not true');
  if (pod.securityContext?.seccompProfile?.type !== 'RuntimeDefault') fail('seccompProfile is not RuntimeDefault');
  for (const c of [...(pod.initContainers ?? []), ...pod.containers]) {
    const cf = (msg) => fail(`container ${c.name} ${msg}`);
    if (!c.readinessProbe || !c.livenessProbe) cf('needs readiness and liveness probes');
    else if ((c.ports ?? []).some((p) => p.name === 'ops') && !(probesOps(c.readinessProbe, c) && probesOps(c.livenessProbe, c))) {
      cf('probes must be HTTP GETs on the ops port');
    }
    if (!c.resources?.requests?.cpu || !c.resources?.requests?.memory || !c.resources?.limits?.memory) cf('needs cpu and memory requests and a memory limit');
    if (c.securityContext?.readOnlyRootFilesystem !== true) cf('root filesystem is not read-only');
    if (c.securityContext?.allowPrivilegeEscalation !== false) cf('allows privilege escalation');
    if (!c.securityContext?.capabilities?.drop?.includes('ALL')) cf('does not drop ALL capabilities');
    if (c.securityContext?.privileged) cf('is privileged');
    const names = (c.env ?? []).map((e) => e.name);
    for (const dup of new Set(names.filter((n, i) => names.indexOf(n) !== i))) cf(`env ${dup} is set twice`);
  }
  return problems;
}

/**
 * One image scheme: a podid container runs podid/<its app>:<tag> with
 * imagePullPolicy IfNotPresent (the images are built on the nodes, never
 * pulled), one tag for all; any other image repository is used at one tag.
 */
export function checkImages(workloads) {
  const problems = [];
  const tags = new Map();
  for (const w of workloads) {
    for (const c of [...(w.spec.template.spec.initContainers ?? []), ...w.spec.template.spec.containers]) {
      const where = `${w.kind}/${w.metadata.name} container ${c.name}`;
      const image = c.image ?? '';
      const [repo, tag] = image.includes(':') ? [image.slice(0, image.lastIndexOf(':')), image.slice(image.lastIndexOf(':') + 1)] : [image, undefined];
      if (!tag) problems.push(`${where}: image ${image || '(none)'} has no tag`);
      if (repo.startsWith('podid/')) {
        const m = PODID_IMAGE.exec(image);
        const app = w.spec.template.metadata?.labels?.[NAME_LABEL];
        if (!m) problems.push(`${where}: image ${image} is not podid/<app>:<tag>`);
        else if (app && m[1] !== app) problems.push(`${where}: image ${image} is not the image of ${app}`);
        if (c.imagePullPolicy !== 'IfNotPresent') problems.push(`${where}: imagePullPolicy must be IfNotPresent (podid images are built locally), got ${c.imagePullPolicy ?? 'the default'}`);
      }
      const key = repo.startsWith('podid/') ? 'podid/*' : repo;
      if (!tags.has(key)) tags.set(key, new Set());
      if (tag) tags.get(key).add(tag);
    }
  }
  for (const [repo, set] of tags) if (set.size > 1) problems.push(`images ${repo} are referenced at several tags: ${[...set].sort().join(', ')}`);
  return problems;
}

/** Every ConfigMap and ServiceAccount a workload refers to is in the render (Secrets are created at install time). */
export function checkReferences(objects) {
  const problems = [];
  for (const w of workloadsOf(objects)) {
    const pod = w.spec.template.spec;
    const where = `${w.kind}/${w.metadata.name}`;
    const sa = pod.serviceAccountName;
    if (sa && sa !== 'default' && !named(objects, 'ServiceAccount', sa)) problems.push(`${where}: ServiceAccount ${sa} is not rendered`);
    const refs = [];
    for (const v of pod.volumes ?? []) if (v.configMap && !v.configMap.optional) refs.push(v.configMap.name);
    for (const c of [...(pod.initContainers ?? []), ...pod.containers]) {
      for (const e of c.env ?? []) if (e.valueFrom?.configMapKeyRef && !e.valueFrom.configMapKeyRef.optional) refs.push(e.valueFrom.configMapKeyRef.name);
      for (const e of c.envFrom ?? []) if (e.configMapRef && !e.configMapRef.optional) refs.push(e.configMapRef.name);
    }
    for (const name of new Set(refs)) if (!named(objects, 'ConfigMap', name)) problems.push(`${where}: ConfigMap ${name} is not rendered`);
  }
  return problems;
}

/**
 * The HA shape: every PDB selects the pods of a rendered workload; every HPA
 * scales a rendered Deployment or StatefulSet that has no fixed replicas (an
 * apply would reset the HPA's count) from at least 2; every other workload
 * runs at least 2 replicas; each podid Deployment has a PDB and spreads.
 */
export function checkHa(objects, { hpaRequired = [] } = {}) {
  const problems = [];
  const workloads = workloadsOf(objects);
  const podsOf = (w) => w.spec.template.metadata?.labels ?? {};
  for (const pdb of objects.filter((o) => o.kind === 'PodDisruptionBudget')) {
    const hit = workloads.filter((w) => w.metadata.namespace === pdb.metadata.namespace && selects(pdb.spec.selector, podsOf(w)));
    if (hit.length === 0) problems.push(`PodDisruptionBudget/${pdb.metadata.name} selects no rendered workload's pods`);
  }
  const scaled = new Set();
  for (const hpa of objects.filter((o) => o.kind === 'HorizontalPodAutoscaler')) {
    const ref = hpa.spec.scaleTargetRef ?? {};
    const target = workloads.find((w) => w.kind === ref.kind && w.metadata.name === ref.name && w.metadata.namespace === hpa.metadata.namespace);
    const where = `HorizontalPodAutoscaler/${hpa.metadata.name}`;
    if (!target) {
      problems.push(`${where} scales ${ref.kind}/${ref.name}, which is not rendered in its namespace`);
      continue;
    }
    scaled.add(target);
    if (target.spec.replicas !== undefined) problems.push(`${target.kind}/${target.metadata.name} sets replicas: ${target.spec.replicas} but ${where} scales it (every apply would reset the count)`);
    if ((hpa.spec.minReplicas ?? 1) < 2) problems.push(`${where} minReplicas is below 2`);
  }
  for (const name of hpaRequired) if (![...scaled].some((w) => w.metadata.name === name)) problems.push(`no HPA scales ${name}`);
  for (const w of workloads) {
    if (scaled.has(w)) continue;
    if ((w.spec.replicas ?? 1) < 2) problems.push(`${w.kind}/${w.metadata.name} runs fewer than 2 replicas`);
  }
  for (const w of workloads.filter((x) => x.metadata.labels?.['app.kubernetes.io/part-of'] === 'podid')) {
    const where = `${w.kind}/${w.metadata.name}`;
    if (!w.spec.template.spec.topologySpreadConstraints) problems.push(`${where} has no topology spread`);
    if (!objects.some((o) => o.kind === 'PodDisruptionBudget' && selects(o.spec.selector, podsOf(w)))) problems.push(`${where} has no PodDisruptionBudget`);
  }
  return problems;
}

/** host:port list and master name of a redis-sentinel:// URL, or undefined for another scheme. */
export function parseSentinelUrl(url) {
  const m = /^redis-sentinels?:\/\/(?:[^@/]*@)?([^/]+)\/([^/?#]+)/.exec(url ?? '');
  if (!m) return undefined;
  return { hosts: m[1].split(',').map((h) => ({ host: h.slice(0, h.lastIndexOf(':')), port: Number(h.slice(h.lastIndexOf(':') + 1)) })), master: decodeURIComponent(m[2]) };
}

/** The value REDIS_URL takes in a workload's first container, resolved through its ConfigMap. */
export function redisUrlOf(objects, w) {
  const env = w.spec.template.spec.containers[0].env?.find((e) => e.name === 'REDIS_URL');
  if (!env) return undefined;
  if (env.value !== undefined) return env.value;
  const ref = env.valueFrom?.configMapKeyRef;
  return ref ? named(objects, 'ConfigMap', ref.name)?.data?.[ref.key] : undefined;
}

/**
 * Redis through Sentinel really deployed: every Redis client's REDIS_URL is a
 * redis-sentinel:// URL whose hosts are pods of a rendered 3-Sentinel
 * StatefulSet behind its headless Service on the given port, the Sentinels
 * monitor the URL's master name, and a Redis StatefulSet of a master and at
 * least 2 replicas runs the same official image.
 */
export function checkSentinel(objects, { redisClients }) {
  const problems = [];
  const sentinel = objects.find((o) => o.kind === 'StatefulSet' && o.metadata.name === 'redis-sentinel');
  const redis = objects.find((o) => o.kind === 'StatefulSet' && o.metadata.name === 'redis');
  if (!sentinel) problems.push('no StatefulSet redis-sentinel');
  if (!redis) problems.push('no StatefulSet redis');
  else if ((redis.spec.replicas ?? 1) < 3) problems.push(`StatefulSet redis runs ${redis.spec.replicas ?? 1} Redis, exp a master and at least 2 replicas`);
  if (!sentinel) return problems;
  if (sentinel.spec.replicas !== 3) problems.push(`StatefulSet redis-sentinel runs ${sentinel.spec.replicas ?? 1} Sentinels, exp 3 (quorum 2)`);
  const images = [sentinel, redis].filter(Boolean).map((w) => w.spec.template.spec.containers[0].image);
  for (const image of images) if (!/^redis:\d/.test(image)) problems.push(`Sentinel and Redis must run the official redis image, got ${image}`);
  const svc = named(objects, 'Service', sentinel.spec.serviceName);
  if (!svc || svc.spec.clusterIP !== 'None') problems.push(`StatefulSet redis-sentinel's serviceName ${sentinel.spec.serviceName} is not a rendered headless Service`);
  else if (!selects({ matchLabels: svc.spec.selector }, sentinel.spec.template.metadata.labels)) problems.push(`Service ${svc.metadata.name} does not select the Sentinel pods`);
  const scripts = objects.filter((o) => o.kind === 'ConfigMap' && (sentinel.spec.template.spec.volumes ?? []).some((v) => v.configMap?.name === o.metadata.name));
  const monitored = scripts.flatMap((cm) => Object.values(cm.data ?? {})).flatMap((text) => [...text.matchAll(/sentinel monitor (\S+) /g)].map((m) => m[1]));
  if (monitored.length === 0) problems.push('the Sentinels get no "sentinel monitor" line from a ConfigMap');
  for (const name of redisClients) {
    const w = objects.find((o) => o.kind === 'Deployment' && o.metadata.name === name);
    if (!w) continue;
    const url = redisUrlOf(objects, w);
    const target = parseSentinelUrl(url);
    if (!target) {
      problems.push(`${name} REDIS_URL is not a redis-sentinel:// URL (got ${url ?? 'none'})`);
      continue;
    }
    if (!monitored.includes(target.master)) problems.push(`${name} REDIS_URL names master ${target.master}, but the Sentinels monitor [${monitored.join(', ')}]`);
    const svcPort = svc?.spec.ports?.find((p) => target.hosts.every((h) => h.port === p.port));
    if (!svcPort) problems.push(`${name} REDIS_URL ports are not the port of Service ${sentinel.spec.serviceName}`);
    for (const { host } of target.hosts) {
      const m = /^(.+)-(\d+)\.([^.]+)(\.|$)/.exec(host);
      if (!m || m[1] !== sentinel.metadata.name || m[3] !== sentinel.spec.serviceName || Number(m[2]) >= (sentinel.spec.replicas ?? 1)) {
        problems.push(`${name} REDIS_URL host ${host} is not a pod of StatefulSet redis-sentinel (redis-sentinel-<0..${(sentinel.spec.replicas ?? 1) - 1}>.${sentinel.spec.serviceName})`);
      }
    }
  }
  return problems;
}

/** The example application: hardened like podid's pods, its ServiceAccount present, logging in at the gateway Service. */
export function checkExample(objects, { gatewayService, ns }) {
  const problems = [];
  const port = (gatewayService?.spec.ports ?? []).find((p) => p.name === 'https')?.port;
  for (const w of workloadsOf(objects)) {
    problems.push(...checkWorkload(`example ${w.kind}/${w.metadata.name}`, w));
    const sa = w.spec.template.spec.serviceAccountName;
    if (sa && !objects.some((o) => o.kind === 'ServiceAccount' && o.metadata.name === sa && o.metadata.namespace === w.metadata.namespace)) {
      problems.push(`example ${w.kind}/${w.metadata.name}: ServiceAccount ${sa} is not in the example`);
    }
    for (const c of w.spec.template.spec.containers) {
      const url = c.env?.find((e) => e.name === 'CONJUR_AUTHN_URL')?.value;
      if (url === undefined) continue;
      const u = new URL(url);
      const want = `${gatewayService?.metadata.name}.${ns}.svc`;
      if (u.hostname !== want) problems.push(`example container ${c.name}: CONJUR_AUTHN_URL host ${u.hostname}, exp the gateway Service ${want}`);
      if (Number(u.port || 443) !== port) problems.push(`example container ${c.name}: CONJUR_AUTHN_URL port ${u.port || 443}, but the gateway Service serves https on ${port}`);
    }
    const mem = w.spec.template.spec.volumes?.find((v) => v.name === 'conjur-access-token');
    if (mem?.emptyDir?.medium !== 'Memory') problems.push(`example ${w.kind}/${w.metadata.name}: the token volume must be an in-memory emptyDir`);
  }
  return problems;
}

/**
 * Monitoring (components/monitoring): every Service with an ops port is
 * scraped there by a ServiceMonitor of its namespace, and each ServiceMonitor
 * selects such a Service and takes the job name from a label it carries.
 */
export function checkServiceMonitors(objects) {
  const problems = [];
  const monitors = objects.filter((o) => o.kind === 'ServiceMonitor');
  const services = objects.filter((o) => o.kind === 'Service');
  const scrapes = (m, s) =>
    m.metadata.namespace === s.metadata.namespace &&
    selects(m.spec.selector, s.metadata.labels) &&
    (m.spec.endpoints ?? []).some((e) => (s.spec.ports ?? []).some((p) => p.name === e.port && p.name === 'ops'));
  for (const s of services.filter((x) => (x.spec.ports ?? []).some((p) => p.name === 'ops'))) {
    if (!monitors.some((m) => scrapes(m, s))) problems.push(`Service/${s.metadata.name}: its ops port is scraped by no ServiceMonitor`);
  }
  for (const m of monitors) {
    const hit = services.filter((s) => scrapes(m, s));
    if (hit.length === 0) problems.push(`ServiceMonitor/${m.metadata.name} scrapes no rendered Service's ops port`);
    for (const s of hit) if (!m.spec.jobLabel || !s.metadata.labels?.[m.spec.jobLabel]) problems.push(`ServiceMonitor/${m.metadata.name}: Service ${s.metadata.name} has no label ${m.spec.jobLabel ?? '(jobLabel unset)'} to name the job`);
  }
  return problems;
}
