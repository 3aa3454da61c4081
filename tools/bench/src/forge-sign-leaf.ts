import forge from 'node-forge';

/**
 * The same leaf as signLeaf, built with node-forge (RSA only: forge has no
 * ECDSA or Ed25519), for the comparison in sign-bench.
 */
export function forgeSignLeaf(opts: { caCertPem: string; caKeyPem: string; leafPublicKeyPem: string; commonName: string; sanUris: string[]; ttlMs: number; now: Date }): string {
  const caCert = forge.pki.certificateFromPem(opts.caCertPem);
  const caKey = forge.pki.privateKeyFromPem(opts.caKeyPem);
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(opts.leafPublicKeyPem);
  cert.serialNumber = `01${forge.util.bytesToHex(forge.random.getBytesSync(16))}`;
  cert.validity.notBefore = new Date(opts.now.getTime() - 60_000);
  cert.validity.notAfter = new Date(opts.now.getTime() + opts.ttlMs);
  cert.setSubject([{ shortName: 'CN', value: opts.commonName }]);
  cert.setIssuer(caCert.subject.attributes);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false, critical: true },
    { name: 'keyUsage', digitalSignature: true, critical: true },
    { name: 'extKeyUsage', clientAuth: true },
    { name: 'subjectAltName', altNames: opts.sanUris.map((value) => ({ type: 6, value })) },
    { name: 'subjectKeyIdentifier' },
    { name: 'authorityKeyIdentifier', keyIdentifier: caCert.generateSubjectKeyIdentifier().getBytes() },
  ]);
  cert.sign(caKey, forge.md.sha256.create());
  return forge.pki.certificateToPem(cert);
}
