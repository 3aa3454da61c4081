// The deploy checks must fail on broken manifests: each test breaks one thing in a small valid set.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { callersInSource, checkNamespaces, checkNetworkPolicies, expectedCallers } from './network-policy-checks.mjs';

const ns = 'podid';
const name = (n) => ({ matchLabels: { 'app.kubernetes.io/name': n } });
const deployment = (n, ports) => ({
  kind: 'Deployment',
  metadata: { name: n, namespace: ns },
  spec: { template: { metadata: { labels: { 'app.kubernetes.io/name': n } }, spec: { containers: [{ name: n, ports }] } } },
});
const policy = (n, spec) => ({ kind: 'NetworkPolicy', metadata: { name: n, namespace: ns }, spec: { policyTypes: ['Ingress'], ...spec } });
const grpc = [{ name: 'grpc', containerPort: 8443 }, { name: 'ops', containerPort: 9090 }];

/** gateway (public), policy (called by gateway), cert-injector (called by nobody here), redis (used by gateway); all as podid deploys them. */
function valid() {
  return [
    deployment('gateway', [{ name: 'https', containerPort: 8443 }, { name: 'ops', containerPort: 9090 }]),
    deployment('policy', grpc),
    deployment('cert-injector', grpc),
    deployment('redis', [{ name: 'redis', containerPort: 6379 }]),
    policy('default-deny-ingress', { podSelector: {} }),
    policy('gateway-public', { podSelector: name('gateway'), ingress: [{ ports: [{ port: 8443, protocol: 'TCP' }] }] }),
    policy('policy-callers', { podSelector: name('policy'), ingress: [{ from: [{ podSelector: name('gateway') }], ports: [{ port: 8443 }] }] }),
    policy('redis-clients', { podSelector: name('redis'), ingress: [{ from: [{ podSelector: name('gateway') }], ports: [{ port: 6379 }] }] }),
    policy('ops-scrape', {
      podSelector: { matchExpressions: [{ key: 'app.kubernetes.io/name', operator: 'In', values: ['gateway', 'policy', 'cert-injector'] }] },
      ingress: [{ from: [{ namespaceSelector: { matchLabels: { 'podid.io/metrics': 'true' } } }], ports: [{ port: 9090 }] }],
    }),
  ];
}
const opts = { ns, callers: { policy: ['gateway'], 'cert-injector': [] }, redisClients: ['gateway'] };
const check = (objects) => checkNetworkPolicies(objects, opts);
const edit = (objects, policyName, f) => objects.map((o) => (o.kind === 'NetworkPolicy' && o.metadata.name === policyName ? f(structuredClone(o)) : o));

test('a valid set passes (the control case)', () => {
  assert.deepEqual(check(valid()), []);
  assert.deepEqual(checkNamespaces(valid(), ns), []);
});

test('no default-deny ingress policy', () => {
  assert.match(check(valid().filter((o) => o.metadata.name !== 'default-deny-ingress')).join('\n'), /no default-deny ingress/);
  // A "default deny" that allows everything is none.
  assert.match(check(edit(valid(), 'default-deny-ingress', (p) => ((p.spec.ingress = [{}]), p))).join('\n'), /no default-deny ingress/);
});

test('an internal service reachable from outside the namespace', () => {
  const anyone = edit(valid(), 'policy-callers', (p) => ((p.spec.ingress[0].from = []), p));
  assert.match(check(anyone).join('\n'), /policy is reachable from outside namespace podid/);
  const otherNs = edit(valid(), 'policy-callers', (p) => (p.spec.ingress[0].from.push({ namespaceSelector: {} }), p));
  assert.match(check(otherNs).join('\n'), /policy is reachable from outside namespace podid/);
  const ipBlock = edit(valid(), 'policy-callers', (p) => (p.spec.ingress[0].from.push({ ipBlock: { cidr: '0.0.0.0/0' } }), p));
  assert.match(check(ipBlock).join('\n'), /policy is reachable from outside namespace podid/);
  // Metrics scrapers on every port, not only ops.
  const scrapeAll = edit(valid(), 'ops-scrape', (p) => (delete p.spec.ingress[0].ports, p));
  assert.match(check(scrapeAll).join('\n'), /policy is reachable from outside namespace podid/);
});

