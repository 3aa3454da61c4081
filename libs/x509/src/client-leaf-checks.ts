import { CLUSTER_URN_PREFIX, POD_UID_URI_PREFIX } from '@podid/spiffe';
import { x509 } from './provider';

/** A SAN list longer than this is not a podid leaf; bounds work on hostile input. */
export const MAX_CLIENT_LEAF_SANS = 8;

/**
 * Usage of a pod client leaf, as signLeaf issues it: keyUsage with
 * digitalSignature and extendedKeyUsage with clientAuth. Returns what is
 * wrong (exp/got), or undefined. A serverAuth-only leaf of the same CA fails.
 */
export function clientLeafUsageProblem(cert: x509.X509Certificate): string | undefined {
  const eku = cert.getExtension(x509.ExtendedKeyUsageExtension);
  const usages = eku?.usages.map(String) ?? [];
  if (!usages.includes(x509.ExtendedKeyUsage.clientAuth)) return `extendedKeyUsage: exp=clientAuth got=${usages.length ? usages.join(',').slice(0, 200) : 'none'}`;
  const ku = cert.getExtension(x509.KeyUsagesExtension);
  if (!ku || !(ku.usages & x509.KeyUsageFlags.digitalSignature)) return `keyUsage: exp=digitalSignature got=${ku ? `flags ${ku.usages}` : 'none'}`;
  return undefined;
}

/** The SANs of a pod client leaf, sorted by kind. */
export interface ClientLeafSans {
  readonly spiffeIds: string[];
  readonly podUids: string[];
  /** `urn:podid:cluster:<name>` entries. */
  readonly clusters: string[];
  /** Every other entry, as `type:value`: DNS, IP, email, other URIs. */
  readonly others: string[];
}

/**
 * Sorts a leaf's SANs; undefined when there are more than
 * MAX_CLIENT_LEAF_SANS. A pod client leaf has exactly one SPIFFE id, one pod
 * uid, one cluster and nothing else (the CSR checks allow one SAN; signLeaf
 * adds the uid and the cluster).
 */
export function clientLeafSans(cert: x509.X509Certificate): ClientLeafSans | undefined {
  const items = cert.getExtension(x509.SubjectAlternativeNameExtension)?.names.items ?? [];
  if (items.length > MAX_CLIENT_LEAF_SANS) return undefined;
  const out: ClientLeafSans = { spiffeIds: [], podUids: [], clusters: [], others: [] };
  for (const n of items) {
    if (n.type === 'url' && n.value.startsWith('spiffe://')) out.spiffeIds.push(n.value);
    else if (n.type === 'url' && n.value.startsWith(POD_UID_URI_PREFIX)) out.podUids.push(n.value);
    else if (n.type === 'url' && n.value.startsWith(CLUSTER_URN_PREFIX)) out.clusters.push(n.value);
    else out.others.push(`${n.type}:${n.value}`);
  }
  return out;
}
