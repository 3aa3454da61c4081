import { address, oneOf, port, str, tlsFields } from '@podid/config';

/** Env vars every gRPC service reads. */
export const serviceFields = {
  ...tlsFields,
  grpcHost: str({ env: 'PODID_GRPC_HOST', default: '0.0.0.0' }),
  grpcPort: port({ env: 'PODID_GRPC_PORT', default: 8443 }),
  opsHost: str({ env: 'PODID_OPS_HOST', default: '0.0.0.0' }),
  opsPort: port({ env: 'PODID_OPS_PORT', default: 9090 }),
  logLevel: oneOf({ env: 'PODID_LOG_LEVEL', values: ['debug', 'info', 'warn', 'error'] as const, default: 'info' }),
};

/** gRPC addresses of the other services, as `host:port`. */
export const peerAddressFields = {
  policyAddr: address({ env: 'PODID_POLICY_ADDR', default: 'policy:8443' }),
  podVerifierAddr: address({ env: 'PODID_POD_VERIFIER_ADDR', default: 'pod-verifier:8443' }),
  caSignerAddr: address({ env: 'PODID_CA_SIGNER_ADDR', default: 'ca-signer:8443' }),
  certInjectorAddr: address({ env: 'PODID_CERT_INJECTOR_ADDR', default: 'cert-injector:8443' }),
  tokenIssuerAddr: address({ env: 'PODID_TOKEN_ISSUER_ADDR', default: 'token-issuer:8443' }),
};
