import { mkdirSync, renameSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createLogger, LogCapture } from '@podid/logging';
import { PolicyInvalidError, resolveHost } from '@podid/policy-model';
import { tmpDir } from '@podid/testkit';
import { PolicyStore } from './policy-store';

const AUTHN = 'account: default\nauthenticators:\n  - type: authn-k8s\n    id: prod\n';
const host = (id: string, ns = 'demo') => `hosts:\n  - id: ${id}\n    authenticators: [prod]\n    annotations:\n      authn-k8s/namespace: ${ns}\n`;

/** A policy without a clusters file: the implicit cluster `default`. */
const at = (policyPath: string, clustersFile?: string) => ({ policyPath, clustersFile, defaultTrustDomain: 'cluster.local' });
const CLUSTERS = (...names: string[]) => `clusters:\n${names.map((n) => `  - name: ${n}\n    kubeconfig: /etc/podid/${n}.kubeconfig\n`).join('')}`;

function setup() {
  const capture = new LogCapture();
  return { dir: tmpDir(), capture, log: createLogger({ service: 'policy', destination: capture }) };
}

describe('PolicyStore', () => {
  it('loads a single file and reloads only when the bytes change', () => {
    const { dir, capture, log } = setup();
    const file = join(dir, 'policy.yaml');
    writeFileSync(file, AUTHN + host('a/web'));
    const store = PolicyStore.load(at(file), log);
    expect(capture.withEvent('POLICY_LOADED')[0]).toMatchObject({ authenticators: 1, hosts: 1, account: 'default', files: [file], clusters: ['default'] });
    expect(store.reload()).toBe('unchanged');
    writeFileSync(file, AUTHN + host('a/web', 'prod-ns'));
    expect(store.reload()).toBe('reloaded');
    expect(resolveHost(store.current(), 'prod', 'authn-k8s', 'a/web').restrictions).toEqual({ namespace: 'prod-ns' });
    expect(capture.withEvent('POLICY_RELOADED')).toHaveLength(1);
  });

  it('warns, at start and on reload, about a privileged host a pod of an application host can also be', () => {
    const { dir, capture, log } = setup();
    const file = join(dir, 'policy.yaml');
    const admin = (sa: string) => `  - id: ops/admin\n    authenticators: [prod]\n    grants: [revoke]\n    annotations:\n      authn-k8s/namespace: demo\n      authn-k8s/service-account: ${sa}\n`;
    writeFileSync(file, AUTHN + host('a/web') + admin('demo-sa'));
    const store = PolicyStore.load(at(file), log);
    expect(capture.withEvent('POLICY_PRIVILEGED_HOST_SHARED')).toEqual([
      expect.objectContaining({ level: 'warn', file, line: 10, problem: expect.stringContaining('host "ops/admin" is granted revoke, but a pod of application host "a/web"') }),
    ]);
    writeFileSync(file, AUTHN + host('a/web').replace('demo\n', 'demo\n      authn-k8s/service-account: web-sa\n') + admin('admin-sa'));
    expect(store.reload()).toBe('reloaded');
    writeFileSync(file, AUTHN + host('a/web') + admin('admin-sa'));
    expect(store.reload()).toBe('reloaded');
    expect(capture.withEvent('POLICY_PRIVILEGED_HOST_SHARED')).toHaveLength(2);
  });

  it('warns, at start and on reload, about a tokenTtl under the Conjur client\'s CONJUR_TOKEN_TIMEOUT', () => {
    const { dir, capture, log } = setup();
    const file = join(dir, 'policy.yaml');
    writeFileSync(file, AUTHN + '    tokenTtl: 2m\n' + host('a/web'));
    const store = PolicyStore.load(at(file), log);
    expect(capture.withEvent('POLICY_TOKEN_TTL_BELOW_CONJUR_TIMEOUT')).toEqual([
      expect.objectContaining({ level: 'warn', file, line: 3, problem: expect.stringContaining('authenticator "prod": tokenTtl 2m is shorter than') }),
    ]);
    writeFileSync(file, AUTHN + '    tokenTtl: 6m\n' + host('a/web'));
    expect(store.reload()).toBe('reloaded');
    writeFileSync(file, AUTHN + '    tokenTtl: 3m\n' + host('a/web'));
    expect(store.reload()).toBe('reloaded');
    expect(capture.withEvent('POLICY_TOKEN_TTL_BELOW_CONJUR_TIMEOUT')).toHaveLength(2);
  });

  it('logs every problem at start with file and line, then throws', () => {
    const { dir, capture, log } = setup();
    const file = join(dir, 'policy.yaml');
    writeFileSync(file, AUTHN + host('a/web') + '      authn-k8s/deployment: a\n      authn-k8s/job: b\n      authn-k8s/nope: c\n');
    expect(() => PolicyStore.load(at(file), log)).toThrow(PolicyInvalidError);
    expect(capture.withEvent('POLICY_INVALID').map((l) => [l['file'], l['line'], l['problem']])).toEqual([
      [file, 11, expect.stringContaining('(Conjur CONJ00055E)')],
      [file, 12, expect.stringContaining('(Conjur CONJ00050E)')],
    ]);
  });

  it('keeps the old policy when a reload is invalid, and logs the problem once per change', () => {
    const { dir, capture, log } = setup();
    const file = join(dir, 'policy.yaml');
    writeFileSync(file, AUTHN + host('a/web'));
    const store = PolicyStore.load(at(file), log);
    writeFileSync(file, AUTHN + host('a/web') + '      authn-k8s/deployment-config: x\n');
    expect(store.reload()).toBe('failed');
    expect(store.reload()).toBe('unchanged');
    expect(capture.withEvent('POLICY_RELOAD_FAILED')).toEqual([
      expect.objectContaining({ file, line: 10, problem: expect.stringContaining('deployment-config (OpenShift DeploymentConfig) is not supported') }),
    ]);
    expect(store.current().hosts.has('a/web')).toBe(true);
  });

  it('reads every *.yaml and *.yml of a folder, skipping dot-entries and other files', () => {
    const { dir, log } = setup();
    writeFileSync(join(dir, 'authn.yaml'), AUTHN);
    writeFileSync(join(dir, 'team-a.yml'), host('a/web'));
    writeFileSync(join(dir, '.hidden.yaml'), 'not: [valid');
    writeFileSync(join(dir, 'README.md'), '# not policy');
    mkdirSync(join(dir, 'sub.yaml'));
    expect([...PolicyStore.load(at(dir), log).current().hosts.keys()]).toEqual(['a/web']);
  });

  it('follows a ConfigMap-style ..data symlink swap', () => {
    const { dir, log } = setup();
    const v1 = join(dir, '..2026_01_01_v1');
    const v2 = join(dir, '..2026_01_01_v2');
    mkdirSync(v1);
    mkdirSync(v2);
    writeFileSync(join(v1, 'policy.yaml'), AUTHN + host('a/web'));
    writeFileSync(join(v2, 'policy.yaml'), AUTHN + host('b/web'));
    symlinkSync(v1, join(dir, '..data'));
    symlinkSync(join('..data', 'policy.yaml'), join(dir, 'policy.yaml'));
    const store = PolicyStore.load(at(dir), log);
    expect([...store.current().hosts.keys()]).toEqual(['a/web']);
    symlinkSync(v2, join(dir, '..data_tmp'));
    renameSync(join(dir, '..data_tmp'), join(dir, '..data'));
    expect(store.reload()).toBe('reloaded');
    expect([...store.current().hosts.keys()]).toEqual(['b/web']);
  });

  it('reports a missing file, an empty folder and a vanished file as problems', () => {
    const { dir, capture, log } = setup();
    expect(() => PolicyStore.load(at(join(dir, 'nope.yaml')), log)).toThrow(PolicyInvalidError);
    expect(() => PolicyStore.load(at(dir), log)).toThrow(PolicyInvalidError);
    expect(capture.withEvent('POLICY_INVALID').map((l) => l['problem'])).toEqual(['cannot read (ENOENT)', 'folder has no *.yaml or *.yml files']);
    const file = join(dir, 'policy.yaml');
    writeFileSync(file, AUTHN + host('a/web'));
    const store = PolicyStore.load(at(file), log);
    unlinkSync(file);
    expect(store.reload()).toBe('failed');
    expect(store.current().hosts.has('a/web')).toBe(true);
  });

  it('without a clusters file, binds every authenticator to the cluster default in PODID_TRUST_DOMAIN', () => {
    const { dir, log } = setup();
    const file = join(dir, 'policy.yaml');
    writeFileSync(file, AUTHN + host('a/web'));
    const store = PolicyStore.load({ policyPath: file, defaultTrustDomain: 'corp.example' }, log);
    expect(store.current().authenticators.get('prod')).toMatchObject({ cluster: 'default', trustDomain: 'corp.example' });
  });

  it('binds authenticators to the clusters of the clusters file, each with its trust domain', () => {
    const { dir, capture, log } = setup();
    const file = join(dir, 'policy.yaml');
    const clusters = join(dir, 'clusters.yaml');
    writeFileSync(clusters, CLUSTERS('eu', 'us') + '    trustDomain: us.example\n');
    writeFileSync(file, AUTHN + '    cluster: eu\n  - {type: authn-k8s, id: west, cluster: us}\n' + host('a/web'));
    const store = PolicyStore.load(at(file, clusters), log);
    expect(store.current().authenticators.get('prod')).toMatchObject({ cluster: 'eu', trustDomain: 'cluster.local' });
    expect(store.current().authenticators.get('west')).toMatchObject({ cluster: 'us', trustDomain: 'us.example' });
    expect(capture.withEvent('POLICY_LOADED')[0]).toMatchObject({ clusters: ['eu', 'us'] });
  });

  it('refuses at start a policy naming an undeclared cluster, with the reason', () => {
    const { dir, capture, log } = setup();
    const file = join(dir, 'policy.yaml');
    const clusters = join(dir, 'clusters.yaml');
    writeFileSync(clusters, CLUSTERS('eu', 'us'));
    writeFileSync(file, AUTHN + '    cluster: asia\n' + host('a/web'));
    expect(() => PolicyStore.load(at(file, clusters), log)).toThrow(PolicyInvalidError);
    // The first problem is the reason; policy-model then also reports the host's authenticator as undefined.
    expect(capture.withEvent('POLICY_INVALID').map((l) => [l['file'], l['line'], l['problem']])[0]).toEqual(
      [file, 5, 'authenticator "prod": cluster "asia" is not declared in the clusters file (declared: eu, us)'],
    );
  });

  it('refuses at start an invalid or unreadable clusters file, with its problems', () => {
    const { dir, capture, log } = setup();
    const file = join(dir, 'policy.yaml');
    const clusters = join(dir, 'clusters.yaml');
    writeFileSync(file, AUTHN + host('a/web'));
    writeFileSync(clusters, 'clusters:\n  - name: Bad_Name\n    kubeconfig: /k\n');
    expect(() => PolicyStore.load(at(file, clusters), log)).toThrow(PolicyInvalidError);
    expect(() => PolicyStore.load(at(file, join(dir, 'nope.yaml')), log)).toThrow(PolicyInvalidError);
    expect(capture.withEvent('POLICY_INVALID').map((l) => [l['file'], l['problem']])).toEqual([
      [clusters, expect.stringContaining('name must be a DNS label')],
      [join(dir, 'nope.yaml'), 'cannot read (ENOENT)'],
    ]);
  });

  it('reloads when the clusters file changes, and keeps the last good policy when it turns invalid', () => {
    const { dir, capture, log } = setup();
    const file = join(dir, 'policy.yaml');
    const clusters = join(dir, 'clusters.yaml');
    writeFileSync(clusters, CLUSTERS('eu'));
    writeFileSync(file, AUTHN + host('a/web'));
    const store = PolicyStore.load(at(file, clusters), log);
    expect(store.current().authenticators.get('prod')?.cluster).toBe('eu');
    expect(store.reload()).toBe('unchanged');
    // prod names no cluster: with two declared it must, so the policy fails and eu stays.
    writeFileSync(clusters, CLUSTERS('eu', 'us'));
    expect(store.reload()).toBe('failed');
    expect(capture.withEvent('POLICY_RELOAD_FAILED')[0]).toMatchObject({ file, line: 3, problem: expect.stringContaining('name its cluster (cluster: <name>); 2 are declared: eu, us') });
    writeFileSync(clusters, 'clusters: []\n');
    expect(store.reload()).toBe('failed');
    expect(capture.withEvent('POLICY_RELOAD_FAILED').at(-1)).toMatchObject({ file: clusters, problem: expect.stringContaining('declare at least one cluster') });
    expect(store.current().authenticators.get('prod')?.cluster).toBe('eu');
    writeFileSync(clusters, CLUSTERS('us'));
    expect(store.reload()).toBe('reloaded');
    expect(store.current().authenticators.get('prod')?.cluster).toBe('us');
  });
});
