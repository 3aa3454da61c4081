// The deploy checks must fail on the defects they exist for: each test breaks one thing in a small valid set.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkExample, checkHa, checkImages, checkReferences, checkSentinel, checkServiceMonitors, checkWorkload, parseSentinelUrl } from './deploy-checks.mjs';
import { checkNetworkPolicies } from './network-policy-checks.mjs';

const ns = 'podid';
const hardened = { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } };
const resources = { requests: { cpu: '10m', memory: '32Mi' }, limits: { memory: '64Mi' } };
const opsProbe = { httpGet: { path: '/readyz', port: 'ops' } };

function workload(kind, name, { replicas, image = `podid/${name}:latest`, ports = [{ name: 'grpc', containerPort: 8443 }, { name: 'ops', containerPort: 9090 }], probe = opsProbe, extra = {}, container = {} } = {}) {
  return {
    kind,
    metadata: { name, namespace: ns, labels: { 'app.kubernetes.io/name': name, 'app.kubernetes.io/part-of': 'podid' } },
    spec: {
      ...(replicas === undefined ? {} : { replicas }),
      selector: { matchLabels: { 'app.kubernetes.io/name': name } },
      template: {
        metadata: { labels: { 'app.kubernetes.io/name': name } },
        spec: {
          securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
          topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'kubernetes.io/hostname' }],
          containers: [{ name, image, imagePullPolicy: 'IfNotPresent', ports, readinessProbe: probe, livenessProbe: probe, resources, securityContext: hardened, ...container }],
          ...extra,
        },
      },
    },
  };
}
const pdb = (name, selectName = name) => ({ kind: 'PodDisruptionBudget', metadata: { name, namespace: ns }, spec: { minAvailable: 1, selector: { matchLabels: { 'app.kubernetes.io/name': selectName } } } });
const hpa = (name, target = name, minReplicas = 2) => ({
  kind: 'HorizontalPodAutoscaler',
  metadata: { name, namespace: ns },
  spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: target }, minReplicas, maxReplicas: 6 },
});
const configMap = (name, data) => ({ kind: 'ConfigMap', metadata: { name, namespace: ns }, data });
const headless = (name, port) => ({ kind: 'Service', metadata: { name, namespace: ns }, spec: { clusterIP: 'None', selector: { 'app.kubernetes.io/name': name }, ports: [{ name, port }] } });
const redisUrlEnv = { env: [{ name: 'REDIS_URL', valueFrom: { configMapKeyRef: { name: 'podid-redis-abc', key: 'url' } } }] };
const SENTINEL_URL = 'redis-sentinel://redis-sentinel-0.redis-sentinel:26379,redis-sentinel-1.redis-sentinel:26379,redis-sentinel-2.redis-sentinel:26379/podid';

/** An HA render: gateway scaled by an HPA, policy at 2 replicas, PDBs, Redis behind 3 Sentinels. */
function ha({ url = SENTINEL_URL, monitor = 'sentinel monitor podid redis-0.redis 6379 2' } = {}) {
  const scripts = { volumes: [{ name: 'scripts', configMap: { name: 'redis-sentinel-scripts-x' } }] };
  const redisLike = (name, port) => ({ image: 'redis:7.2-alpine', ports: [{ name, containerPort: port }], probe: { tcpSocket: { port: name } }, extra: scripts });
  return [
    workload('Deployment', 'gateway', { ports: [{ name: 'https', containerPort: 8443 }, { name: 'ops', containerPort: 9090 }], container: redisUrlEnv }),
    workload('Deployment', 'policy', { replicas: 2 }),
    { ...workload('StatefulSet', 'redis', { replicas: 3, ...redisLike('redis', 6379) }), metadata: { name: 'redis', namespace: ns } },
    { ...workload('StatefulSet', 'redis-sentinel', { replicas: 3, ...redisLike('sentinel', 26379) }), metadata: { name: 'redis-sentinel', namespace: ns } },
    headless('redis', 6379),
    headless('redis-sentinel', 26379),
    configMap('podid-redis-abc', { url }),
    configMap('redis-sentinel-scripts-x', { 'start-sentinel.sh': `cat <<CONF\n${monitor}\nCONF` }),
    pdb('gateway'),
    pdb('policy'),
    hpa('gateway'),
  ].map((o) => (o.kind === 'StatefulSet' ? { ...o, spec: { ...o.spec, serviceName: o.metadata.name } } : o));
}
const replace = (objects, kind, name, f) => objects.map((o) => (o.kind === kind && o.metadata.name === name ? f(structuredClone(o)) : o));

