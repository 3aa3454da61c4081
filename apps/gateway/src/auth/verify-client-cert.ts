import { X509Certificate } from 'node:crypto';
import { UnauthenticatedError } from '@podid/errors';
import { loginToCn, parsePodSpiffeId, parsePodUidUri } from '@podid/spiffe';

/** What a verified client certificate says about its pod. */
export interface ClientCertIdentity {
  readonly commonName: string;
  readonly namespace: string;
  readonly pod: string;
  readonly podUid: string;
  /** Leaf serial, hex: what the audit log carries. */
  readonly serial: string;
}

/** A SAN list longer than this is not one of ours; bounds parsing of hostile certificates. */
export const MAX_SAN_ENTRIES = 8;

/**
 * Checks a client certificate for `login` (DESIGN.md 2, mTLS authenticate):
 * it chains to one of the authenticator CA certificates, is valid at `now`,
 * its CN is the login with `/` turned into `.`, and it carries the pod SPIFFE
 * id and pod uid SANs. Each failure is an UnauthenticatedError with its own
 * code; proof of key possession is the TLS handshake's job.
 */
export function verifyClientCert(opts: { leaf: X509Certificate; caCerts: readonly X509Certificate[]; login: string; now: Date; trustDomain?: string }): ClientCertIdentity {
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
  const uris = uriSans(leaf);
  const spiffe = uris.map((u) => parsePodSpiffeId(u, opts.trustDomain)).find((r) => r.ok);
  const uid = uris.map((u) => parsePodUidUri(u)).find((r) => r.ok);
  if (!spiffe?.ok || !uid?.ok) {
    throw new UnauthenticatedError('AUTHN_SAN_INVALID', `client cert SAN: exp=pod SPIFFE id and urn:podid:pod-uid got=${JSON.stringify(uris.join(', ').slice(0, 300))}`);
  }
  return { commonName: cn, namespace: spiffe.value.namespace, pod: spiffe.value.pod, podUid: uid.value, serial: leaf.serialNumber.toLowerCase() };
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

/** URI SANs. Node quotes entries holding `,` or `"` as JSON strings, which podid leaves never do, so those are dropped. */
function uriSans(cert: X509Certificate): string[] {
  const parts = (cert.subjectAltName ?? '').split(', ');
  if (parts.length > MAX_SAN_ENTRIES) return [];
  return parts.filter((p) => p.startsWith('URI:')).map((p) => p.slice(4));
}
