import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createLogger, LogCapture } from '@podid/logging';
import type { ClusterDeclaration } from '@podid/policy-model';
import { tmpDir } from '@podid/testkit';
import { ClusterSet } from './cluster-set';

describe('ClusterSet', () => {
  const fallback: ClusterDeclaration = { name: 'default', trustDomain: 'cluster.local', credentials: { kind: 'in-cluster' } };
  const kubeconfigCluster = (name: string, path = `/etc/podid/${name}.kubeconfig`) => `  - name: ${name}\n    kubeconfig: ${path}\n`;

  const setup = (text?: string, failing = new Set<string>()) => {
    const dir = tmpDir('podid-clusters-');
    const file = join(dir, 'clusters.yaml');
    if (text !== undefined) writeFileSync(file, text);
    const logs = new LogCapture();
    const opened: string[] = [];
    const closed: string[] = [];
    let generation = 0;
    const set = new ClusterSet<{ name: string; generation: number }>({
      file: text === undefined ? undefined : file,
      fallback,
      defaultTrustDomain: 'cluster.local',
      pollMs: 60_000,
      log: createLogger({ service: 'pod-verifier', destination: logs }),
      open: (d) => {
        if (failing.has(d.name)) throw new Error(`cannot read caFile /ca/${d.name}`);
        opened.push(d.name);
        return { name: d.name, generation: ++generation };
      },
      close: (v) => void closed.push(v.name),
    });
    return { set, file, logs, opened, closed, write: (t: string) => writeFileSync(file, t) };
  };

  it('serves the one implicit cluster without a file, for an empty name and for its own', async () => {
    const { set } = setup();
    await set.start();
    expect(set.lookup(undefined)).toMatchObject({ ok: true, value: { name: 'default' } });
    expect(set.lookup('default')).toMatchObject({ ok: true });
    expect(set.lookup('prod')).toEqual({ ok: false, reason: 'cluster "prod" is not declared (declared: default)' });
    await set.stop();
  });

  it('opens every declared cluster, and refuses a request that names none when there are several', async () => {
    const { set, opened } = setup(`clusters:\n${kubeconfigCluster('a')}${kubeconfigCluster('b')}`);
    await set.start();
    expect(opened).toEqual(['a', 'b']);
    expect(set.lookup('b')).toMatchObject({ ok: true, decl: { name: 'b' } });
    expect(set.lookup(undefined)).toEqual({ ok: false, reason: 'the request names no cluster and 2 are declared (a, b)' });
    await set.stop();
  });

  it('adds, removes and reopens clusters as the file changes, without touching the others', async () => {
    const { set, opened, closed, write, logs } = setup(`clusters:\n${kubeconfigCluster('a')}${kubeconfigCluster('b')}`);
    await set.start();
    const a = set.lookup('a');
    write(`clusters:\n${kubeconfigCluster('a')}${kubeconfigCluster('c')}`);
    await set.refresh();
    expect(set.lookup('b')).toEqual({ ok: false, reason: 'cluster "b" is not declared (declared: a, c)' });
    expect(set.lookup('c')).toMatchObject({ ok: true });
    expect(set.lookup('a')).toEqual(a);
    expect(closed).toEqual(['b']);
    write(`clusters:\n${kubeconfigCluster('a', '/etc/podid/a-rotated.kubeconfig')}${kubeconfigCluster('c')}`);
    await set.refresh();
    expect(set.lookup('a')).toMatchObject({ ok: true, value: { generation: 4 } });
    expect(opened).toEqual(['a', 'b', 'c', 'a']);
    expect(closed).toEqual(['b', 'a']);
    expect(logs.withEvent('CLUSTER_REMOVED')).toEqual([expect.objectContaining({ cluster: 'b' })]);
    await set.stop();
    expect(closed.sort()).toEqual(['a', 'a', 'b', 'c']);
  });

  it('reopens a cluster whose credential file changes, as when kubelet updates a rotated Secret', async () => {
    const dir = tmpDir('podid-cred-');
    const kubeconfig = join(dir, 'a.kubeconfig');
    writeFileSync(kubeconfig, 'first');
    const { set, opened, closed } = setup(`clusters:\n${kubeconfigCluster('a', kubeconfig)}${kubeconfigCluster('b')}`);
    await set.start();
    await set.refresh();
    expect(opened).toEqual(['a', 'b']);
    writeFileSync(kubeconfig, 'rotated');
    await set.refresh();
    expect(opened).toEqual(['a', 'b', 'a']);
    expect(closed).toEqual(['a']);
    await set.stop();
  });

  it('keeps the clusters in use when the file turns invalid, and logs the problems with their lines', async () => {
    const { set, write, logs, closed } = setup(`clusters:\n${kubeconfigCluster('a')}`);
    await set.start();
    write('clusters:\n  - name: a\n    kubeconfig: relative\n');
    await set.refresh();
    expect(set.lookup('a')).toMatchObject({ ok: true });
    expect(closed).toEqual([]);
    expect(logs.withEvent('CLUSTERS_FILE_INVALID')).toEqual([expect.objectContaining({ problems: [expect.stringContaining('clusters.yaml:3: cluster "a": kubeconfig must be an absolute path')] })]);
    await set.stop();
  });

  it('refuses to start on an invalid or unreadable file', async () => {
    await expect(setup('clusters: []\n').set.start()).rejects.toThrow(/clusters: declare at least one cluster/);
    const { set, file } = setup(`clusters:\n${kubeconfigCluster('a')}`);
    rmSync(file);
    await expect(set.start()).rejects.toThrow(/cannot read the clusters file \(ENOENT\)/);
  });

  it('fails only the cluster that cannot open, and retries it at the next poll', async () => {
    const failing = new Set(['b']);
    const { set, logs } = setup(`clusters:\n${kubeconfigCluster('a')}${kubeconfigCluster('b')}`, failing);
    await set.start();
    expect(set.lookup('a')).toMatchObject({ ok: true });
    expect(set.lookup('b')).toEqual({ ok: false, reason: 'cluster "b" is not connected: cannot read caFile /ca/b' });
    await set.refresh();
    expect(logs.withEvent('CLUSTER_OPEN_FAILED')).toHaveLength(1);
    failing.clear();
    await set.refresh();
    expect(set.lookup('b')).toMatchObject({ ok: true });
    await set.stop();
  });
});