test('a valid HA render passes every check (the control case)', () => {
  const objects = ha();
  assert.deepEqual(checkHa(objects, { hpaRequired: ['gateway'] }), []);
  assert.deepEqual(checkSentinel(objects, { redisClients: ['gateway'] }), []);
  assert.deepEqual(checkReferences(objects), []);
  assert.deepEqual(checkImages(objects.filter((o) => o.spec?.template)), []);
  for (const w of objects.filter((o) => o.spec?.template)) assert.deepEqual(checkWorkload(w.metadata.name, w), []);
});

test('a Deployment an HPA scales with a fixed replicas (reset on every apply)', () => {
  const fixed = replace(ha(), 'Deployment', 'gateway', (d) => ((d.spec.replicas = 3), d));
  assert.deepEqual(checkHa(fixed), ['Deployment/gateway sets replicas: 3 but HorizontalPodAutoscaler/gateway scales it (every apply would reset the count)']);
});

test('an HPA whose target is not rendered, or that may scale below 2, or a missing HPA', () => {
  const wrong = replace(ha(), 'HorizontalPodAutoscaler', 'gateway', (h) => ((h.spec.scaleTargetRef.name = 'podid-gateway'), h));
  const problems = checkHa(wrong, { hpaRequired: ['gateway'] });
  assert.ok(problems.includes('HorizontalPodAutoscaler/gateway scales Deployment/podid-gateway, which is not rendered in its namespace'), problems.join('\n'));
  assert.ok(problems.includes('no HPA scales gateway'));
  // Its target, now unscaled and without replicas, runs one pod.
  assert.ok(problems.includes('Deployment/gateway runs fewer than 2 replicas'));
  const otherNs = replace(ha(), 'HorizontalPodAutoscaler', 'gateway', (h) => ((h.metadata.namespace = 'default'), h));
  assert.ok(checkHa(otherNs).includes('HorizontalPodAutoscaler/gateway scales Deployment/gateway, which is not rendered in its namespace'));
  assert.deepEqual(checkHa(replace(ha(), 'HorizontalPodAutoscaler', 'gateway', (h) => ((h.spec.minReplicas = 1), h))), ['HorizontalPodAutoscaler/gateway minReplicas is below 2']);
});

test('a PDB that selects no rendered pods, and a Deployment without one', () => {
  const objects = replace(ha(), 'PodDisruptionBudget', 'policy', (p) => ((p.spec.selector.matchLabels = { app: 'policy' }), p));
  assert.deepEqual(checkHa(objects), ['PodDisruptionBudget/policy selects no rendered workload\'s pods', 'Deployment/policy has no PodDisruptionBudget']);
  const otherNs = replace(ha(), 'PodDisruptionBudget', 'policy', (p) => ((p.metadata.namespace = 'default'), p));
  assert.ok(checkHa(otherNs).includes('PodDisruptionBudget/policy selects no rendered workload\'s pods'));
});

test('a workload with one replica in HA, or without spread', () => {
  assert.deepEqual(checkHa(replace(ha(), 'Deployment', 'policy', (d) => (delete d.spec.replicas, d))), ['Deployment/policy runs fewer than 2 replicas']);
  const packed = replace(ha(), 'Deployment', 'policy', (d) => (delete d.spec.template.spec.topologySpreadConstraints, d));
  assert.deepEqual(checkHa(packed), ['Deployment/policy has no topology spread']);
});

test('HA without Sentinel: a plain Redis URL, no Sentinels deployed, or a single Redis', () => {
  const plain = ha({ url: 'redis://redis:6379' });
  assert.deepEqual(checkSentinel(plain, { redisClients: ['gateway'] }), ['gateway REDIS_URL is not a redis-sentinel:// URL (got redis://redis:6379)']);
  // The URL the ha overlay had before Sentinel was deployed: nothing answers it.
  const none = ha().filter((o) => o.metadata.name !== 'redis-sentinel');
  assert.deepEqual(checkSentinel(none, { redisClients: ['gateway'] }), ['no StatefulSet redis-sentinel']);
  const single = replace(ha(), 'StatefulSet', 'redis', (s) => ((s.spec.replicas = 1), s));
  assert.deepEqual(checkSentinel(single, { redisClients: ['gateway'] }), ['StatefulSet redis runs 1 Redis, exp a master and at least 2 replicas']);
  const two = replace(ha(), 'StatefulSet', 'redis-sentinel', (s) => ((s.spec.replicas = 2), s));
  assert.ok(checkSentinel(two, { redisClients: ['gateway'] }).includes('StatefulSet redis-sentinel runs 2 Sentinels, exp 3 (quorum 2)'));
});

