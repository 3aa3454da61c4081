// The operator's kit in deploy/components/monitoring: promtool accepts the
// rules and their unit tests pass, every alert is tested both ways and has a
// runbook section, and every metric and label the rules and the dashboard use
// is one the services export (tools/ci/metric-catalog.ts), so a rename breaks
// this test instead of silencing an alert.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parse, stringify } from 'yaml';
import grpc from '@grpc/grpc-js';
import { metricsInPromql } from './promql-metrics.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const kit = join(root, 'deploy/components/monitoring');
const rule = parse(readFileSync(join(kit, 'prometheus-rules.yaml'), 'utf8'));
const unitTests = parse(readFileSync(join(kit, 'tests/alerts.test.yaml'), 'utf8'));
const dashboard = JSON.parse(readFileSync(join(kit, 'podid-dashboard.json'), 'utf8'));
const alerts = rule.spec.groups.flatMap((g) => g.rules.filter((r) => r.alert));
/** Labels Prometheus (and prometheus-operator's ServiceMonitor relabelling) puts on every scraped series. */
const TARGET_LABELS = ['job', 'instance', 'namespace', 'pod', 'service', 'endpoint', 'container'];
let work;
let catalog;

before(() => {
  work = mkdtempSync(join(tmpdir(), 'podid-monitoring-'));
  writeFileSync(join(work, 'podid-rules.yaml'), stringify({ groups: rule.spec.groups }));
  copyFileSync(join(kit, 'tests/alerts.test.yaml'), join(work, 'alerts.test.yaml'));
  catalog = JSON.parse(execFileSync(join(root, 'node_modules/.bin/tsx'), [join(root, 'tools/ci/metric-catalog.ts')], { encoding: 'utf8' }));
});
after(() => rmSync(work, { recursive: true, force: true }));

