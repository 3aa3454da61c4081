import { TLSSocket, type PeerCertificate } from 'node:tls';

/**
 * The client certificate of a call's TLS session. grpc-js's getAuthContext()
 * reports it only when the handshake verified it against the server's CA,
 * and the platform port verifies per call against the caller's own
 * authenticator CA instead (as the REST login does), so it reads the
 * certificate from the call's HTTP/2 session. grpc-js is pinned
 * (package.json); the certificate-caller e2e tests fail at once if this
 * shape changes. Proof of key possession is the TLS handshake's, either way.
 */
export function peerCertificateOf(call: object): PeerCertificate | undefined {
  const socket = (call as { call?: { stream?: { session?: { socket?: unknown } } } }).call?.stream?.session?.socket;
  if (!(socket instanceof TLSSocket)) return undefined;
  const cert = socket.getPeerCertificate();
  return cert?.raw?.length ? cert : undefined;
}
