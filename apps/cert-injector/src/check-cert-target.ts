import { InvalidArgumentError } from '@podid/errors';
import { parsePodSpiffeId, parsePodUidUri, POD_UID_URI_PREFIX } from '@podid/spiffe';
import { derSha256, x509 } from '@podid/x509';

/** Where a certificate is to be written. */
export interface InjectTarget {
  readonly namespace: string;
  readonly pod: string;
  readonly container: string;
  /** Expected pod uid, when the caller knows it. */
  readonly podUid?: string;
}

/** What the log may say about a leaf: never the PEM. */
export interface LeafFacts {
  /** Lowercase hex serial. */
  readonly serial: string;
  /** sha256 of the leaf DER, lowercase hex. */
  readonly sha256: string;
  readonly spiffeId: string;
  readonly podUid?: string;
}

/** The URI SAN ca-signer adds to name the pod's cluster. */
export const CLUSTER_URI_PREFIX = 'urn:podid:cluster:';

/** The cluster the certificate is injected in: the leaf must name it and be in its trust domain. */
export interface TargetCluster {
  readonly name: string;
  readonly trustDomain: string;
}

/** A SAN list longer than this is not a podid leaf; bounds work on hostile input. */
export const MAX_LEAF_SANS = 8;

const mismatch = (msg: string) => new InvalidArgumentError('CERT_TARGET_MISMATCH', msg);

/**
 * Security invariant 1 (docs/security-model.md), in depth: the leaf (first certificate)
 * must carry exactly one pod SPIFFE URI SAN, naming exactly the target
 * namespace and pod; if it carries a pod-uid URI SAN and the caller gave a
 * uid, they must be equal; and exactly one cluster URI SAN must name the
 * target's cluster, whose trust domain the SPIFFE id must be in (a pod of
 * cluster A never receives a certificate in cluster B). Anything else is
 * CERT_TARGET_MISMATCH.
 */
export function checkCertTarget(leafDer: Buffer, target: InjectTarget, cluster: TargetCluster): LeafFacts {
  const trustDomain = cluster.trustDomain;
  let cert: x509.X509Certificate;
  try {
    cert = new x509.X509Certificate(leafDer);
  } catch {
    throw new InvalidArgumentError('CERT_PEM_INVALID', 'certificate_pem: the first block is not an X.509 certificate');
  }
  const uris = uriSans(cert);
  const spiffe = uris.filter((u) => u.startsWith('spiffe://'));
  if (spiffe.length !== 1) throw mismatch(`leaf SAN: exp=one pod SPIFFE id got=${spiffe.length}`);
  const id = parsePodSpiffeId(spiffe[0]!, trustDomain);
  if (!id.ok) throw mismatch(`leaf SAN: ${id.reason}`);
  const got = `${id.value.namespace}/${id.value.pod}`;
  const exp = `${target.namespace}/${target.pod}`;
  if (got !== exp) throw mismatch(`SAN pod mismatch: exp=${JSON.stringify(exp)} got=${JSON.stringify(got)}`);
  const uidSans = uris.filter((u) => u.startsWith(POD_UID_URI_PREFIX));
  if (uidSans.length > 1) throw mismatch(`leaf SAN: exp=at most one pod uid got=${uidSans.length}`);
  let podUid: string | undefined;
  if (uidSans.length === 1) {
    const uid = parsePodUidUri(uidSans[0]!);
    if (!uid.ok) throw mismatch(`leaf pod uid SAN: ${uid.reason}`);
    podUid = uid.value;
    if (target.podUid && target.podUid !== podUid) throw mismatch(`SAN pod uid mismatch: exp=${JSON.stringify(target.podUid)} got=${JSON.stringify(podUid)}`);
  }
  const clusterSans = uris.filter((u) => u.startsWith(CLUSTER_URI_PREFIX));
  if (clusterSans.length !== 1) throw mismatch(`leaf SAN: exp=one ${CLUSTER_URI_PREFIX}<name> got=${clusterSans.length}`);
  const named = clusterSans[0]!.slice(CLUSTER_URI_PREFIX.length);
  if (named !== cluster.name) throw mismatch(`SAN cluster mismatch: exp=${JSON.stringify(cluster.name)} got=${JSON.stringify(named.slice(0, 63))}`);
  return {
    serial: cert.serialNumber.toLowerCase(),
    sha256: derSha256(leafDer),
    spiffeId: spiffe[0]!,
    podUid,
  };
}

function uriSans(cert: x509.X509Certificate): string[] {
  const ext = cert.getExtension(x509.SubjectAlternativeNameExtension);
  if (!ext) return [];
  const items = ext.names.items;
  if (items.length > MAX_LEAF_SANS) throw mismatch(`leaf SAN: exp=at most ${MAX_LEAF_SANS} entries got=${items.length}`);
  return items.filter((n) => n.type === 'url').map((n) => n.value);
}
