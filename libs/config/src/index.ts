export * from './fields';
export * from './load-config';
export * from './tls-files';
