import type { KubeConfig } from '@kubernetes/client-node';
import { x509 } from '@podid/x509';
import { readFileSync } from 'node:fs';

/** Facts of the client certificate podid authenticates to Kubernetes with; never the certificate itself. */
export interface KubeClientCert {
  notBefore: Date;
  notAfter: Date;
  /** Subject CN: the Kubernetes user name. */
  subjectCn: string;
  serial: string;
}

/**
 * Reads the current user's client certificate from the kubeconfig (inline
 * `client-certificate-data`, else the `client-certificate` file, read now so
 * that a rotated file is seen). Undefined when the user has no client
 * certificate; throws, naming the source, when it cannot be parsed.
 */
export function readKubeClientCert(kc: KubeConfig): KubeClientCert | undefined {
  const user = kc.getCurrentUser();
  if (!user) return undefined;
  let pem: string;
  let from: string;
  if (user.certData) {
    pem = Buffer.from(user.certData, 'base64').toString('utf8');
    from = `kubeconfig user "${user.name}" client-certificate-data`;
  } else if (user.certFile) {
    from = `client-certificate file ${JSON.stringify(user.certFile)}`;
    try {
      pem = readFileSync(user.certFile, 'utf8');
    } catch (e) {
      throw new Error(`${from}: cannot read (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
    }
  } else {
    return undefined;
  }
  let cert: x509.X509Certificate;
  try {
    // A kubeconfig may hold a chain; the leaf comes first.
    const first = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(pem)?.[0];
    if (!first) throw new Error('no PEM certificate');
    cert = new x509.X509Certificate(first);
  } catch {
    throw new Error(`${from}: not a PEM certificate`);
  }
  return { notBefore: cert.notBefore, notAfter: cert.notAfter, subjectCn: cert.subjectName.getField('CN')[0] ?? '', serial: cert.serialNumber };
}
