export * from './policy';
export * from './policy-problem';
export * from './parse-policy';
export * from './resolve-host';
export * from './authorize-host';
export * from './list-authenticators';
export * from './label-selector';
export { MAX_POLICY_FILE_BYTES } from './policy-file-reader';
export { DEFAULT_CONTAINER_NAME } from './restriction-names';
