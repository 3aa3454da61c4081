export * from './client';
export * from './peer-identity';
export * from './server';
export * from './status-map';
export * from './tolerant-definition';
export * from './validate';
export * from './rich-status';
