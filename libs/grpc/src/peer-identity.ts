import type { PeerCertificate } from 'node:tls';
import { SERVICE_TRUST_DOMAIN } from '@podid/x509';

const SERVICE_ID = new RegExp(`^spiffe://${SERVICE_TRUST_DOMAIN}/([a-z][a-z0-9-]{0,62})$`);

/** The podid service name in a peer certificate's URI SAN, or undefined. */
export function serviceNameOf(cert: Pick<PeerCertificate, 'subjectaltname'> | undefined): string | undefined {
  const sans = cert?.subjectaltname?.split(', ') ?? [];
  const names = sans.filter((s) => s.startsWith('URI:')).map((s) => SERVICE_ID.exec(s.slice(4))?.[1]).filter((s): s is string => !!s);
  return names.length === 1 ? names[0] : undefined;
}
