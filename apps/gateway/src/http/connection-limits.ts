import type { Server, Socket } from 'node:net';

/** Why a connection was closed before TLS. */
export type ShedReason = 'per_ip_cap' | 'total_cap';

/** Connection caps of the public server. */
export interface ConnectionLimits {
  /** All open connections; Node drops the rest on accept. */
  readonly maxConnections: number;
  /** Open connections per TCP peer address (behind a proxy: per proxy address). */
  readonly maxConnectionsPerIp: number;
}

/**
 * Caps open connections in total (server.maxConnections) and per remote
 * address, counted on 'connection' before the TLS handshake so a flood costs
 * no crypto. Every shed connection is reported to `onShed`.
 */
export function limitConnections(server: Server, limits: ConnectionLimits, onShed: (reason: ShedReason, remoteAddress: string) => void): void {
  server.maxConnections = limits.maxConnections;
  server.on('drop', (d?: { remoteAddress?: string }) => onShed('total_cap', d?.remoteAddress ?? 'unknown'));
  const open = new Map<string, number>();
  // Before the TLS listener, so a shed socket never starts a handshake.
  server.prependListener('connection', (socket: Socket) => {
    const ip = socket.remoteAddress;
    if (ip === undefined) return void socket.destroy(); // already gone
    const n = (open.get(ip) ?? 0) + 1;
    if (n > limits.maxConnectionsPerIp) {
      socket.destroy();
      onShed('per_ip_cap', ip);
      return;
    }
    open.set(ip, n);
    socket.once('close', () => {
      const left = (open.get(ip) ?? 1) - 1;
      if (left > 0) open.set(ip, left);
      else open.delete(ip);
    });
  });
}
