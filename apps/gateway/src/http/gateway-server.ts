import { readFileSync, unwatchFile, watchFile } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createSecureContext } from 'node:tls';
import type { Logger } from '@podid/logging';
import { limitConnections, type ConnectionLimits, type ShedReason } from './connection-limits';
import { publicTlsOptions } from './tls-options';

export interface GatewayServer {
  readonly port: number;
  close(): Promise<void>;
}

/** How often the serving cert and key files are checked for changes. */
export const TLS_WATCH_INTERVAL_MS = 1000;

/** How long a connection may take at each stage before it is closed, in ms. */
export interface ConnectionTimeouts {
  /** TCP accept to finished TLS handshake: covers sockets that never say hello. */
  readonly handshakeMs: number;
  /** Until the request headers are in (capped at requestMs, as Node requires). */
  readonly headersMs: number;
  /** Until the whole request is in. */
  readonly requestMs: number;
  /** Between requests on a kept-alive connection. */
  readonly keepAliveMs: number;
  /** Any silence on an open connection, e.g. a handshake and then nothing. */
  readonly idleMs: number;
}

/**
 * Starts the public HTTPS server. The serving certificate and key are read
 * from files and reloaded without a restart when either file changes
 * (server.setSecureContext); a pair that fails to load keeps the old one.
 * Slow or idle connections are closed by `timeouts`; `limits` caps how many
 * are open, and each one shed is reported to `onShed`.
 */
export async function startGatewayServer(opts: {
  host: string;
  port: number;
  certFile: string;
  keyFile: string;
  log: Logger;
  handler: (req: IncomingMessage, res: ServerResponse) => void;
  timeouts: ConnectionTimeouts;
  limits: ConnectionLimits;
  onShed: (reason: ShedReason, remoteAddress: string) => void;
  watchIntervalMs?: number;
}): Promise<GatewayServer> {
  const readPair = () => ({ cert: readFileSync(opts.certFile), key: readFileSync(opts.keyFile) });
  const t = opts.timeouts;
  const server: Server = createServer(
    {
      ...publicTlsOptions(readPair()),
      handshakeTimeout: t.handshakeMs,
      headersTimeout: Math.min(t.headersMs, t.requestMs),
      requestTimeout: t.requestMs,
      keepAliveTimeout: t.keepAliveMs,
      // Node checks headers and request timeouts on this tick (default 30 s, too coarse for short ones).
      connectionsCheckingInterval: Math.min(1000, t.headersMs),
    },
    opts.handler,
  );
  // Idle TLS sockets (no request yet, or between requests) get destroyed after this much silence.
  server.timeout = t.idleMs;
  limitConnections(server, opts.limits, opts.onShed);
  // Handshake failures (no shared cipher, TLS 1.0) are the client's problem, not ours.
  server.on('tlsClientError', () => undefined);
  const reload = () => {
    try {
      const pair = readPair();
      createSecureContext(pair); // throws on a mismatched or broken pair
      server.setSecureContext(publicTlsOptions(pair));
      opts.log.event('GATEWAY_TLS_RELOADED', { cert_file: opts.certFile });
    } catch (e) {
      opts.log.event('GATEWAY_TLS_RELOAD_FAILED', { cert_file: opts.certFile, key_file: opts.keyFile, err: e instanceof Error ? e.message : String(e) });
    }
  };
  const interval = opts.watchIntervalMs ?? TLS_WATCH_INTERVAL_MS;
  const onChange = (cur: { mtimeMs: number; ino: number }, prev: { mtimeMs: number; ino: number }) => {
    if (cur.mtimeMs !== prev.mtimeMs || cur.ino !== prev.ino) reload();
  };
  watchFile(opts.certFile, { interval, persistent: false }, onChange);
  watchFile(opts.keyFile, { interval, persistent: false }, onChange);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  opts.log.event('GATEWAY_LISTENING', { host: opts.host, port });
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        unwatchFile(opts.certFile, onChange);
        unwatchFile(opts.keyFile, onChange);
        server.close(() => resolve());
        server.closeIdleConnections();
        // In-flight requests get a moment to finish; then every connection goes.
        setTimeout(() => server.closeAllConnections(), 3000).unref();
      }),
  };
}