test('Sentinel wiring: hosts that are no Sentinel pod, a master name nobody monitors, a non-headless Service, another image', () => {
  const check = (objects) => checkSentinel(objects, { redisClients: ['gateway'] });
  const beyond = ha({ url: SENTINEL_URL.replace('redis-sentinel-2.', 'redis-sentinel-3.') });
  assert.deepEqual(check(beyond), ['gateway REDIS_URL host redis-sentinel-3.redis-sentinel is not a pod of StatefulSet redis-sentinel (redis-sentinel-<0..2>.redis-sentinel)']);
  assert.deepEqual(check(ha({ url: SENTINEL_URL.replace('/podid', '/mymaster') })), ['gateway REDIS_URL names master mymaster, but the Sentinels monitor [podid]']);
  assert.deepEqual(check(ha({ url: SENTINEL_URL.replaceAll('26379', '6379') })), ['gateway REDIS_URL ports are not the port of Service redis-sentinel']);
  assert.deepEqual(check(ha({ monitor: '' })), ['the Sentinels get no "sentinel monitor" line from a ConfigMap', 'gateway REDIS_URL names master podid, but the Sentinels monitor []']);
  const clusterIp = replace(ha(), 'Service', 'redis-sentinel', (s) => (delete s.spec.clusterIP, s));
  assert.deepEqual(check(clusterIp), ["StatefulSet redis-sentinel's serviceName redis-sentinel is not a rendered headless Service"]);
  const bitnami = replace(ha(), 'StatefulSet', 'redis-sentinel', (s) => ((s.spec.template.spec.containers[0].image = 'bitnami/redis-sentinel:7.2'), s));
  assert.deepEqual(check(bitnami), ['Sentinel and Redis must run the official redis image, got bitnami/redis-sentinel:7.2']);
  assert.deepEqual(parseSentinelUrl('redis-sentinel://a-0.a:1,b-1.b:2/m/3'), { hosts: [{ host: 'a-0.a', port: 1 }, { host: 'b-1.b', port: 2 }], master: 'm' });
  assert.equal(parseSentinelUrl('redis://redis:6379'), undefined);
});

test('the NetworkPolicies must let Redis and the Sentinels talk, on their ports, and nobody else', () => {
  const np = (name, app, from, port) => ({
    kind: 'NetworkPolicy',
    metadata: { name, namespace: ns },
    spec: { podSelector: { matchLabels: { 'app.kubernetes.io/name': app } }, policyTypes: ['Ingress'], ingress: [{ from: from.map((f) => ({ podSelector: { matchLabels: { 'app.kubernetes.io/name': f } } })), ports: [{ port }] }] },
  });
  const all = ['gateway', 'redis', 'redis-sentinel'];
  const base = (sentinelPort = 26379, sentinelFrom = all) => [
    ...ha().filter((o) => o.kind !== 'Deployment' || o.metadata.name === 'gateway'),
    { kind: 'NetworkPolicy', metadata: { name: 'default-deny-ingress', namespace: ns }, spec: { podSelector: {}, policyTypes: ['Ingress'] } },
    { kind: 'NetworkPolicy', metadata: { name: 'gateway-public', namespace: ns }, spec: { podSelector: { matchLabels: { 'app.kubernetes.io/name': 'gateway' } }, ingress: [{ ports: [{ port: 8443 }] }] } },
    np('redis-clients', 'redis', all, 6379),
    np('redis-sentinel-clients', 'redis-sentinel', sentinelFrom, sentinelPort),
  ];
  const check = (objects) => checkNetworkPolicies(objects, { ns, callers: {}, redisClients: ['gateway'] });
  assert.deepEqual(check(base()), []);
  // Sentinels admitted on the Redis port only: default-deny blocks their votes and the clients' lookups.
  assert.deepEqual(check(base(6379)), ['redis-sentinel ingress admits [], exp exactly its callers [gateway, redis, redis-sentinel]']);
  assert.deepEqual(check(base(26379, ['gateway'])), ['redis-sentinel ingress admits [gateway], exp exactly its callers [gateway, redis, redis-sentinel]']);
  assert.deepEqual(check(base().filter((o) => o.metadata.name !== 'redis-sentinel-clients')), ['redis-sentinel ingress admits [], exp exactly its callers [gateway, redis, redis-sentinel]']);
});

