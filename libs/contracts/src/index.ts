// Generated gRPC contracts (internal authn.v1; public podid.platform.v1 as platformV1). Regenerate with `npm run gen:proto`; never edit src/gen by hand.
export * from './gen/authn/v1/policy';
export * from './gen/authn/v1/pod_verifier';
export * from './gen/authn/v1/ca_signer';
export * from './gen/authn/v1/cert_injector';
export * from './gen/authn/v1/token_issuer';
export * as platformV1 from './gen/podid/platform/v1/platform';
export { DESCRIPTOR_SET_BASE64 as PLATFORM_V1_DESCRIPTOR_SET_BASE64 } from './gen/podid/platform/v1/platform_descriptor';