test('an internal service admitting a caller that is not on its allow-list, or missing one that is', () => {
  const extra = edit(valid(), 'policy-callers', (p) => (p.spec.ingress[0].from.push({ podSelector: name('cert-injector') }), p));
  assert.deepEqual(check(extra), ['policy ingress admits [cert-injector, gateway], exp exactly its callers [gateway]']);
  const everyone = edit(valid(), 'policy-callers', (p) => ((p.spec.ingress[0].from = [{ podSelector: {} }]), p));
  assert.match(check(everyone).join('\n'), /policy ingress admits \[cert-injector, gateway, policy, redis\]/);
  const missing = valid().filter((o) => o.metadata.name !== 'policy-callers');
  assert.deepEqual(check(missing), ['policy ingress admits [], exp exactly its callers [gateway]']);
});

test('Redis reachable from a service that does not use it, or from outside', () => {
  const extra = edit(valid(), 'redis-clients', (p) => (p.spec.ingress[0].from.push({ podSelector: name('policy') }), p));
  assert.deepEqual(check(extra), ['redis ingress admits [gateway, policy], exp exactly its callers [gateway]']);
  const open = edit(valid(), 'redis-clients', (p) => (delete p.spec.ingress[0].from, p));
  assert.match(check(open).join('\n'), /redis is reachable from outside namespace podid/);
});

test('the gateway not reachable from outside', () => {
  assert.match(check(valid().filter((o) => o.metadata.name !== 'gateway-public')).join('\n'), /gateway is not reachable on its https port/);
});

test("the gateway's platform gRPC port not reachable from outside", () => {
  const withPlatform = valid().map((o) => (o.kind === 'Deployment' && o.metadata.name === 'gateway' ? deployment('gateway', [{ name: 'https', containerPort: 8443 }, { name: 'platform', containerPort: 8444 }, { name: 'ops', containerPort: 9090 }]) : o));
  assert.deepEqual(check(withPlatform), ['gateway is not reachable on its platform port from outside the namespace']);
  assert.deepEqual(check(edit(withPlatform, 'gateway-public', (p) => (p.spec.ingress[0].ports.push({ port: 8444, protocol: 'TCP' }), p))), []);
});

test('objects and NetworkPolicies without a namespace', () => {
  const bare = valid().map((o) => (o.metadata.name === 'redis' || o.metadata.name === 'redis-clients' ? { ...o, metadata: { name: o.metadata.name } } : o));
  assert.deepEqual(checkNamespaces(bare, ns), ['Deployment/redis has no namespace', 'NetworkPolicy/redis-clients has no namespace']);
  assert.ok(check(bare).includes('NetworkPolicy/redis-clients is not in namespace podid'));
  assert.deepEqual(checkNamespaces([{ kind: 'ClusterRole', metadata: { name: 'x' } }, { kind: 'Service', metadata: { name: 's', namespace: 'default' } }], ns), ['Service/s is in namespace default, exp podid']);
});

test('reads the caller allow-lists from the services', () => {
  assert.deepEqual(callersInSource("allow: { sign: ['gateway'], getBundle: ['gateway', 'cert-injector'] },"), ['cert-injector', 'gateway']);
  assert.equal(callersInSource('no list here'), undefined);
  const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
  const callers = expectedCallers(root);
  assert.deepEqual(Object.keys(callers).sort(), ['ca-signer', 'cert-injector', 'pod-verifier', 'policy', 'token-issuer']);
  for (const list of Object.values(callers)) assert.ok(list.includes('gateway'));
});
