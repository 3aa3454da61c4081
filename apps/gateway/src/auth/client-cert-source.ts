import { X509Certificate } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { InvalidArgumentError } from '@podid/errors';

/** Where a client certificate came from: our own TLS session, or a trusted proxy's header. */
export type CertSource = 'tls' | 'proxy-header';

/** Header a TLS-terminating proxy fills with the URL-escaped client PEM (nginx `$ssl_client_escaped_cert`). */
export const PROXY_CERT_HEADER = 'x-ssl-client-certificate';
/** A leaf PEM is about 1-3 KiB; escaping triples it at most. */
const MAX_PROXY_HEADER = 24 * 1024;

/**
 * The client certificate of a request. The proxy header is read only when
 * `trustProxy` is true (the TCP peer is in PODID_TRUSTED_PROXIES); otherwise
 * the leaf from the TLS session is used. Returns `forged: true` when an
 * untrusted peer sent the header, so the caller can log it.
 */
export function clientCertOf(req: IncomingMessage, trustProxy: boolean): { cert?: X509Certificate; source: CertSource; forged: boolean } {
  const header = req.headers[PROXY_CERT_HEADER];
  if (trustProxy && typeof header === 'string' && header.length > 0) {
    return { cert: parseProxyHeader(header), source: 'proxy-header', forged: false };
  }
  const forged = !trustProxy && header !== undefined;
  const socket = req.socket as TLSSocket;
  const peer = typeof socket.getPeerCertificate === 'function' ? socket.getPeerCertificate(false) : undefined;
  const raw = peer && 'raw' in peer ? peer.raw : undefined;
  if (!raw || raw.length === 0) return { source: 'tls', forged };
  try {
    return { cert: new X509Certificate(raw), source: 'tls', forged };
  } catch {
    return { source: 'tls', forged };
  }
}

/** Decodes a URL-escaped PEM where `+` means space (Ruby CGI.unescape, nginx escaping). */
export function parseProxyHeader(header: string): X509Certificate {
  if (header.length > MAX_PROXY_HEADER) throw new InvalidArgumentError('PROXY_CERT_MALFORMED', `${PROXY_CERT_HEADER}: exp<=${MAX_PROXY_HEADER} chars got=${header.length}`);
  let pem: string;
  try {
    pem = decodeURIComponent(header.replace(/\+/g, ' '));
  } catch {
    throw new InvalidArgumentError('PROXY_CERT_MALFORMED', `${PROXY_CERT_HEADER}: exp=URL-escaped PEM got=bad escape`);
  }
  try {
    return new X509Certificate(pem);
  } catch {
    throw new InvalidArgumentError('PROXY_CERT_MALFORMED', `${PROXY_CERT_HEADER}: exp=a PEM certificate got=undecodable text`);
  }
}
