export * from './fields';
export * from './load-config';
export * from './shared-fields';
export * from './tls-files';