test('containers: probes off the ops port, missing resources or hardening', () => {
  const tcp = workload('Deployment', 'policy', { probe: { tcpSocket: { port: 'grpc' } } });
  assert.deepEqual(checkWorkload('w', tcp), ['w: container policy probes must be HTTP GETs on the ops port']);
  const byNumber = workload('Deployment', 'policy', { probe: { httpGet: { path: '/readyz', port: 9090 } } });
  assert.deepEqual(checkWorkload('w', byNumber), []);
  const grpcPort = workload('Deployment', 'policy', { probe: { httpGet: { path: '/readyz', port: 8443 } } });
  assert.deepEqual(checkWorkload('w', grpcPort), ['w: container policy probes must be HTTP GETs on the ops port']);
  const bare = workload('Deployment', 'policy', { container: { resources: { limits: { memory: '1Gi' } }, securityContext: { privileged: true } } });
  assert.deepEqual(checkWorkload('w', bare), [
    'w: container policy needs cpu and memory requests and a memory limit',
    'w: container policy root filesystem is not read-only',
    'w: container policy allows privilege escalation',
    'w: container policy does not drop ALL capabilities',
    'w: container policy is privileged',
  ]);
  const root = replace([workload('Deployment', 'policy')], 'Deployment', 'policy', (d) => ((d.spec.template.spec.securityContext = {}), d))[0];
  assert.deepEqual(checkWorkload('w', root), ['w: pod securityContext.runAsNonRoot is not true', 'w: seccompProfile is not RuntimeDefault']);
});

test('images: one scheme podid/<app>:<tag>, pulled only if absent, one tag per repository', () => {
  const ws = (...over) => over.map(([name, image, container]) => workload('Deployment', name, { image, container }));
  assert.deepEqual(checkImages(ws(['gateway', 'podid/gateway:latest'], ['policy', 'podid/policy:latest'])), []);
  assert.deepEqual(checkImages(ws(['gateway', 'podid/gateway:latest'], ['policy', 'podid/policy:1.2'])), ['images podid/* are referenced at several tags: 1.2, latest']);
  assert.deepEqual(checkImages(ws(['gateway', 'podid/policy:latest'])), ['Deployment/gateway container gateway: image podid/policy:latest is not the image of gateway']);
  assert.deepEqual(checkImages(ws(['gateway', 'podid/gateway'])), ['Deployment/gateway container gateway: image podid/gateway has no tag', 'Deployment/gateway container gateway: image podid/gateway is not podid/<app>:<tag>']);
  assert.deepEqual(checkImages(ws(['gateway', 'podid/gateway:latest', { imagePullPolicy: undefined }])), [
    'Deployment/gateway container gateway: imagePullPolicy must be IfNotPresent (podid images are built locally), got the default',
  ]);
  assert.deepEqual(checkImages(ws(['redis', 'redis:7.2-alpine'], ['redis-sentinel', 'redis:7.4'])), ['images redis are referenced at several tags: 7.2-alpine, 7.4']);
});

test('references: a ConfigMap or ServiceAccount that is not rendered', () => {
  const gone = ha().filter((o) => o.metadata.name !== 'podid-redis-abc' && o.metadata.name !== 'redis-sentinel-scripts-x');
  assert.deepEqual(checkReferences(gone), [
    'Deployment/gateway: ConfigMap podid-redis-abc is not rendered',
    'StatefulSet/redis: ConfigMap redis-sentinel-scripts-x is not rendered',
    'StatefulSet/redis-sentinel: ConfigMap redis-sentinel-scripts-x is not rendered',
  ]);
  const sa = workload('Deployment', 'policy', { extra: { serviceAccountName: 'policy' } });
  assert.deepEqual(checkReferences([sa]), ['Deployment/policy: ServiceAccount policy is not rendered']);
  assert.deepEqual(checkReferences([sa, { kind: 'ServiceAccount', metadata: { name: 'policy', namespace: ns } }]), []);
});

