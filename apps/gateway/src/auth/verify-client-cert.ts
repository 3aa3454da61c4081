import { X509Certificate } from 'node:crypto';
import { UnauthenticatedError } from '@podid/errors';
import { loginToCn, parseClusterUrn, parsePodSpiffeId, parsePodUidUri } from '@podid/spiffe';
import { clientLeafSans, clientLeafUsageProblem, x509 } from '@podid/x509';

/** What a verified client certificate says about its pod. */
export interface ClientCertIdentity {
  readonly commonName: string;
  readonly namespace: string;
  readonly pod: string;
  readonly podUid: string;
  /** The cluster its cluster SAN names: always the authenticator's. */
  readonly cluster: string;
  /** Leaf serial, hex: what the audit log carries. */
  readonly serial: string;
  /** End of the leaf's validity, ms since the epoch. */
  readonly notAfterMs: number;
}

/**
 * Checks a client certificate for `login` (docs/security-model.md): it
 * chains to one of the authenticator CA certificates, is valid at `now`, is a
 * client leaf (clientAuth, digitalSignature), its CN is the login with `/`
 * turned into `.`, its SANs are exactly one pod SPIFFE id (in the
 * authenticator's trust domain), one pod uid and one cluster, as ca-signer
 * issues them, and the cluster is the authenticator's: a leaf for a pod of
 * another cluster (or from before clusters) never names a pod of this one.
 * Each failure is an UnauthenticatedError with its own code; proof of key
 * possession is the TLS handshake's job.
 */
export function verifyClientCert(opts: { leaf: X509Certificate; caCerts: readonly X509Certificate[]; login: string; now: Date; trustDomain: string; cluster: string }): ClientCertIdentity {
  const { leaf } = opts;
  const issuer = opts.caCerts.find((ca) => leaf.checkIssued(ca) && safeVerify(leaf, ca));
  if (!issuer) throw new UnauthenticatedError('AUTHN_CERT_UNTRUSTED', `client cert: exp=issued by the authenticator CA got=issuer ${JSON.stringify(leaf.issuer.slice(0, 200))}`);
  const t = opts.now.getTime();
  const from = Date.parse(leaf.validFrom);
  const to = Date.parse(leaf.validTo);
  if (!(t >= from && t < to)) throw new UnauthenticatedError('AUTHN_CERT_EXPIRED', `client cert: exp=valid at ${opts.now.toISOString()} got=${leaf.validFrom} .. ${leaf.validTo}`);
  if (leaf.ca) throw new UnauthenticatedError('AUTHN_CERT_UNTRUSTED', 'client cert: exp=a leaf got=a CA certificate');
  const cn = commonNameOf(leaf);
  const want = loginToCn(opts.login);
  if (cn !== want) throw new UnauthenticatedError('AUTHN_CN_MISMATCH', `client cert CN mismatch: exp=${JSON.stringify(want)} got=${JSON.stringify(cn?.slice(0, 200))}`);
  const parsed = parseLeaf(leaf);
  const usage = clientLeafUsageProblem(parsed);
  if (usage) throw new UnauthenticatedError('AUTHN_CERT_USAGE', `client cert ${usage}`);
  const sans = clientLeafSans(parsed);
  const got = () => JSON.stringify((sans ? [...sans.spiffeIds, ...sans.podUids, ...sans.clusters, ...sans.others] : ['too many entries']).join(', ').slice(0, 300));
  if (!sans || sans.spiffeIds.length !== 1 || sans.podUids.length !== 1 || sans.others.length > 0) {
    throw new UnauthenticatedError('AUTHN_SAN_INVALID', `client cert SAN: exp=exactly one pod SPIFFE id and one urn:podid:pod-uid got=${got()}`);
  }
  const spiffe = parsePodSpiffeId(sans.spiffeIds[0]!, opts.trustDomain);
  const uid = parsePodUidUri(sans.podUids[0]!);
  if (!spiffe.ok || !uid.ok) throw new UnauthenticatedError('AUTHN_SAN_INVALID', `client cert SAN: exp=pod SPIFFE id and urn:podid:pod-uid got=${got()}`);
  const cluster = sans.clusters.length === 1 ? parseClusterUrn(sans.clusters[0]!) : undefined;
  if (!cluster?.ok || cluster.value !== opts.cluster) {
    const shown = sans.clusters.length === 0 ? 'none' : JSON.stringify(sans.clusters.join(', ').slice(0, 200));
    throw new UnauthenticatedError('AUTHN_CLUSTER_MISMATCH', `client cert cluster SAN: exp=exactly one urn:podid:cluster:${opts.cluster} got=${shown}`);
  }
  return { commonName: cn, namespace: spiffe.value.namespace, pod: spiffe.value.pod, podUid: uid.value, cluster: cluster.value, serial: leaf.serialNumber.toLowerCase(), notAfterMs: to };
}

/** The second parser (usage, SANs); a leaf it cannot read is refused, not trusted. */
function parseLeaf(leaf: X509Certificate): x509.X509Certificate {
  try {
    return new x509.X509Certificate(leaf.raw);
  } catch {
    throw new UnauthenticatedError('AUTHN_SAN_INVALID', 'client cert: exp=readable extensions got=undecodable');
  }
}

function safeVerify(leaf: X509Certificate, ca: X509Certificate): boolean {
  try {
    return leaf.verify(ca.publicKey);
  } catch {
    return false;
  }
}

/** The single CN of the subject, or undefined. Node prints the subject one `K=V` per line. */
function commonNameOf(cert: X509Certificate): string | undefined {
  const cns = cert.subject.split('\n').filter((l) => l.startsWith('CN='));
  return cns.length === 1 ? cns[0]!.slice(3) : undefined;
}
