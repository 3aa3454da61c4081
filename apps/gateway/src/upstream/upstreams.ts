import { CaSignerService, CertInjectorService, PodVerifierService, PolicyService, TokenIssuerService } from '@podid/contracts';
import type { TlsMaterial } from '@podid/config';
import { createServiceClient, type ServiceClient } from '@podid/grpc';

/** The gateway's gRPC clients, one per upstream service. */
export interface Upstreams {
  policy: ServiceClient<typeof PolicyService>;
  podVerifier: ServiceClient<typeof PodVerifierService>;
  caSigner: ServiceClient<typeof CaSignerService>;
  certInjector: ServiceClient<typeof CertInjectorService>;
  tokenIssuer: ServiceClient<typeof TokenIssuerService>;
}

export interface UpstreamAddresses {
  policyAddr: string;
  podVerifierAddr: string;
  caSignerAddr: string;
  certInjectorAddr: string;
  tokenIssuerAddr: string;
}

/**
 * Deadlines per upstream, in ms. Injection runs an exec in a container (the
 * injector's own timeout is 5 s, as Conjur's), so it gets more.
 */
export const UPSTREAM_DEADLINES_MS = { policy: 2000, podVerifier: 4000, caSigner: 3000, certInjector: 9000, tokenIssuer: 3000 } as const;

/**
 * The whole certificate login must answer within this, in ms: Conjur's sidecar
 * (and authn-client) hang up after 10 s, so a later answer, even a 202, is lost
 * and the exec it waited for is wasted. The injection gets what is left.
 */
export const INJECT_BUDGET_MS = 9000;

/** The full gRPC service names, for the standard health check. */
export const UPSTREAM_SERVICES = {
  policy: { service: 'authn.v1.Policy', name: 'policy' },
  podVerifier: { service: 'authn.v1.PodVerifier', name: 'pod-verifier' },
  caSigner: { service: 'authn.v1.CaSigner', name: 'ca-signer' },
  certInjector: { service: 'authn.v1.CertInjector', name: 'cert-injector' },
  tokenIssuer: { service: 'authn.v1.TokenIssuer', name: 'token-issuer' },
} as const;

export function createUpstreams(addr: UpstreamAddresses, tls: TlsMaterial): Upstreams {
  return {
    policy: createServiceClient(PolicyService, { address: addr.policyAddr, tls, expectService: 'policy', deadlineMs: UPSTREAM_DEADLINES_MS.policy }),
    podVerifier: createServiceClient(PodVerifierService, { address: addr.podVerifierAddr, tls, expectService: 'pod-verifier', deadlineMs: UPSTREAM_DEADLINES_MS.podVerifier }),
    caSigner: createServiceClient(CaSignerService, { address: addr.caSignerAddr, tls, expectService: 'ca-signer', deadlineMs: UPSTREAM_DEADLINES_MS.caSigner }),
    certInjector: createServiceClient(CertInjectorService, { address: addr.certInjectorAddr, tls, expectService: 'cert-injector', deadlineMs: UPSTREAM_DEADLINES_MS.certInjector }),
    tokenIssuer: createServiceClient(TokenIssuerService, { address: addr.tokenIssuerAddr, tls, expectService: 'token-issuer', deadlineMs: UPSTREAM_DEADLINES_MS.tokenIssuer }),
  };
}

export function closeUpstreams(u: Upstreams): void {
  for (const c of Object.values(u)) c.close();
}
