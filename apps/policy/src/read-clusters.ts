import { readFileSync } from 'node:fs';
import { parseClustersFile, singleClusterCatalog, type ClusterCatalog } from '@podid/policy-model';

/**
 * The clusters authenticators may name: the clusters file's (PODID_CLUSTERS_FILE), or without one the implicit
 * cluster `default` in the service's trust domain. Policy never connects to a cluster, so credentials only have to
 * parse. An unreadable file is a problem, reported like an invalid one.
 */
export function readClusters(file: string | undefined, defaultTrustDomain: string): ClusterCatalog & { text: string } {
  if (!file) return { ...singleClusterCatalog({ kind: 'in-cluster' }, defaultTrustDomain), text: '' };
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    return { clusters: [], problems: [{ file, line: 0, message: `cannot read (${(e as NodeJS.ErrnoException).code ?? String(e)})` }], text: '' };
  }
  return { ...parseClustersFile(file, text, defaultTrustDomain), text };
}
