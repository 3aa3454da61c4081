import { ServerCredentials } from '@grpc/grpc-js';
import { createSecureContext, type SecureContextOptions } from 'node:tls';
import { TLS12_CIPHERS } from '../http/tls-options';

/**
 * TLS for the platform port: the gateway's serving pair; client certificates
 * requested but not enforced by the handshake (a token caller has none; a
 * certificate caller's chain is checked per call against its authenticator's
 * CA, as login does). `reload` swaps the pair for new connections.
 */
export class PlatformServerCredentials extends ServerCredentials {
  constructor(pair: { cert: Buffer; key: Buffer }) {
    super({ requestCert: true, rejectUnauthorized: false, honorCipherOrder: true }, contextOf(pair));
  }

  /** Throws on a broken or mismatched pair and keeps the old one. */
  reload(pair: { cert: Buffer; key: Buffer }): void {
    createSecureContext(contextOf(pair));
    this.updateSecureContextOptions(contextOf(pair));
  }

  _equals(other: ServerCredentials): boolean {
    return other === this;
  }
}

/** Node's server.setSecureContext also resets requestCert and rejectUnauthorized from its argument, so they travel with the pair. */
function contextOf(pair: { cert: Buffer; key: Buffer }): SecureContextOptions & { requestCert: boolean; rejectUnauthorized: boolean } {
  return { cert: pair.cert, key: pair.key, minVersion: 'TLSv1.2', ciphers: TLS12_CIPHERS, requestCert: true, rejectUnauthorized: false };
}