const promtool = (...args) => execFileSync('promtool', args, { cwd: work, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

test('promtool check rules accepts the PrometheusRule', () => {
  assert.match(promtool('check', 'rules', 'podid-rules.yaml'), new RegExp(`SUCCESS: ${alerts.length} rules found`));
});

test('promtool test rules: the unit tests pass', () => {
  assert.match(promtool('test', 'rules', 'alerts.test.yaml'), /SUCCESS/);
});

test('every alert fires in a unit test and stays silent in another', () => {
  const cases = unitTests.tests.flatMap((t) => t.alert_rule_test.map((c) => ({ name: t.name, alert: c.alertname, fires: (c.exp_alerts ?? []).length > 0 })));
  for (const a of alerts) {
    assert.ok(cases.some((c) => c.alert === a.alert && c.fires), `${a.alert}: no unit test where it fires`);
    const silent = cases.some((c) => c.alert === a.alert && !c.fires);
    // A per-series alert may prove silence in the same test: a good series next to the bad one, absent from exp_alerts.
    const alongside = unitTests.tests.some((t) => t.alert_rule_test.some((c) => c.alertname === a.alert && c.exp_alerts?.length > 0 && t.input_series.length > c.exp_alerts.length));
    assert.ok(silent || alongside, `${a.alert}: no unit test where it stays silent`);
  }
  for (const c of cases) assert.ok(alerts.some((a) => a.alert === c.alert), `unit test "${c.name}" tests unknown alert ${c.alert}`);
});

test('every alert has a severity, a summary and a runbook section in docs/monitoring.md', () => {
  const doc = readFileSync(join(root, 'docs/monitoring.md'), 'utf8');
  // GitHub's heading anchors: lower case, punctuation dropped, spaces to dashes.
  const anchors = new Set([...doc.matchAll(/^#{1,6} (.+)$/gm)].map((m) => m[1].trim().toLowerCase().replace(/[^\w\- ]/g, '').replace(/ /g, '-')));
  for (const a of alerts) {
    assert.ok(['critical', 'warning'].includes(a.labels?.severity), `${a.alert}: severity must be critical or warning`);
    assert.ok(a.annotations?.summary && a.annotations?.description, `${a.alert}: needs a summary and a description`);
    const m = /^docs\/monitoring\.md#([\w-]+)$/.exec(a.annotations?.runbook_url ?? '');
    assert.ok(m, `${a.alert}: runbook_url must be docs/monitoring.md#<section>, got ${a.annotations?.runbook_url}`);
    assert.ok(anchors.has(m[1]), `${a.alert}: docs/monitoring.md has no section #${m[1]}`);
  }
});

/**
 * Problems with the metrics, labels and label values an expression uses,
 * against the catalog; `shown` are the labels its alert annotations or panel
 * legend print, which some metric of the expression must have.
 */
function checkExpr(where, expr, shown = []) {
  const problems = [];
  const routes = gatewayRouteNames();
  const uses = metricsInPromql(expr);
  const available = new Set(TARGET_LABELS);
  for (const use of uses) {
    const base = use.name.replace(/_(bucket|sum|count)$/, '');
    for (const l of (catalog[use.name] ?? catalog[base])?.labels ?? []) available.add(l);
  }
  for (const l of shown) if (!available.has(l)) problems.push(`${where}: prints label ${l}, which no metric of its expression has`);
  for (const use of uses) {
    if (use.name === 'up') {
      for (const l of use.labels) if (!TARGET_LABELS.includes(l.name)) problems.push(`${where}: up has no label ${l.name}`);
      continue;
    }
    const suffix = /_(bucket|sum|count)$/.exec(use.name)?.[1];
    const base = suffix && catalog[use.name.slice(0, -suffix.length - 1)]?.type === 'histogram' ? use.name.slice(0, -suffix.length - 1) : use.name;
    const metric = catalog[base];
    if (!metric) {
      problems.push(`${where}: ${use.name} is not exported by any podid service`);
      continue;
    }
    if (metric.type === 'histogram' && base === use.name) problems.push(`${where}: ${use.name} is a histogram; use _bucket, _sum or _count`);
    const known = [...metric.labels, ...TARGET_LABELS, ...(suffix === 'bucket' ? ['le'] : [])];
    for (const l of use.labels) {
      if (!known.includes(l.name)) problems.push(`${where}: ${base} has no label ${l.name} (it has ${metric.labels.join(', ') || 'none'})`);
      if (l.name === 'route') for (const v of l.alternatives) if (!routes.has(v)) problems.push(`${where}: route "${v}" is no gateway route`);
      if (l.name === 'code' && base.startsWith('podid_grpc_')) for (const v of l.alternatives) if (!(v in grpc.status)) problems.push(`${where}: code "${v}" is no gRPC status`);
    }
    for (const g of use.grouping) if (!known.includes(g)) problems.push(`${where}: groups ${base} by ${g}, which it does not have`);
  }
  return problems;
}

/** The route label values of the gateway: the names its routes register. */
let routeNames;
function gatewayRouteNames() {
  if (routeNames) return routeNames;
  const dir = join(root, 'apps/gateway/src/routes');
  routeNames = new Set(['unmatched']);
  for (const f of readdirSync(dir).filter((n) => n.endsWith('.ts') && !n.endsWith('.spec.ts'))) {
    for (const m of readFileSync(join(dir, f), 'utf8').matchAll(/name: '([a-z0-9_/-]+)'/g)) routeNames.add(m[1]);
  }
  return routeNames;
}

test('every metric, label and label value in the alert rules is exported by the services', () => {
  assert.ok(Object.keys(catalog).length > 20, 'the metric catalog is empty');
  const printed = (text) => [...(text ?? '').matchAll(/\$labels\.(\w+)/g)].map((m) => m[1]);
  assert.deepEqual(alerts.flatMap((a) => checkExpr(a.alert, a.expr, Object.values(a.annotations ?? {}).flatMap(printed))), []);
});

test('the dashboard: panels query exported metrics only, with unique ids, and a datasource variable', () => {
  const panels = dashboard.panels.filter((p) => p.type !== 'row');
  assert.ok(panels.length > 10);
  const ids = dashboard.panels.map((p) => p.id);
  assert.equal(new Set(ids).size, ids.length, 'panel ids repeat');
  assert.ok(dashboard.templating.list.some((v) => v.type === 'datasource' && v.name === 'datasource'));
  const problems = [];
  for (const p of panels) {
    assert.ok(p.targets?.length > 0, `panel ${p.title} has no query`);
    for (const t of p.targets) problems.push(...checkExpr(`panel "${p.title}"`, t.expr, [...(t.legendFormat ?? '').matchAll(/\{\{\s*(\w+)\s*\}\}/g)].map((m) => m[1])));
  }
  for (const v of dashboard.templating.list.filter((x) => x.type === 'query')) {
    // label_values(<selector>, <label>) reads <label> of the selector's series.
    const m = /^label_values\((.*),\s*(\w+)\)$/.exec(v.definition);
    problems.push(...checkExpr(`variable ${v.name}`, m ? `sum by (${m[2]}) (${m[1]})` : v.definition));
  }
  assert.deepEqual(problems, []);
  // Every exported podid metric is on the dashboard somewhere.
  const shown = new Set(panels.flatMap((p) => p.targets.flatMap((t) => metricsInPromql(t.expr).map((u) => u.name.replace(/_(bucket|sum|count)$/, '')))));
  assert.deepEqual(Object.keys(catalog).filter((n) => n.startsWith('podid_') && !shown.has(n)), []);
});

test('the scanner finds metrics, matchers and grouping, and skips functions, strings and durations', () => {
  const uses = metricsInPromql('histogram_quantile(0.99, sum by (job, le) (rate(podid_x_bucket{route=~"a/b|c", status!="200"}[$__rate_interval]))) > 2 and on() sum(up) without (pod)');
  assert.deepEqual(uses, [
    { name: 'podid_x_bucket', labels: [{ name: 'route', op: '=~', value: 'a/b|c', alternatives: ['a/b', 'c'] }, { name: 'status', op: '!=', value: '200', alternatives: [] }], grouping: ['job', 'le'] },
    { name: 'up', labels: [], grouping: ['pod'] },
  ]);
  assert.deepEqual(metricsInPromql('sum(rate(podid_y[5m])) by (code)').map((u) => u.grouping), [['code']]);
  assert.deepEqual(metricsInPromql('(podid_z - time()) / 86400 < 30').map((u) => u.name), ['podid_z']);
});

test('the checks catch a renamed metric, a label it lacks, an unknown route and an unknown gRPC code', () => {
  assert.deepEqual(checkExpr('x', 'rate(podid_gateway_requests_total[5m])'), ['x: podid_gateway_requests_total is not exported by any podid service']);
  assert.deepEqual(checkExpr('x', 'sum by (method) (rate(podid_gateway_http_requests_total{path="/"}[5m]))'), [
    'x: podid_gateway_http_requests_total has no label path (it has route, status)',
    'x: groups podid_gateway_http_requests_total by method, which it does not have',
  ]);
  assert.deepEqual(checkExpr('x', 'rate(podid_gateway_http_requests_total{route=~"authn-k8s/authenticate|authn-k8s/login"}[5m])'), ['x: route "authn-k8s/login" is no gateway route']);
  assert.deepEqual(checkExpr('x', 'rate(podid_grpc_server_handled_total{code="UNAVAIL"}[5m])'), ['x: code "UNAVAIL" is no gRPC status']);
  assert.deepEqual(checkExpr('x', 'podid_cert_inject_duration_seconds > 1'), ['x: podid_cert_inject_duration_seconds is a histogram; use _bucket, _sum or _count']);
  assert.deepEqual(checkExpr('x', 'histogram_quantile(0.99, sum by (le) (rate(podid_cert_inject_duration_seconds_bucket[5m])))'), []);
  assert.deepEqual(checkExpr('x', 'podid_ca_not_after_seconds < 1', ['authenticator', 'job']), []);
  assert.deepEqual(checkExpr('x', 'podid_ca_not_after_seconds < 1', ['service_id']), ['x: prints label service_id, which no metric of its expression has']);
});
