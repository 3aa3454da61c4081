export * from './dns-names';
export * from './host-id';
export * from './pod-spiffe-id';
export * from './pod-uid-uri';
export * from './cluster-urn';
