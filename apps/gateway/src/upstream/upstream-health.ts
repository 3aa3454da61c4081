import { credentials, makeGenericClientConstructor, type Client } from '@grpc/grpc-js';
import type { PeerCertificate } from 'node:tls';
import { service as healthService } from 'grpc-health-check';
import type { TlsMaterial } from '@podid/config';
import { serviceNameOf } from '@podid/grpc';
import { UPSTREAM_SERVICES, type UpstreamAddresses } from './upstreams';

export type UpstreamKey = keyof typeof UPSTREAM_SERVICES;

/** Asks the standard gRPC health service of each upstream whether it is SERVING. */
export interface UpstreamHealth {
  check(key: UpstreamKey, deadlineMs?: number): Promise<boolean>;
  close(): void;
}

const ADDR_OF: Record<UpstreamKey, keyof UpstreamAddresses> = {
  policy: 'policyAddr',
  podVerifier: 'podVerifierAddr',
  caSigner: 'caSignerAddr',
  certInjector: 'certInjectorAddr',
  tokenIssuer: 'tokenIssuerAddr',
};

export function createUpstreamHealth(addr: UpstreamAddresses, tls: TlsMaterial): UpstreamHealth {
  const Ctor = makeGenericClientConstructor(healthService as never, 'health');
  const clients = new Map<UpstreamKey, Client & Record<string, (...a: unknown[]) => void>>();
  const clientOf = (key: UpstreamKey) => {
    let c = clients.get(key);
    if (!c) {
      const expect = UPSTREAM_SERVICES[key].name;
      const creds = credentials.createSsl(Buffer.from(tls.caPem), Buffer.from(tls.keyPem), Buffer.from(tls.certPem), {
        checkServerIdentity: (_h: string, cert: PeerCertificate) => (serviceNameOf(cert) === expect ? undefined : new Error(`expected ${expect}`)),
      });
      c = new Ctor(addr[ADDR_OF[key]], creds, { 'grpc.ssl_target_name_override': expect }) as Client & Record<string, (...a: unknown[]) => void>;
      clients.set(key, c);
    }
    return c;
  };
  return {
    check(key, deadlineMs = 1500) {
      const c = clientOf(key);
      return new Promise((resolve) =>
        c['check']!.call(c, { service: UPSTREAM_SERVICES[key].service }, { deadline: Date.now() + deadlineMs }, (err: Error | null, res: { status?: string | number }) =>
          resolve(!err && (res?.status === 'SERVING' || res?.status === 1)),
        ),
      );
    },
    close() {
      for (const c of clients.values()) c.close();
    },
  };
}
