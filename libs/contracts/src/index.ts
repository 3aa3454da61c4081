// Generated gRPC contracts (package authn.v1). Regenerate with `npm run gen:proto`; never edit src/gen by hand.
export * from './gen/authn/v1/policy';
export * from './gen/authn/v1/pod_verifier';
export * from './gen/authn/v1/ca_signer';
export * from './gen/authn/v1/cert_injector';
export * from './gen/authn/v1/token_issuer';