test('the example: gateway Service host and port, its ServiceAccount, a memory token volume', () => {
  const gatewayService = { kind: 'Service', metadata: { name: 'gateway', namespace: ns }, spec: { ports: [{ name: 'https', port: 443 }] } };
  const app = (url, sa = true) => {
    const w = workload('Deployment', 'demo-app', {
      image: 'podid/authn-client:latest',
      ports: [],
      probe: { httpGet: { path: '/healthz', port: 8080 } },
      container: { env: [{ name: 'CONJUR_AUTHN_URL', value: url }] },
      extra: { serviceAccountName: 'demo-sa', volumes: [{ name: 'conjur-access-token', emptyDir: { medium: 'Memory' } }] },
    });
    w.metadata.namespace = 'demo';
    return [w, ...(sa ? [{ kind: 'ServiceAccount', metadata: { name: 'demo-sa', namespace: 'demo' } }] : [])];
  };
  const check = (objects) => checkExample(objects, { gatewayService, ns });
  assert.deepEqual(check(app('https://gateway.podid.svc/authn-k8s/dev-cluster')), []);
  assert.deepEqual(check(app('https://podid-gateway.podid.svc.cluster.local/authn-k8s/dev-cluster')), ['example container demo-app: CONJUR_AUTHN_URL host podid-gateway.podid.svc.cluster.local, exp the gateway Service gateway.podid.svc']);
  assert.deepEqual(check(app('https://gateway.podid.svc:8443/authn-k8s/dev-cluster')), ['example container demo-app: CONJUR_AUTHN_URL port 8443, but the gateway Service serves https on 443']);
  assert.deepEqual(check(app('https://gateway.podid.svc/authn-k8s/dev-cluster', false)), ['example Deployment/demo-app: ServiceAccount demo-sa is not in the example']);
  const disk = app('https://gateway.podid.svc/x');
  disk[0].spec.template.spec.volumes[0].emptyDir = {};
  assert.deepEqual(check(disk), ['example Deployment/demo-app: the token volume must be an in-memory emptyDir']);
});

test('monitoring: every ops port scraped by a ServiceMonitor that names the job', () => {
  const svc = (name, labelName, ports) => ({ kind: 'Service', metadata: { name, namespace: ns, labels: { 'app.kubernetes.io/name': labelName } }, spec: { ports } });
  const sm = (name, port = 'ops', extra = {}) => ({
    kind: 'ServiceMonitor',
    metadata: { name, namespace: ns },
    spec: { jobLabel: 'app.kubernetes.io/name', selector: { matchLabels: { 'app.kubernetes.io/name': name } }, endpoints: [{ port }], ...extra },
  });
  const objects = [svc('gateway', 'gateway', [{ name: 'https', port: 443 }]), svc('gateway-ops', 'gateway', [{ name: 'ops', port: 9090 }]), svc('policy', 'policy', [{ name: 'grpc', port: 8443 }, { name: 'ops', port: 9090 }])];
  assert.deepEqual(checkServiceMonitors([...objects, sm('gateway'), sm('policy')]), []);
  assert.deepEqual(checkServiceMonitors([...objects, sm('gateway')]), ['Service/policy: its ops port is scraped by no ServiceMonitor']);
  assert.deepEqual(checkServiceMonitors([...objects, sm('gateway'), sm('policy', 'metrics')]), ['Service/policy: its ops port is scraped by no ServiceMonitor', 'ServiceMonitor/policy scrapes no rendered Service\'s ops port']);
  const elsewhere = { ...sm('policy'), metadata: { name: 'policy', namespace: 'monitoring' } };
  assert.deepEqual(checkServiceMonitors([...objects, sm('gateway'), elsewhere]), ['Service/policy: its ops port is scraped by no ServiceMonitor', 'ServiceMonitor/policy scrapes no rendered Service\'s ops port']);
  assert.deepEqual(checkServiceMonitors([...objects, sm('gateway'), sm('policy', 'ops', { jobLabel: 'app' })]), ['ServiceMonitor/policy: Service policy has no label app to name the job']);
});
